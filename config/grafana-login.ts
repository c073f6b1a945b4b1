/**
 * `botfleet:monitoring.login` (who signs in to Grafana, and as what) and the secret
 * `botfleet:grafanaLogin` (the OAuth client secret). Each person signs in with their own identity; the
 * identity provider's groups decide the Grafana role, synced at every sign-in. The generated `admin`
 * password stays as the break-glass account.
 *
 * Grafana 13.2 (the app version of grafana chart 12.11.1, which kube-prometheus-stack 88.5.3 pins) reads
 * these as `[auth.github]` / `[auth.generic_oauth]` settings (grafana.com/docs/grafana/v13.2, "Configure
 * GitHub OAuth authentication" and "Configure generic OAuth authentication"). GitHub teams reach the role
 * mapping as groups spelled `@<org>/<team-slug>` (grafana/grafana pkg/login/social/connectors/
 * github_oauth.go, `GetShorthand`).
 */
import { z } from "zod";
import { show } from "./common";

const GITHUB_LOGIN = /^[A-Za-z0-9]([A-Za-z0-9-]{0,37}[A-Za-z0-9])?$/;
const GITHUB_TEAM = /^@[A-Za-z0-9]([A-Za-z0-9-]{0,37}[A-Za-z0-9])?\/[a-z0-9][a-z0-9_-]*$/;
/** A group name as the role expression quotes it: no quote or backslash can end the JMESPath literal. */
const GROUP = /^[^'\\\n]{1,200}$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;

const clientId = z.string().regex(/^[\x21-\x7e]{1,200}$/, {
  error: (iss) => `must be the OAuth app's client ID (printable, no spaces), got ${show(iss.input)}`,
});

/** Grafana reaches the provider on 443 only (NetworkPolicy `grafana-identity-provider`). */
const httpsUrl = z
  .url({
    protocol: /^https$/,
    error: (iss) => `must be an https URL of the identity provider, got ${show(iss.input)}`,
  })
  .refine((u) => ["", "443"].includes(new URL(u).port), {
    error: (iss) =>
      `must use the https port 443 (Grafana may reach the identity provider on 443 only), got ${show(iss.input)}`,
  });

const githubTeam = z.string().regex(GITHUB_TEAM, {
  error: (iss) => `must be a GitHub team as "@<org>/<team-slug>" (e.g. "@acme/ops"), got ${show(iss.input)}`,
});

const group = z.string().regex(GROUP, {
  error: (iss) =>
    `must be a group name of 1-200 characters without quotes or backslashes, got ${show(iss.input)}`,
});

const github = z.strictObject({
  provider: z.literal("github"),
  /** The GitHub OAuth app's client ID (its secret is `botfleet:grafanaLogin.clientSecret`). */
  clientId,
  /** Only members of these GitHub organizations may sign in (Grafana `allowed_organizations`). */
  organizations: z
    .array(
      z.string().regex(GITHUB_LOGIN, {
        error: (iss) => `must be a GitHub organization login such as "acme", got ${show(iss.input)}`,
      }),
    )
    .min(1, {
      error: "must name at least one GitHub organization: without it any GitHub user could sign in",
    }),
  /**
   * Members of these teams are Grafana Admins of the organization. Spell the organization as GitHub does
   * (its login's exact case): Grafana names a team `@<organization login>/<team slug>` and compares exactly.
   * @default []
   */
  adminTeams: z.array(githubTeam).default([]),
  /** Members of these teams are Editors (they can silence alerts); everyone else is a Viewer. @default [] */
  editorTeams: z.array(githubTeam).default([]),
});

const oidc = z.strictObject({
  provider: z.literal("oidc"),
  /** The button's label on Grafana's sign-in page, e.g. "Google" or "Keycloak". */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}$/, {
    error: (iss) => `must be a short label such as "Keycloak", got ${show(iss.input)}`,
  }),
  clientId,
  /** The provider's authorization, token and userinfo endpoints (its `.well-known/openid-configuration`). */
  authUrl: httpsUrl,
  tokenUrl: httpsUrl,
  apiUrl: httpsUrl,
  /** @default ["openid", "email", "profile"] */
  scopes: z.array(z.string().regex(/^[\x21-\x7e]+$/)).default(["openid", "email", "profile"]),
  /** Only e-mail addresses of these domains may sign in (Grafana `allowed_domains`). */
  allowedDomains: z
    .array(
      z
        .string()
        .regex(DOMAIN, { error: (iss) => `must be a domain such as "example.com", got ${show(iss.input)}` }),
    )
    .min(1, {
      error: "must list at least one e-mail domain: without it anyone the provider knows could sign in",
    }),
  /** The claim that lists a user's groups. @default "groups" */
  groupsClaim: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/)
    .default("groups"),
  /** Members of these groups are Admins of the organization. @default [] */
  adminGroups: z.array(group).default([]),
  /** Members of these groups are Editors; everyone else is a Viewer. @default [] */
  editorGroups: z.array(group).default([]),
  /**
   * Only members of these groups may sign in (Grafana `allowed_groups`), on top of `allowedDomains`: an
   * e-mail domain proves only what the provider verifies. @default [] (any group)
   */
  allowedGroups: z.array(group).default([]),
});

export const grafanaLoginSchema = z
  .discriminatedUnion("provider", [github, oidc], {
    error: (iss) =>
      iss.code === "invalid_union"
        ? `must be "github" or "oidc", got ${show((iss.input as { provider?: unknown } | undefined)?.provider)}`
        : undefined,
  })
  .superRefine((login, ctx) => {
    // The grafana chart renders every grafana.ini string through Helm's `tpl` (grafana-12.11.1
    // templates/_config.tpl): a "{{" would be run as a template.
    for (const [key, value] of Object.entries(login)) {
      const text = JSON.stringify(value);
      if (text.includes("{{") || text.includes("}}"))
        ctx.addIssue({
          code: "custom",
          path: [key],
          input: value,
          message: `must not contain "{{" or "}}" (the chart would run it as a Helm template), got ${text}`,
        });
    }
  });

export type GrafanaLogin = z.output<typeof grafanaLoginSchema>;

/** `botfleet:grafanaLogin` (secret). */
export const grafanaLoginSecretsSchema = z.strictObject({
  /** The OAuth app's client secret. */
  clientSecret: z.string().min(1, { error: "must be the OAuth app's non-empty client secret" }),
});
export type GrafanaLoginSecrets = z.output<typeof grafanaLoginSecretsSchema>;

/** Groups whose members get a role, in the order Grafana should test them (the first match wins). */
export function roleGroups(login: GrafanaLogin): { role: "Admin" | "Editor"; groups: readonly string[] }[] {
  return login.provider === "github"
    ? [
        { role: "Admin", groups: login.adminTeams },
        { role: "Editor", groups: login.editorTeams },
      ]
    : [
        { role: "Admin", groups: login.adminGroups },
        { role: "Editor", groups: login.editorGroups },
      ];
}
