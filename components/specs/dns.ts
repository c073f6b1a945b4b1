/** In-cluster DNS names. */

/** The DNS name of a Service: resolvable from any namespace. */
export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}
