import type * as k8s from "@pulumi/kubernetes";

/** A ServiceAccount for pods that never call the Kubernetes API: no token is mounted. */
export function tokenlessServiceAccount(
  name: string,
  namespace: string,
  labels: Record<string, string>,
): k8s.types.input.core.v1.ServiceAccount {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name, namespace, labels },
    automountServiceAccountToken: false,
  };
}
