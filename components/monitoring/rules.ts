import { ALERT_GROUPS, type AlertGroup } from "./alert-rules";
import type { Namespaces } from "../../config/platform";

export interface RuleRenderArgs {
  readonly namespaces: Namespaces;
  /** Seconds after which the last successful backup is too old. */
  readonly backupMaxAgeSeconds: number;
  /** Base URL of the runbook; `#<alertname-lowercase>` is appended. */
  readonly runbookBaseUrl: string;
  /** Whether TLS is terminated (cert-manager certificates exist). */
  readonly tls: boolean;
}

/** A Prometheus rule as it appears in a rule file and in PrometheusRule.spec.groups[].rules[]. */
export interface RenderedRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string; description: string; runbook_url: string };
}

export interface RenderedGroup {
  name: string;
  rules: RenderedRule[];
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Renders {@link ALERT_GROUPS} for one stack: namespaces, thresholds, runbook links. Pure. */
export function renderAlertGroups(
  args: RuleRenderArgs,
  groups: readonly AlertGroup[] = ALERT_GROUPS,
): RenderedGroup[] {
  const substitute = (expr: string) =>
    expr
      // Namespace names are DNS-1123 labels, but escape anyway: they land inside regex matchers too.
      .replaceAll("$BOTS_NS", escapeRegex(args.namespaces.bots))
      .replaceAll("$DATA_NS", escapeRegex(args.namespaces.data))
      .replaceAll("$MONITORING_NS", escapeRegex(args.namespaces.monitoring))
      .replaceAll("$BACKUP_MAX_AGE_SECONDS", String(args.backupMaxAgeSeconds));
  return groups.map((g) => ({
    name: g.name,
    rules: g.rules
      .filter((r) => args.tls || !r.onlyWithTls)
      .map((r) => {
        const rendered: RenderedRule = {
          alert: r.alert,
          expr: substitute(r.expr),
          labels: { severity: r.severity },
          annotations: {
            summary: r.summary,
            description: r.description,
            runbook_url: `${args.runbookBaseUrl}#${r.alert.toLowerCase()}`,
          },
        };
        if (r.for !== undefined) rendered.for = r.for;
        const leftover = /\$[A-Z_]{4,}/.exec(rendered.expr);
        if (leftover) throw new Error(`alert ${r.alert}: unknown placeholder ${leftover[0]}`);
        return rendered;
      }),
  }));
}

/** Every alert name the rendered groups define. */
export function alertNames(groups: readonly RenderedGroup[]): string[] {
  return groups.flatMap((g) => g.rules.map((r) => r.alert));
}
