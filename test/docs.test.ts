/**
 * docs/runbooks.md against the alert rules: every alert the PrometheusRule renders links to a section that
 * exists (the anchor GitHub gives the heading equals the runbook_url fragment), no section describes an
 * alert that does not exist, each section states the rule's real severity and `for`, and every in-page or
 * cross-document anchor link in docs/ resolves. README.md against the program: the stack table's bots, the
 * per-bot ConfigMap/Secret table and the bots' egress table against what every stack registers, the
 * config-error example against the loader, the data-layer reference against the Redis and Postgres schemas,
 * `monitoring.enabled: false` against what the monitoring namespace holds, Layout against `git ls-files`.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ConfigError, parseStackConfig } from "../config";
import { monitoringSchema } from "../config/monitoring";
import { postgresSchema } from "../config/postgres";
import { redisSchema } from "../config/redis";
import { loadStack, readStackFile } from "../lib/stackfile";
import { ALERT_GROUPS } from "../components/monitoring/alert-rules";
import { renderAlertGroups, type RenderedRule } from "../components/monitoring/rules";
import { kindOf, nameOf, namespaceOf, ofKind, selects, workloads, type Obj } from "./support/k8s";
import { REPO, runConfig, runStackFile, STACKS, type StackRun } from "./support/stacks";

const DOCS = path.join(__dirname, "..", "docs");
const RUNBOOKS = path.join(DOCS, "runbooks.md");

interface Heading {
  level: number;
  text: string;
  anchor: string;
  /** Lines after the heading up to the next heading of the same or a higher level. */
  body: string[];
}

/** GitHub's heading slug (github-slugger): lower case, punctuation dropped, spaces to "-". */
function githubSlug(text: string): string {
  const plain = text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1") // links keep their text
    .replace(/[`*]/g, "");
  return plain
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** ATX headings outside fenced code blocks, with GitHub's anchors (duplicates get -1, -2, ...). */
function parseHeadings(markdown: string): Heading[] {
  const headings: Heading[] = [];
  const seen = new Map<string, number>();
  let fence: string | undefined;
  let current: Heading | undefined;
  const open: Heading[] = [];
  for (const line of markdown.split("\n")) {
    const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceMatch) {
      const marker = fenceMatch[1];
      if (fence === undefined) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
    }
    const m = fence === undefined && !fenceMatch ? /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line) : null;
    if (m) {
      const base = githubSlug(m[2]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      current = { level: m[1].length, text: m[2], anchor: n === 0 ? base : `${base}-${n}`, body: [] };
      // A heading closes every open section of its level or deeper.
      while (open.length > 0 && open[open.length - 1].level >= current.level) open.pop();
      open.push(current);
      headings.push(current);
      continue;
    }
    for (const h of open) h.body.push(line);
  }
  return headings;
}

/** Every rule the stack can render: with TLS, the TLS-only rule too. */
function allRenderedRules(): RenderedRule[] {
  const config = monitoringSchema.parse({});
  return renderAlertGroups({
    namespaces: { bots: "botfleet-bots", data: "botfleet-data", monitoring: "botfleet-monitoring" },
    backupMaxAgeSeconds: 93600,
    runbookBaseUrl: config.runbookBaseUrl,
    tls: true,
  }).flatMap((g) => g.rules);
}

/** The alert sections: every level-3 heading (levels 1 and 2 are the title, conventions and groups). */
function alertSections(headings: Heading[]): Heading[] {
  return headings.filter((h) => h.level === 3);
}

/** Checks a runbook text against the rules; returns every problem found (empty = consistent). */
function runbookProblems(markdown: string, rules: readonly RenderedRule[]): string[] {
  const problems: string[] = [];
  const headings = parseHeadings(markdown);
  const sections = alertSections(headings);
  const byAnchor = new Map(sections.map((s) => [s.anchor, s]));
  const fragments = new Set<string>();
  const source = new Map(ALERT_GROUPS.flatMap((g) => g.rules).map((r) => [r.alert, r]));

  for (const rule of rules) {
    const url = new URL(rule.annotations.runbook_url);
    const fragment = decodeURIComponent(url.hash.replace(/^#/, ""));
    fragments.add(fragment);
    if (!url.pathname.endsWith("/docs/runbooks.md")) {
      problems.push(`${rule.alert}: runbook_url ${url.href} does not point at docs/runbooks.md`);
    }
    const section = byAnchor.get(fragment);
    if (section === undefined) {
      problems.push(`${rule.alert}: no "###" section with anchor #${fragment}`);
      continue;
    }
    if (section.text !== rule.alert) {
      problems.push(`${rule.alert}: section #${fragment} is titled "${section.text}"`);
    }
    const text = section.body.join("\n");
    const intro = section.body.find((l) => l.trim() !== "") ?? "";
    const severity = source.get(rule.alert)?.severity ?? rule.labels.severity;
    const expected = severity === "critical" || severity === "warning" ? [severity] : ["critical", "warning"];
    for (const s of expected) {
      if (!intro.includes(`\`${s}\``)) problems.push(`${rule.alert}: first line does not state \`${s}\``);
    }
    const forText = rule.for === undefined ? "no `for`" : `for ${rule.for}`;
    if (!intro.includes(forText)) problems.push(`${rule.alert}: first line does not say "${forText}"`);
    for (const part of ["**Fired:**", "**Why it matters:**", "**Confirm:**", "**Act:**"]) {
      if (!text.includes(part)) problems.push(`${rule.alert}: section lacks ${part}`);
    }
  }
  for (const s of sections) {
    if (!fragments.has(s.anchor)) problems.push(`section "${s.text}" (#${s.anchor}) is for no alert`);
  }
  return problems;
}

/** Anchor links ([x](#a), [x](runbooks.md#a), [x](operations.md#a)) that point at no heading. */
function brokenAnchorLinks(files: Record<string, string>): string[] {
  const anchors = new Map(
    Object.entries(files).map(([name, md]) => [name, new Set(parseHeadings(md).map((h) => h.anchor))]),
  );
  const broken: string[] = [];
  for (const [name, md] of Object.entries(files)) {
    for (const m of md.matchAll(/\]\(([\w.-]*\.md)?#([^)\s]+)\)/g)) {
      const target = m[1] ?? name;
      if (!anchors.get(target)?.has(m[2])) broken.push(`${name}: link to ${target}#${m[2]}`);
    }
  }
  return broken;
}

describe("docs/runbooks.md", () => {
  const markdown = fs.readFileSync(RUNBOOKS, "utf8");
  const rules = allRenderedRules();

  test("the slugger and parser follow GitHub: punctuation, duplicates, code fences", () => {
    expect(githubSlug("BotDown")).toBe("botdown");
    expect(githubSlug("Before you touch `anything`!")).toBe("before-you-touch-anything");
    const hs = parseHeadings("# A\n```sh\n# not a heading\n```\n## A\n### Redis_x\n");
    expect(hs.map((h) => h.anchor)).toEqual(["a", "a-1", "redis_x"]);
  });

  test("every alert has a section whose anchor is its runbook_url fragment, and no section is spare", () => {
    expect(rules.length).toBeGreaterThanOrEqual(20);
    expect(runbookProblems(markdown, rules)).toEqual([]);
    const sections = alertSections(parseHeadings(markdown)).map((s) => s.text);
    expect(sections.sort()).toEqual(rules.map((r) => r.alert).sort());
  });

  test("the check fails on a renamed heading, a missing alert and an extra section", () => {
    const renamed = markdown.replace(/^### BotDown$/m, "### BotIsDown");
    expect(renamed).not.toBe(markdown);
    expect(runbookProblems(renamed, rules)).toEqual([
      'BotDown: no "###" section with anchor #botdown',
      'section "BotIsDown" (#botisdown) is for no alert',
    ]);
    const extra = `${markdown}\n### RedisOnFire\n\n\`critical\` · for 1m\n`;
    expect(runbookProblems(extra, rules)).toEqual(['section "RedisOnFire" (#redisonfire) is for no alert']);
    const duplicated = `${markdown}\n### BotDown\n`;
    expect(runbookProblems(duplicated, rules)).toEqual(['section "BotDown" (#botdown-1) is for no alert']);
    const newRule: RenderedRule = {
      ...rules[0],
      alert: "BotOnFire",
      annotations: { ...rules[0].annotations, runbook_url: rules[0].annotations.runbook_url + "onfire" },
    };
    expect(runbookProblems(markdown, [...rules, newRule])).toContain(
      'BotOnFire: no "###" section with anchor #botdownonfire',
    );
  });

  test("the check fails when a section misstates severity or for", () => {
    const wrong = markdown.replace(
      "`warning` · for 10m · `kube_pod_status_ready",
      "`critical` · for 5m · `kube_pod_status_ready",
    );
    expect(wrong).not.toBe(markdown);
    expect(runbookProblems(wrong, rules)).toEqual([
      "BotNotReady: first line does not state `warning`",
      'BotNotReady: first line does not say "for 10m"',
    ]);
  });

  test("anchor links inside docs/ resolve", () => {
    const files = Object.fromEntries(
      fs
        .readdirSync(DOCS)
        .filter((f) => f.endsWith(".md"))
        .map((f) => [f, fs.readFileSync(path.join(DOCS, f), "utf8")]),
    );
    expect(Object.keys(files)).toEqual(expect.arrayContaining(["runbooks.md", "operations.md"]));
    expect(brokenAnchorLinks(files)).toEqual([]);
    expect(brokenAnchorLinks({ "x.md": "# Real\n[a](#real) [b](#missing)" })).toEqual([
      "x.md: link to x.md#missing",
    ]);
  });
});

// ---------------------------------------------------------------- README.md

const README = path.join(REPO, "README.md");

/** The body of the README section with this heading (any level), up to the next heading of its level. */
function readmeSection(markdown: string, title: string): string {
  const found = parseHeadings(markdown).filter((h) => h.text === title);
  if (found.length !== 1) throw new Error(`README: ${found.length} sections titled "${title}"`);
  return found[0].body.join("\n");
}

/** Cells of a Markdown table's body rows; `\|` inside a cell stays in it. */
function tableRows(text: string, header: string): string[][] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(header));
  if (start < 0) throw new Error(`README: no table with header ${header}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .slice(1, line.endsWith("|") ? -1 : undefined)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

/** The `code` spans of a text. */
const codeSpans = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

/** The contents of the fenced code blocks of a text, with their info strings. */
function codeBlocks(text: string): { info: string; body: string }[] {
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ info: m[1], body: m[2] }));
}

/** Every leaf key path of a zod object schema (`resources.requests.cpu`), through defaults and optionals. */
function schemaLeaves(schema: unknown, prefix = ""): string[] {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const def = (schema as any)._zod.def;
  if (def.type === "object") {
    return Object.entries(def.shape as Record<string, unknown>).flatMap(([k, s]) =>
      schemaLeaves(s, prefix ? `${prefix}.${k}` : k),
    );
  }
  if (def.innerType !== undefined) return schemaLeaves(def.innerType, prefix);
  if (def.type === "pipe") return schemaLeaves(def.in, prefix);
  return [prefix];
}

/** "UDP 53, TCP 53", "TCP 443, 8443, 9443" or "any port": a NetworkPolicy rule's ports as the README writes them. */
function portsText(ports: Obj[] | undefined): string {
  if (ports === undefined || ports.length === 0) return "any port";
  let text = "";
  let last: string | undefined;
  for (const p of ports) {
    const proto = p.protocol ?? "TCP";
    text +=
      last === undefined ? `${proto} ${p.port}` : proto === last ? `, ${p.port}` : `, ${proto} ${p.port}`;
    last = proto;
  }
  return text;
}

/** A NetworkPolicy peer as the README writes it. */
function peerText(peer: Obj, namespaces: Record<string, string>): string {
  if (peer.ipBlock) {
    const except = (peer.ipBlock.except ?? []) as string[];
    return (
      `\`${peer.ipBlock.cidr}\`` +
      (except.length ? ` except ${except.map((c) => `\`${c}\``).join(", ")}` : "")
    );
  }
  const labels = Object.entries((peer.podSelector?.matchLabels ?? {}) as Record<string, string>)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `\`${k}: ${v}\``)
    .join(", ");
  const nsName = peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] ?? namespaces.bots;
  const role = Object.entries(namespaces).find(([, n]) => n === nsName)?.[0];
  return `pods ${labels} in ${role ? `the ${role} namespace` : `\`${nsName}\``}`;
}

/** Which bots a policy applies to, as the README's third column says it. */
function appliesTo(podSelector: Obj): string {
  if (Object.keys(podSelector).length === 0) return "every pod in the namespace";
  if (Object.keys(podSelector.matchLabels ?? {}).some((k) => k.startsWith("botfleet.io/egress-port-")))
    return "the bots that list that port";
  const expressions = (podSelector.matchExpressions ?? []) as Obj[];
  if (expressions.some((e) => e.key === "botfleet.io/bot" && e.operator === "NotIn"))
    return "every bot Cilium does not let out by name";
  if (expressions[0]?.key === "botfleet.io/bot") return "every bot";
  if (podSelector.matchLabels?.["botfleet.io/bot"] !== undefined) return "that bot only";
  return `pods ${JSON.stringify(podSelector)}`;
}

interface EgressRule {
  readonly to: string;
  readonly ports: string;
  readonly from: string;
}

/** Every egress rule of every NetworkPolicy that selects a bot pod in this run. */
function botEgressRules(run: StackRun): EgressRule[] {
  const namespaces = run.outputs.namespaces as Record<string, string>;
  const botPods = workloads(run.resources)
    .filter((w) => w.podLabels["botfleet.io/bot"] !== undefined)
    .map((w) => w.podLabels);
  const policies = ofKind(run.resources, "NetworkPolicy").filter(
    (p) =>
      namespaceOf(p) === namespaces.bots &&
      (p.inputs.spec.policyTypes as string[]).includes("Egress") &&
      botPods.some((labels) => selects(p.inputs.spec.podSelector, labels)),
  );
  return policies.flatMap((p) =>
    ((p.inputs.spec.egress ?? []) as Obj[]).flatMap((rule) =>
      ((rule.to ?? []) as Obj[]).map((peer) => ({
        to: peerText(peer, namespaces),
        ports:
          appliesTo(p.inputs.spec.podSelector) === "the bots that list that port"
            ? "a port of some bot's `egressPorts`"
            : portsText(rule.ports),
        from: appliesTo(p.inputs.spec.podSelector),
      })),
    ),
  );
}

/** A README egress row that states this rule: the peer in its first cell, the exact ports, who gets it. */
const rowFor = (rows: string[][], rule: EgressRule) =>
  rows.find((r) => r[0].endsWith(rule.to) && r[1] === rule.ports && r[2].startsWith(rule.from));

describe("README.md", () => {
  const markdown = fs.readFileSync(README, "utf8");
  const runs = new Map<string, StackRun>();
  /** dev with monitoring off and a bot with its own egress ports: what no shipped stack shows. */
  let variant: StackRun;

  beforeAll(async () => {
    // Sequential: the Pulumi runtime is global state.
    for (const stack of STACKS) runs.set(stack, await runStackFile(stack));
    const dev = readStackFile(REPO, "dev");
    const bots = (dev["botfleet:bots"] as Obj[]).map((b) =>
      // A bot dev's fqdn egress leaves on address rules (a custom one without egressHosts).
      b.name === "signal-api" ? { ...b, egressPorts: [5001, 5002] } : b,
    );
    variant = await runConfig("dev", {
      ...dev,
      "botfleet:monitoring": { ...(dev["botfleet:monitoring"] as Obj), enabled: false },
      "botfleet:bots": bots,
    });
  });

  test("the stack table names every stack file and exactly the bots each one deploys", () => {
    const rows = tableRows(readmeSection(markdown, "Stacks"), "| stack |");
    expect(rows.map((r) => codeSpans(r[0])[0]).sort()).toEqual([...STACKS].sort());
    for (const row of rows) {
      const stack = codeSpans(row[0])[0];
      const registered = [
        ...new Set(
          workloads(runs.get(stack)!.resources)
            .map((w) => w.podLabels["botfleet.io/bot"])
            .filter((b): b is string => b !== undefined),
        ),
      ].sort();
      const listed = codeSpans(row[3]).sort();
      expect({ stack, bots: listed }).toEqual({ stack, bots: registered });
      expect(listed.length).toBeGreaterThan(0);
    }
  });

  test("the per-bot ConfigMap and Secret table holds for every bot of every shipped stack", () => {
    const rows = tableRows(readmeSection(markdown, "Bots"), "| preset, workload |");
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const ruleFor = (preset: string, workload: string) => {
      const matching = rows.filter((r) => {
        const [p, ...rest] = r[0].split(/,?\s+(?:or\s+)?/);
        return p === preset && rest.includes(workload);
      });
      expect({ preset, workload, rows: matching.length }).toEqual({ preset, workload, rows: 1 });
      return matching[0];
    };
    const rule = (cell: string, hasBotSecrets: boolean, hasEnv: boolean): boolean => {
      if (cell.startsWith("yes")) return true;
      if (cell.startsWith("no")) return false;
      if (cell.startsWith("only when `botSecrets` gives it keys")) return hasBotSecrets;
      if (cell.startsWith("only when it has `custom.env`")) return hasEnv;
      throw new Error(`README: cannot read "${cell}"`);
    };
    let checked = 0;
    for (const [stack, run] of runs) {
      const botSecrets = JSON.parse(run.stack.values["botfleet:botSecrets"] ?? "{}") as Record<string, Obj>;
      const namespaces = run.outputs.namespaces as Record<string, string>;
      for (const bot of parseStackConfig(run.stack, stack).bots) {
        const row = ruleFor(bot.preset, bot.workload);
        const hasBotSecrets = Object.keys(botSecrets[bot.name] ?? {}).length > 0;
        const hasEnv = Object.keys(bot.custom?.env ?? {}).length > 0;
        const own = (kind: string) =>
          ofKind(run.resources, kind)
            .filter((r) => namespaceOf(r) === namespaces.bots)
            .filter((r) => r.inputs.metadata?.labels?.["botfleet.io/bot"] === bot.name)
            .map(nameOf);
        expect({ stack, bot: bot.name, configMaps: own("ConfigMap"), secrets: own("Secret") }).toEqual({
          stack,
          bot: bot.name,
          configMaps: rule(row[1], hasBotSecrets, hasEnv) ? [`${bot.name}-config`] : [],
          secrets: rule(row[2], hasBotSecrets, hasEnv) ? [`${bot.name}-secrets`] : [],
        });
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  test("the bots' egress table lists every egress rule the program renders for bots, and no other", () => {
    const rows = tableRows(readmeSection(markdown, "Bots"), "| to | ports |");
    const rendered = [...runs.values(), variant].flatMap(botEgressRules);
    const unlisted = rendered.filter((rule) => rowFor(rows, rule) === undefined);
    expect(unlisted).toEqual([]);
    const unused = rows.filter((row) => !rendered.some((rule) => rowFor([row], rule) !== undefined));
    expect(unused).toEqual([]);
    // The check reads what it should: a rule the README lacks is caught.
    const extra: EgressRule = {
      to: "pods `app.kubernetes.io/name: vault` in the data namespace",
      ports: "TCP 8200",
      from: "every bot",
    };
    expect(rowFor(rows, extra)).toBeUndefined();
    expect(rowFor(rows, { ...rendered[0], ports: "TCP 1" })).toBeUndefined();
  });

  test("the config-error example is exactly what the loader prints for the stack file shown", () => {
    const blocks = codeBlocks(readmeSection(markdown, "Configuration reference"));
    const file = blocks.find((b) => b.info === "yaml" && b.body.startsWith("config:"));
    const shown = blocks.find((b) => b.info === "" && b.body.startsWith("botfleet: the stack config has"));
    expect(file).toBeDefined();
    expect(shown).toBeDefined();
    const loaded = loadStack("dev", parse(file!.body).config, { withRequiredSecrets: false });
    let message = "";
    try {
      parseStackConfig(loaded, "dev");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toBe(shown!.body.replace(/\n$/, ""));
  });

  test.each([
    ["botfleet:redis", redisSchema],
    ["botfleet:postgres", postgresSchema],
  ])(
    "every key of %s, down to resources and backup, is in its reference table, and no other",
    (key, schema) => {
      const rows = tableRows(readmeSection(markdown, "Data layer"), `| \`${key}\` field |`);
      const documented = rows.flatMap((r) => codeSpans(r[0])).sort();
      const leaves = schemaLeaves(schema).sort();
      expect(leaves).toEqual(expect.arrayContaining(["resources.requests.cpu", "resources.limits.memory"]));
      expect(documented).toEqual(leaves);
    },
  );

  test("monitoring.enabled: false: the monitoring namespace holds exactly what the README says", () => {
    const namespaces = variant.outputs.namespaces as Record<string, string>;
    const inMonitoring = variant.resources
      .filter((r) => r.type.startsWith("kubernetes:"))
      .filter(
        (r) =>
          namespaceOf(r) === namespaces.monitoring ||
          r.inputs.namespace === namespaces.monitoring ||
          (kindOf(r) === "Namespace" && nameOf(r) === namespaces.monitoring),
      )
      .map((r) => ({ kind: kindOf(r), name: nameOf(r) }));
    expect(inMonitoring.map((o) => o.kind)).toContain("Namespace");
    expect(workloads(variant.resources).filter((w) => w.namespace === namespaces.monitoring)).toEqual([]);
    expect(variant.outputs.grafanaAdminPassword).toBeUndefined();
    const row = tableRows(readmeSection(markdown, "Monitoring and alerts"), "| field |").find(
      (r) => r[0] === "`enabled`",
    )!;
    expect(row[2]).toMatch(/still creates the monitoring namespace/);
    const named = codeSpans(row[2]);
    const undocumented = inMonitoring.filter(
      (o) => o.kind !== "Namespace" && !(named.includes(o.name) && row[2].includes(o.kind)),
    );
    expect(undocumented).toEqual([]);
    expect(inMonitoring.length).toBe(5);
  });

  test("the Layout section lists every top-level folder and every top-level file kind git tracks", () => {
    const block = codeBlocks(readmeSection(markdown, "Layout"))[0].body;
    const entries = block
      .split("\n")
      .map((l) => /^([^\s,]+(?:, [^\s,]+)*)/.exec(l)?.[1])
      .filter((e): e is string => e !== undefined)
      .flatMap((e) => e.split(", "));
    const pattern = (entry: string) =>
      new RegExp(`^${entry.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/<[a-z]+>/g, "[^/]+")}$`);
    const tracked = execFileSync("git", ["ls-files"], { cwd: REPO, encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
    const dirs = [...new Set(tracked.filter((f) => f.includes("/")).map((f) => f.split("/")[0]))];
    const files = tracked.filter((f) => !f.includes("/"));
    expect(dirs).toEqual(expect.arrayContaining(["lib", "bench", ".ci", "e2e", "components", "test"]));
    expect(dirs.filter((d) => !entries.some((e) => e.startsWith(`${d}/`)))).toEqual([]);
    expect(files.filter((f) => !entries.some((e) => pattern(e).test(f)))).toEqual([]);
    // A folder or file the section does not name is caught.
    expect(entries.some((e) => e.startsWith("vendor/"))).toBe(false);
    expect(entries.some((e) => pattern(e).test("Makefile"))).toBe(false);
    expect(entries.some((e) => pattern(e).test("Pulumi.staging.yaml"))).toBe(true);
  });
});
