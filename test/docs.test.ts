/**
 * docs/runbooks.md against the alert rules: every alert the PrometheusRule renders links to a section that
 * exists (the anchor GitHub gives the heading equals the runbook_url fragment), no section describes an
 * alert that does not exist, each section states the rule's real severity and `for`, and every in-page or
 * cross-document anchor link in docs/ resolves.
 */
import * as fs from "fs";
import * as path from "path";
import { monitoringSchema } from "../config/monitoring";
import { ALERT_GROUPS } from "../components/monitoring/alert-rules";
import { renderAlertGroups, type RenderedRule } from "../components/monitoring/rules";

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
