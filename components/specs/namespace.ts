import type * as k8s from "@pulumi/kubernetes";
import type { PlatformConfig } from "../../config/platform";

export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/** Pod Security Admission labels: enforce the level; audit and warn at restricted to surface drift. */
export function podSecurityLabels(enforce: PodSecurityLevel): Record<string, string> {
  return {
    "pod-security.kubernetes.io/enforce": enforce,
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
  };
}

type Quota = PlatformConfig["quotas"]["bots"];

export function resourceQuotaSpec(q: Quota): k8s.types.input.core.v1.ResourceQuotaSpec {
  return {
    hard: {
      "requests.cpu": q.requestsCpu,
      "requests.memory": q.requestsMemory,
      "limits.memory": q.limitsMemory,
      "requests.storage": q.storage,
      pods: String(q.pods),
      persistentvolumeclaims: String(q.persistentVolumeClaims),
      // Only declared LoadBalancers cost money; none are created by default.
      "services.loadbalancers": "0",
      "services.nodeports": "0",
    },
  };
}

/**
 * Defaults for containers that declare no resources: a quota on requests/limits rejects such pods
 * outright otherwise (Helm charts often leave an init container bare).
 */
export function limitRangeSpec(
  d: PlatformConfig["containerDefaults"],
): k8s.types.input.core.v1.LimitRangeSpec {
  return {
    limits: [
      {
        type: "Container",
        defaultRequest: { ...d.requests },
        default: { ...d.limits },
      },
    ],
  };
}
