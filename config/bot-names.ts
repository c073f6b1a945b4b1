/** Presets, workloads and the names a bot gives its objects: every name must fit every object it names. */
import { show } from "./common";

export const PRESETS = ["hummingbot", "freqtrade", "custom"] as const;
export const WORKLOADS = ["trader", "service", "scheduled"] as const;
export type Preset = (typeof PRESETS)[number];
export type Workload = (typeof WORKLOADS)[number];

/** A bot's name is a DNS-1123 label; each workload narrows it further (botNameUses). */
export const BOT_NAME_MAX = 63;

/** Names of the objects a bot gets besides its workload: components/bots/ (workloads.ts, network-policies.ts) builds them. */
export const botObjectNames = (bot: string) => ({
  configMap: `${bot}-config`,
  secret: `${bot}-secrets`,
  /** A scheduled bot's claim, shared by its runs. */
  dataClaim: `${bot}-data`,
  /** The policy for the bot's own egressPorts. */
  egressPolicy: `${bot}-egress`,
  /** The policy admitting a service's clients. */
  clientsPolicy: `${bot}-clients`,
});

type NameRule = "dns1123Label" | "dns1035Label" | "dns1123Subdomain" | "labelValue";

/** One thing a bot's name becomes, and the rule the API server holds it to. */
export interface NameUse {
  /** What the name becomes, for the message. */
  readonly what: string;
  /** The name as it appears there (with the suffix the fleet or a controller adds). */
  readonly value: string;
  readonly rule: NameRule;
  /** A tighter length limit than the rule's own. */
  readonly max?: number;
}

// The API server's rules (k8s.io/apimachinery/pkg/util/validation): DNS-1123 and DNS-1035 labels and
// label values at most 63 characters, DNS-1123 subdomains at most 253.
const NAME_RULES: Record<NameRule, { pattern: RegExp; max: number; text: string }> = {
  dns1123Label: {
    pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    max: 63,
    text: 'a DNS-1123 label (lowercase letters, digits and "-", starting and ending with a letter or digit)',
  },
  dns1035Label: {
    pattern: /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
    max: 63,
    text: 'a DNS-1035 label (lowercase letters, digits and "-", starting with a letter, ending with a letter or digit)',
  },
  dns1123Subdomain: {
    pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    max: 253,
    text: "a DNS-1123 subdomain",
  },
  labelValue: {
    pattern: /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/,
    max: 63,
    text: "a label value",
  },
};

/**
 * The API server's cap on CronJob names (k8s.io/kubernetes pkg/apis/batch/validation): its Jobs are
 * named `<cronjob>-<scheduled minute>`, and a Job's name is a label value on its pods.
 */
export const CRONJOB_NAME_MAX = 52;
/** The longest hash a StatefulSet controller appends for its `controller-revision-hash` pod label. */
const REVISION_HASH = "0123456789";

/**
 * Every object and label a bot's name becomes, per workload, with the API server's rule for each
 * (components/bots/workloads.ts, network-policies.ts and index.ts build them; test/bots/fleet.test.ts checks this list is whole).
 */
export function botNameUses(name: string, workload: Workload): NameUse[] {
  const objects = botObjectNames(name);
  const uses: NameUse[] = [
    { what: "the labels botfleet.io/bot and app.kubernetes.io/instance", value: name, rule: "labelValue" },
    { what: "its ConfigMap", value: objects.configMap, rule: "dns1123Subdomain" },
    { what: "its Secret", value: objects.secret, rule: "dns1123Subdomain" },
    { what: "its egress NetworkPolicy", value: objects.egressPolicy, rule: "dns1123Subdomain" },
  ];
  if (workload === "trader") {
    uses.push(
      { what: "its StatefulSet", value: name, rule: "dns1123Subdomain" },
      { what: "its pod, whose name is its hostname", value: `${name}-0`, rule: "dns1123Label" },
      {
        what: 'its pods\' controller-revision-hash label (the name, "-" and a hash of up to 10 characters)',
        value: `${name}-${REVISION_HASH}`,
        rule: "labelValue",
      },
    );
  } else if (workload === "service") {
    uses.push(
      { what: "its Service", value: name, rule: "dns1035Label" },
      {
        what: "its Deployment, HorizontalPodAutoscaler and PodDisruptionBudget",
        value: name,
        rule: "dns1123Subdomain",
      },
      { what: "its clients NetworkPolicy", value: objects.clientsPolicy, rule: "dns1123Subdomain" },
    );
  } else {
    uses.push(
      {
        what: 'its CronJob, whose Jobs are named "<name>-<scheduled minute>"',
        value: name,
        rule: "dns1123Subdomain",
        max: CRONJOB_NAME_MAX,
      },
      { what: "its data PersistentVolumeClaim", value: objects.dataClaim, rule: "dns1123Subdomain" },
    );
  }
  return uses;
}

export const isLabel = (name: string) =>
  NAME_RULES.dns1123Label.pattern.test(name) && name.length <= NAME_RULES.dns1123Label.max;

/** Why a bot's name does not suit what it becomes, as "<rule>, got <name>; <fix>"; undefined if it does. */
export function botNameProblem(name: string, workload: Workload): string | undefined {
  for (const use of botNameUses(name, workload)) {
    const rule = NAME_RULES[use.rule];
    const max = use.max ?? rule.max;
    const extra = use.value.length - name.length;
    if (!rule.pattern.test(use.value)) {
      const fix =
        use.rule === "dns1035Label" && /^[0-9]/.test(name)
          ? `rename it to start with a letter, e.g. ${show(`bot-${name}`)}`
          : "rename it";
      return `must suit ${use.what}, which must be ${rule.text}, got ${show(name)}; ${fix}`;
    }
    if (use.value.length > max) {
      return `must be at most ${max - extra} characters for a ${workload === "scheduled" ? "scheduled bot" : workload}: it becomes ${use.what}, which must be ${rule.text} of at most ${max} characters, got ${show(name)} (${name.length} characters); shorten it`;
    }
  }
  return undefined;
}
