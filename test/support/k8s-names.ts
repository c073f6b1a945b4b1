/**
 * The API server's name rules, per kind, and the names controllers derive from an object's name, written
 * here independently of config/bot-names.ts so that each can check the other. Sources (Kubernetes 1.33):
 * k8s.io/apimachinery/pkg/util/validation (label, subdomain, label-value rules), pkg/apis/core/validation
 * (a Service's name is a DNS-1035 label), pkg/apis/batch/validation (a CronJob's name is at most 52
 * characters), the StatefulSet controller (pods `<name>-<ordinal>`, whose name is their hostname; label
 * `controller-revision-hash: <name>-<hash>`, the hash up to 10 characters), the Deployment controller
 * (ReplicaSets `<name>-<hash>`).
 */
import { kindOf, type Obj } from "./k8s";
import type { RegisteredResource } from "../../lib/mockrun";

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

const isLabel = (s: string) => LABEL.test(s) && s.length <= 63;
const isDns1035 = (s: string) => DNS1035.test(s) && s.length <= 63;
const isSubdomain = (s: string) => s.length <= 253 && s.split(".").every((part) => LABEL.test(part));
const isLabelValue = (s: string) => LABEL_VALUE.test(s) && s.length <= 63;

/** The longest hash the StatefulSet and Deployment controllers append (a 32-bit hash, safe-encoded). */
const HASH = "x".repeat(10);

function labelsIn(value: unknown, out: Record<string, string>[] = []): Record<string, string>[] {
  if (Array.isArray(value)) value.forEach((v) => labelsIn(v, out));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value as Obj)) {
      if ((k === "labels" || k === "matchLabels") && v !== null && typeof v === "object") out.push(v);
      else labelsIn(v, out);
    }
  }
  return out;
}

/** What the API server (or a controller acting on the object) would refuse, one line each. */
export function apiServerNameProblems(r: RegisteredResource): string[] {
  const kind = kindOf(r);
  const name = String((r.inputs.metadata as Obj | undefined)?.name ?? "");
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(`${kind} ${name}: ${what}`);
  };
  check(isSubdomain(name), "name is not a DNS-1123 subdomain");
  if (kind === "Service") check(isDns1035(name), "a Service name must be a DNS-1035 label");
  if (kind === "CronJob") check(name.length <= 52, "a CronJob name must be at most 52 characters");
  if (kind === "StatefulSet") {
    const replicas = Math.max(1, Number(r.inputs.spec?.replicas ?? 1));
    for (let i = 0; i < replicas; i++)
      check(isLabel(`${name}-${i}`), `pod ${name}-${i} is not a DNS-1123 label`);
    check(isLabelValue(`${name}-${HASH}`), "pod label controller-revision-hash would exceed a label value");
  }
  if (kind === "Deployment") check(isSubdomain(`${name}-${HASH}`), "its ReplicaSet name would not be valid");
  for (const labels of labelsIn(r.inputs)) {
    for (const [key, value] of Object.entries(labels)) {
      check(isLabelValue(String(value)), `label ${key}=${JSON.stringify(value)} is not a label value`);
    }
  }
  return problems;
}
