/**
 * Monitoring access (README "Monitoring access"): who can reach Prometheus' and Alertmanager's APIs, and
 * how people sign in to Grafana. Role mapping is evaluated with a real JMESPath engine (jmespath, the
 * language Grafana's `role_attribute_path` is written in).
 */
import jmespath from "jmespath";
import { grafanaLoginSchema, type GrafanaLogin } from "../../config/grafana-login";
import { monitoringSchema } from "../../config/monitoring";
import {
  GRAFANA_LOGIN_SECRET,
  clientSecretEnvName,
  grafanaIni,
  roleAttributePath,
} from "../../components/monitoring/grafana-login";
import { monitoringNetworkPolicies } from "../../components/monitoring/network-policies";
import { buildHelmValues } from "../../components/monitoring/values";
import { selects } from "../support/k8s";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NAMESPACES = {
  bots: "botfleet-bots",
  data: "botfleet-data",
  monitoring: "botfleet-monitoring",
  nodeExporter: "botfleet-node-exporter",
};
const INGRESS = {
  enabled: true,
  host: "grafana.example.com",
  clusterIssuer: "letsencrypt-prod",
  email: "ops@example.com",
};
const GITHUB = grafanaLoginSchema.parse({
  provider: "github",
  clientId: "Iv1.0123456789abcdef",
  organizations: ["acme"],
  adminTeams: ["@acme/ops"],
  editorTeams: ["@acme/quants", "@acme/on-call"],
});
const OIDC = grafanaLoginSchema.parse({
  provider: "oidc",
  name: "Keycloak",
  clientId: "grafana",
  authUrl: "https://sso.example.com/realms/acme/protocol/openid-connect/auth",
  tokenUrl: "https://sso.example.com/realms/acme/protocol/openid-connect/token",
  apiUrl: "https://sso.example.com/realms/acme/protocol/openid-connect/userinfo",
  allowedDomains: ["example.com"],
  groupsClaim: "roles",
  adminGroups: ["grafana-admins"],
  editorGroups: ["traders"],
});

/** The chart values of a prod stack with Grafana behind the ingress and GitHub sign-in. */
const signInValues = (): Obj =>
  buildHelmValues({
    config: monitoringSchema.parse({ ingress: INGRESS, login: GITHUB }),
    environment: "prod",
    namespace: NAMESPACES.monitoring,
    nodeExporterNamespace: NAMESPACES.nodeExporter,
  });

/** The pods of the monitoring namespace, by the labels the chart and the operator give them. */
const POD = {
  prometheus: { "app.kubernetes.io/name": "prometheus" },
  alertmanager: { "app.kubernetes.io/name": "alertmanager" },
  grafana: { "app.kubernetes.io/name": "grafana" },
  kubeStateMetrics: { "app.kubernetes.io/name": "kube-state-metrics" },
  operator: { app: "kube-prometheus-stack-operator" },
} as const;

/**
 * Does some ingress rule of the policies that select `target` let a pod with `source` labels in the same
 * namespace connect on `port`? Kubernetes semantics: the allows of every selecting policy add up.
 */
function admits(
  policies: readonly Obj[],
  target: Record<string, string>,
  source: Record<string, string>,
  port: number,
) {
  return policies
    .filter((p) => (p.policyTypes as string[]).includes("Ingress") && selects(p.podSelector, target))
    .some((p) =>
      ((p.ingress ?? []) as Obj[]).some((rule) => {
        const fromOk = (rule.from as Obj[]).some(
          (peer) =>
            peer.namespaceSelector === undefined &&
            peer.ipBlock === undefined &&
            selects(peer.podSelector, source),
        );
        const portOk = rule.ports === undefined || (rule.ports as Obj[]).some((p) => p.port === port);
        return fromOk && portOk;
      }),
    );
}

describe("who reaches Prometheus and Alertmanager", () => {
  const specs = monitoringNetworkPolicies({
    namespaces: NAMESPACES,
    ingressControllerNamespace: "ingress-nginx",
    grafanaLogin: true,
  }).map((p) => p.spec as Obj);

  test("Alertmanager's API (it can silence BotDown): Prometheus and Grafana only", () => {
    expect(admits(specs, POD.alertmanager, POD.prometheus, 9093)).toBe(true);
    expect(admits(specs, POD.alertmanager, POD.grafana, 9093)).toBe(true);
    for (const other of [POD.kubeStateMetrics, POD.operator, {}])
      expect(admits(specs, POD.alertmanager, other, 9093)).toBe(false);
    // Replicas gossip among themselves only.
    expect(admits(specs, POD.alertmanager, POD.alertmanager, 9094)).toBe(true);
    expect(admits(specs, POD.alertmanager, POD.grafana, 9094)).toBe(false);
  });

  test("Prometheus' API: Grafana and its own scrapes only", () => {
    expect(admits(specs, POD.prometheus, POD.grafana, 9090)).toBe(true);
    expect(admits(specs, POD.prometheus, POD.prometheus, 9090)).toBe(true);
    for (const other of [POD.alertmanager, POD.kubeStateMetrics, POD.operator, {}])
      expect(admits(specs, POD.prometheus, other, 9090)).toBe(false);
  });

  test("no policy admits anything from outside the namespace to them, nor an address", () => {
    for (const target of [POD.prometheus, POD.alertmanager]) {
      const selecting = specs.filter(
        (p) => (p.policyTypes as string[]).includes("Ingress") && selects(p.podSelector, target),
      );
      expect(selecting.length).toBeGreaterThan(0);
      for (const p of selecting)
        for (const rule of p.ingress as Obj[])
          for (const peer of rule.from as Obj[]) {
            expect(peer.namespaceSelector).toBeUndefined();
            expect(peer.ipBlock).toBeUndefined();
          }
    }
    // The rest of the namespace still talks among itself (the operator's webhook, scrapes of kube-state-metrics).
    expect(admits(specs, POD.kubeStateMetrics, POD.prometheus, 8080)).toBe(true);
  });

  test("the chart exposes neither: no Ingress, no NodePort or LoadBalancer Service for Prometheus or Alertmanager", () => {
    const values = signInValues();
    for (const component of ["prometheus", "alertmanager"]) {
      expect(values[component].ingress).toBeUndefined(); // the chart's default: disabled
      expect(values[component].service).toBeUndefined(); // the chart's default: ClusterIP
    }
    expect(values.grafana.ingress).toEqual({ enabled: false }); // ours, see grafana-ingress.ts
  });

  test("Grafana reaches the internet (its identity provider, 443) only with a login configured", () => {
    const withLogin = monitoringNetworkPolicies({ namespaces: NAMESPACES, grafanaLogin: true });
    const idp = withLogin.find((p) => p.name === "grafana-identity-provider")!.spec as Obj;
    expect(idp.podSelector).toEqual({ matchLabels: POD.grafana });
    expect(idp.egress).toEqual([
      {
        to: [{ ipBlock: { cidr: "0.0.0.0/0", except: expect.arrayContaining(["169.254.0.0/16"]) } }],
        ports: [{ protocol: "TCP", port: 443 }],
      },
    ]);
    const without = monitoringNetworkPolicies({ namespaces: NAMESPACES });
    expect(without.map((p) => p.name)).not.toContain("grafana-identity-provider");
  });
});

describe("Grafana sign-in", () => {
  /**
   * Grafana's role search (grafana/grafana pkg/login/social/connectors/social_base.go `searchRole`,
   * `extractRoleAndAdmin`): the expression runs over each document in turn and the first non-empty string
   * wins; with none, `auto_assign_org_role` (Viewer). A non-string result counts as none.
   */
  const grafanaRole = (path: string | undefined, documents: readonly Obj[]): string => {
    for (const doc of path === undefined ? [] : documents) {
      const found: unknown = jmespath.search(doc, path!);
      if (typeof found === "string" && found !== "") return found;
    }
    return "Viewer";
  };
  /** GitHub: the /user response (no groups), then `{ groups }` (github_oauth.go `UserInfo`). */
  const github = (login: GrafanaLogin, groups: string[]) =>
    grafanaRole(roleAttributePath(login), [{ login: "someone", id: 1, email: "a@example.com" }, { groups }]);
  /** Generic OAuth: the ID token, then the userinfo response (generic_oauth.go). */
  const oidc = (login: GrafanaLogin, idToken: Obj, userinfo: Obj = {}) =>
    grafanaRole(roleAttributePath(login, login.provider === "oidc" ? login.groupsClaim : "groups"), [
      idToken,
      userinfo,
    ]);

  test("GitHub teams map to roles through Grafana's second document; the first match wins; else Viewer", () => {
    expect(github(GITHUB, ["@acme/ops", "@acme/quants"])).toBe("Admin");
    expect(github(GITHUB, ["https://github.com/orgs/acme/teams/on-call", "@acme/on-call"])).toBe("Editor");
    expect(github(GITHUB, ["@acme/interns"])).toBe("Viewer");
    expect(github(GITHUB, [])).toBe("Viewer");
    // A team of the same slug in another organization is not the same team.
    expect(github(GITHUB, ["@evil/ops"])).toBe("Viewer");
    // The expression yields no string on the /user document, so Grafana goes on to the groups.
    expect(jmespath.search({ login: "someone" }, roleAttributePath(GITHUB)!)).toBe(false);
  });

  test("OIDC groups come from the configured claim, in the ID token or the userinfo response", () => {
    expect(oidc(OIDC, { email: "a@example.com", roles: ["grafana-admins"] })).toBe("Admin");
    expect(oidc(OIDC, { email: "b@example.com" }, { roles: ["traders"] })).toBe("Editor");
    expect(oidc(OIDC, { email: "c@example.com", groups: ["grafana-admins"] })).toBe("Viewer");
    const ini = grafanaIni({ login: OIDC, rootUrl: "https://grafana.example.com/" });
    expect(ini["auth.generic_oauth"]).toMatchObject({
      enabled: true,
      name: "Keycloak",
      allowed_domains: "example.com",
      groups_attribute_path: "roles",
      scopes: "openid email profile",
    });
    expect(ini["auth.generic_oauth"].allowed_groups).toBeUndefined();
    const restricted = grafanaLoginSchema.parse({ ...OIDC, allowedGroups: ["trading-desk", "ops"] });
    expect(grafanaIni({ login: restricted })["auth.generic_oauth"].allowed_groups).toBe("trading-desk,ops");
  });

  test("without roles configured Grafana gets no role expression: everyone who may sign in is a Viewer", () => {
    const plain = grafanaLoginSchema.parse({ provider: "github", clientId: "x", organizations: ["acme"] });
    expect(roleAttributePath(plain)).toBeUndefined();
    expect(grafanaIni({ login: plain })["auth.github"].role_attribute_path).toBeUndefined();
    expect(grafanaIni({ login: plain }).users.auto_assign_org_role).toBe("Viewer");
    expect(github(plain, ["@acme/ops"])).toBe("Viewer");
  });

  test("the settings: no anonymous access, no self sign-up outside the organizations, roles synced, no secret", () => {
    const ini = grafanaIni({ login: GITHUB, rootUrl: "https://grafana.example.com/" });
    expect(ini["auth.anonymous"]).toEqual({ enabled: false });
    expect(ini.users).toMatchObject({ allow_sign_up: false, allow_org_create: false });
    expect(ini.server).toEqual({ root_url: "https://grafana.example.com/" });
    expect(ini.security).toEqual({ cookie_secure: true });
    expect(ini["auth.github"]).toMatchObject({
      enabled: true,
      client_id: "Iv1.0123456789abcdef",
      allowed_organizations: "acme",
      scopes: "user:email,read:org",
      skip_org_role_sync: false,
      allow_assign_grafana_admin: false,
    });
    expect(JSON.stringify(ini)).not.toMatch(/client_secret/);
    // The secret comes from our Secret through Grafana's GF_<SECTION>_<KEY> override.
    expect(clientSecretEnvName(GITHUB)).toBe("GF_AUTH_GITHUB_CLIENT_SECRET");
    expect(clientSecretEnvName(OIDC)).toBe("GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET");
    // No login: only the break-glass admin, still no anonymous access.
    const bare = grafanaIni({});
    expect(bare["auth.anonymous"]).toEqual({ enabled: false });
    expect(Object.keys(bare).filter((k) => k.startsWith("auth.") && k !== "auth.anonymous")).toEqual([]);
  });

  test("the chart values carry the settings and the Secret reference, never the secret", () => {
    const values = signInValues();
    expect(values.grafana["grafana.ini"]["auth.github"].enabled).toBe(true);
    expect(values.grafana.envValueFrom).toEqual({
      GF_AUTH_GITHUB_CLIENT_SECRET: { secretKeyRef: { name: GRAFANA_LOGIN_SECRET, key: "client-secret" } },
    });
  });

  test("a login needs the ingress (the provider redirects to it), and a known provider", () => {
    const noIngress = monitoringSchema.safeParse({ login: GITHUB });
    expect(noIngress.success).toBe(false);
    expect(noIngress.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
      "login: needs monitoring.ingress.enabled (the identity provider sends people back to https://<ingress.host>/login/github), got ingress unset; set monitoring.ingress or remove monitoring.login",
    ]);
    const gitlab = grafanaLoginSchema.safeParse({ provider: "gitlab", clientId: "x" });
    expect(gitlab.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
      'provider: must be "github" or "oidc", got "gitlab"',
    ]);
    const anyone = grafanaLoginSchema.safeParse({ provider: "github", clientId: "x", organizations: [] });
    expect(anyone.error!.issues[0].message).toMatch(/at least one GitHub organization/);
    const quote = grafanaLoginSchema.safeParse({ ...OIDC, adminGroups: ["x') || 'Admin"] });
    expect(quote.success).toBe(false);
    const team = grafanaLoginSchema.safeParse({ ...GITHUB, adminTeams: ["ops"] });
    expect(team.error!.issues[0].message).toMatch(/"@<org>\/<team-slug>"/);
    const port = grafanaLoginSchema.safeParse({ ...OIDC, tokenUrl: "https://sso.example.com:8443/token" });
    expect(port.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
      'tokenUrl: must use the https port 443 (Grafana may reach the identity provider on 443 only), got "https://sso.example.com:8443/token"',
    ]);
    const template = grafanaLoginSchema.safeParse({
      ...OIDC,
      name: "Keycloak",
      adminGroups: ["{{ .Values }}"],
    });
    expect(template.error!.issues.map((i) => i.path.join("."))).toEqual(["adminGroups"]);
  });
});
