/**
 * Grafana's sign-in settings (the chart's `grafana.ini` value) and the env var that carries the OAuth
 * client secret from a Secret. Pure. Setting names as Grafana documents them for 13.2 (the docs pages
 * cited in config/grafana-login.ts) and its connectors read them (grafana/grafana
 * pkg/login/social/connectors); the chart renders `grafana.ini` sections from this map
 * (grafana-12.11.1 templates/_config.tpl) and `envValueFrom` as `env[].valueFrom` (values.yaml).
 */
import { roleGroups, type GrafanaLogin } from "../../config/grafana-login";

/** The Secret the component creates for the OAuth client secret, and its key. */
export const GRAFANA_LOGIN_SECRET = "botfleet-grafana-login";
export const GRAFANA_LOGIN_SECRET_KEY = "client-secret";

/** Grafana's `[auth.<provider>]` section for each login provider. */
const SECTION = { github: "auth.github", oidc: "auth.generic_oauth" } as const;

/**
 * Grafana reads any setting from `GF_<SECTION>_<KEY>` (dots and dashes as "_", upper case): the client
 * secret reaches it this way, so it is never in the chart's ConfigMap.
 */
export function clientSecretEnvName(login: GrafanaLogin): string {
  return `GF_${SECTION[login.provider].replace(/[.-]/g, "_").toUpperCase()}_CLIENT_SECRET`;
}

/**
 * JMESPath over the user's groups that yields "Admin" or "Editor" (Grafana `role_attribute_path`): the
 * first listed role whose groups the user is in; `false` when none. Grafana evaluates it over several
 * documents in turn (for GitHub the /user response, then `{ groups }`; for OIDC the ID token, then the
 * userinfo response) and keeps the first string, so the expression must yield no string for "not
 * found": a fallback `'Viewer'` would stop it at the first document (grafana/grafana
 * pkg/login/social/connectors/social_base.go `searchRole`). With no match anywhere Grafana assigns
 * `auto_assign_org_role` (Viewer). A missing claim is no group (`not_null`: `contains` on null is an
 * error). Group names cannot hold a quote (schema). Undefined when no role has groups.
 */
export function roleAttributePath(login: GrafanaLogin, groupsField = "groups"): string | undefined {
  const terms = roleGroups(login)
    .filter((r) => r.groups.length > 0)
    .map(
      (r) =>
        `(${r.groups.map((g) => `contains(not_null(${groupsField}, \`[]\`), '${g}')`).join(" || ")}) && '${r.role}'`,
    );
  return terms.length === 0 ? undefined : terms.join(" || ");
}

export interface GrafanaIniArgs {
  /** `monitoring.login`; undefined: only the break-glass `admin` can sign in. */
  readonly login?: GrafanaLogin;
  /** Grafana's public URL ("https://grafana.example.com/"): OAuth's redirect URI is built from it. */
  readonly rootUrl?: string;
}

/**
 * The `grafana.ini` map: no anonymous access, no self sign-up, no org role changes by hand (the identity
 * provider's groups decide at every sign-in), secure cookies behind TLS, and one OAuth provider when
 * `login` is set. The client secret is not here (see {@link clientSecretEnvName}).
 */
export function grafanaIni(args: GrafanaIniArgs): Record<string, Record<string, unknown>> {
  const ini: Record<string, Record<string, unknown>> = {
    "auth.anonymous": { enabled: false },
    // Who matches no admin or editor group is a Viewer.
    users: { allow_sign_up: false, allow_org_create: false, auto_assign_org_role: "Viewer" },
    // Nothing outside the cluster is told Grafana exists.
    analytics: { reporting_enabled: false, check_for_updates: false, check_for_plugin_updates: false },
  };
  if (args.rootUrl !== undefined) {
    ini.server = { root_url: args.rootUrl };
    ini.security = { cookie_secure: true };
  }
  const login = args.login;
  if (login === undefined) return ini;
  const common = {
    enabled: true,
    client_id: login.clientId,
    // Unknown people get an account only if the provider lets them in (organization or domain below).
    allow_sign_up: true,
    // The groups decide the role at each sign-in; no match is a Viewer, never an error or an Admin.
    role_attribute_strict: false,
    skip_org_role_sync: false,
    allow_assign_grafana_admin: false,
  };
  const role = (path: string | undefined) => (path === undefined ? {} : { role_attribute_path: path });
  if (login.provider === "github") {
    ini[SECTION.github] = {
      ...common,
      scopes: "user:email,read:org",
      allowed_organizations: login.organizations.join(","),
      ...role(roleAttributePath(login)),
    };
  } else {
    ini[SECTION.oidc] = {
      ...common,
      name: login.name,
      auth_url: login.authUrl,
      token_url: login.tokenUrl,
      api_url: login.apiUrl,
      scopes: login.scopes.join(" "),
      allowed_domains: login.allowedDomains.join(","),
      groups_attribute_path: login.groupsClaim,
      ...(login.allowedGroups.length > 0 ? { allowed_groups: login.allowedGroups.join(",") } : {}),
      use_pkce: true,
      ...role(roleAttributePath(login, login.groupsClaim)),
    };
  }
  return ini;
}

/** The chart's `envValueFrom`: the client secret from {@link GRAFANA_LOGIN_SECRET}. */
export function grafanaLoginEnv(login: GrafanaLogin): Record<string, unknown> {
  return {
    [clientSecretEnvName(login)]: {
      secretKeyRef: { name: GRAFANA_LOGIN_SECRET, key: GRAFANA_LOGIN_SECRET_KEY },
    },
  };
}
