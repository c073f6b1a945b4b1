/**
 * The namespaces' ResourceQuotas against what the fleet asks for. A quota that is too small does not
 * fail `pulumi up`: the API server rejects the pods one by one and bots silently never start. So the
 * program checks it before anything is created, with HPAs at their maximum and the LimitRange
 * defaults the API server would apply to containers that declare nothing.
 */
import type { NamespaceRole, PlatformConfig } from "../config/platform";
import { bytes, cpuMillis } from "../config/common";
import { fmtCpu, fmtGiB, type Inventory } from "./capacity";

interface NamespaceDemand {
  cpuMillis: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  pods: number;
  storageBytes: number;
  claims: number;
}

/** Per-namespace totals; `nodes` is how many nodes DaemonSet pods land on (undefined: not counted). */
export function namespaceDemand(inv: Inventory, nodes: number | undefined): Map<string, NamespaceDemand> {
  const byNs = new Map<string, NamespaceDemand>();
  const get = (ns: string) => {
    if (!byNs.has(ns))
      byNs.set(ns, {
        cpuMillis: 0,
        memoryBytes: 0,
        memoryLimitBytes: 0,
        pods: 0,
        storageBytes: 0,
        claims: 0,
      });
    return byNs.get(ns)!;
  };
  for (const w of inv.workloads) {
    const pods = w.perNode ? (nodes ?? 0) : w.podsMax;
    const d = get(w.namespace);
    d.cpuMillis += w.pod.requests.cpuMillis * pods;
    d.memoryBytes += w.pod.requests.memoryBytes * pods;
    d.memoryLimitBytes += w.pod.limits.memoryBytes * pods;
    d.pods += pods;
  }
  for (const v of inv.volumes) {
    const d = get(v.namespace);
    d.storageBytes += v.bytes * v.count;
    d.claims += v.count;
  }
  return byNs;
}

/** One problem per quota the fleet exceeds, naming the key to raise. */
export function quotaProblems(
  inv: Inventory,
  platform: Pick<PlatformConfig, "namespaces" | "quotas">,
  nodes: number | undefined,
): string[] {
  const demand = namespaceDemand(inv, nodes);
  const problems: string[] = [];
  for (const role of Object.keys(platform.namespaces) as NamespaceRole[]) {
    const ns = platform.namespaces[role];
    const d = demand.get(ns);
    if (!d) continue;
    const q = platform.quotas[role];
    const key = `botfleet:platform.quotas.${role}`;
    const over = (field: string, need: string, have: string) =>
      problems.push(
        `${key}.${field}: namespace ${ns} needs ${need} (HPAs at max), more than the quota's ${have}; raise it or shrink the fleet`,
      );
    if (d.cpuMillis > cpuMillis(q.requestsCpu))
      over("requestsCpu", `${fmtCpu(d.cpuMillis)} vCPU of requests`, q.requestsCpu);
    if (d.memoryBytes > bytes(q.requestsMemory))
      over("requestsMemory", `${fmtGiB(d.memoryBytes)} GiB of memory requests`, q.requestsMemory);
    if (d.memoryLimitBytes > bytes(q.limitsMemory))
      over("limitsMemory", `${fmtGiB(d.memoryLimitBytes)} GiB of memory limits`, q.limitsMemory);
    if (d.pods > q.pods) over("pods", `${d.pods} pods`, String(q.pods));
    if (d.storageBytes > bytes(q.storage))
      over("storage", `${fmtGiB(d.storageBytes)} GiB of volumes`, q.storage);
    if (d.claims > q.persistentVolumeClaims)
      over("persistentVolumeClaims", `${d.claims} volume claims`, String(q.persistentVolumeClaims));
  }
  return problems;
}
