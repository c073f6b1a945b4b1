/** What a node gives the fleet: its size minus reservations, managed agents and DaemonSets. */
import type { NodeSize } from "../../config/catalog";
import type { Resources } from "./pods";
import { GiB, MiB } from "./quantities";

/**
 * CPU and memory a node reserves for the OS, kubelet and container runtime, plus the kubelet's hard
 * eviction threshold. DigitalOcean and Linode do not publish their kube-reserved settings in a form we
 * could cite, so we use GKE's published tiers (cloud.google.com/kubernetes-engine/docs/concepts/
 * plan-node-sizes#memory_and_cpu_reservations), which AKS and several other managed services use too:
 * - memory: 25% of the first 4 GiB, 20% of the next 4 GiB, 10% of the next 8 GiB, 6% of the next
 *   112 GiB, 2% above 128 GiB; plus 100 MiB eviction threshold;
 * - CPU: 6% of the first core, 1% of the second, 0.5% of cores 3-4, 0.25% above 4.
 * Measure a real node (`kubectl describe node`, Allocatable) to calibrate.
 */
export function nodeReserved(size: Pick<NodeSize, "vcpu" | "memoryGiB">): Resources {
  const tiers = (amount: number, steps: [number, number][], rest: number) => {
    let left = amount;
    let reserved = 0;
    for (const [width, rate] of steps) {
      const take = Math.min(left, width);
      reserved += take * rate;
      left -= take;
    }
    return reserved + left * rest;
  };
  const memGiB = tiers(
    size.memoryGiB,
    [
      [4, 0.25],
      [4, 0.2],
      [8, 0.1],
      [112, 0.06],
    ],
    0.02,
  );
  const cores = tiers(
    size.vcpu,
    [
      [1, 0.06],
      [1, 0.01],
      [2, 0.005],
    ],
    0.0025,
  );
  return { cpuMillis: Math.round(cores * 1000), memoryBytes: Math.round(memGiB * GiB + 100 * MiB) };
}

export function nodeAllocatable(size: Pick<NodeSize, "vcpu" | "memoryGiB">): Resources {
  const reserved = nodeReserved(size);
  return {
    cpuMillis: size.vcpu * 1000 - reserved.cpuMillis,
    memoryBytes: size.memoryGiB * GiB - reserved.memoryBytes,
  };
}

/**
 * Pods the managed cloud runs that the program does not render. Estimates, to calibrate on a real
 * cluster with `kubectl describe node`:
 * - per node: CNI agent (Cilium on DOKS, Calico on LKE), kube-proxy or its eBPF replacement, the CSI
 *   node plugin and the cloud's node agent: 300m CPU and 400Mi in all, 4 pods;
 * - per cluster: CoreDNS, 2 replicas of 100m / 70Mi (requests of CoreDNS's upstream Kubernetes
 *   deployment manifest, coredns/deployment kubernetes/coredns.yaml.sed).
 * None of them mounts a block volume.
 */
export const MANAGED_SYSTEM_PODS = {
  perNode: { cpuMillis: 300, memoryBytes: 400 * MiB, pods: 4, volumes: 0 },
  cluster: { cpuMillis: 2 * 100, memoryBytes: 2 * 70 * MiB, pods: 2, volumes: 0 },
} as const;
