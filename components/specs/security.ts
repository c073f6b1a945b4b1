import type * as k8s from "@pulumi/kubernetes";

type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;

/** Pod-level context for the `restricted` Pod Security Standard (docs/hardening.md #3, #4, #21). */
export function restrictedPodSecurityContext(uid: number, gid: number = uid): PodSecurityContext {
  if (!Number.isInteger(uid) || uid <= 0) throw new Error(`runAsUser must be a non-zero integer, got ${uid}`);
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    fsGroup: gid,
    // Only chown a volume when its root is wrong: a large PVC is not walked on every start.
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Container-level context: no escalation, no capabilities, read-only root (items 2, 4, 5, 8). */
export function restrictedContainerSecurityContext(uid: number, gid: number = uid): SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}
