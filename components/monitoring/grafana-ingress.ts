import type * as k8s from "@pulumi/kubernetes";
import { GRAFANA_SERVICE } from "./values";

export const GRAFANA_TLS_SECRET = "grafana-tls";

export interface GrafanaIngressArgs {
  readonly host: string;
  readonly clusterIssuer: string;
  readonly className: string;
}

/** Annotations of the Grafana Ingress: cert-manager issues the certificate into GRAFANA_TLS_SECRET. */
export function grafanaIngressAnnotations(args: GrafanaIngressArgs): Record<string, string> {
  return { "cert-manager.io/cluster-issuer": args.clusterIssuer };
}

/** Grafana behind the ingress controller, HTTPS only (the Service is the chart's `kps-grafana`, port 80). */
export function grafanaIngressSpec(args: GrafanaIngressArgs): k8s.types.input.networking.v1.IngressSpec {
  return {
    ingressClassName: args.className,
    tls: [{ hosts: [args.host], secretName: GRAFANA_TLS_SECRET }],
    rules: [
      {
        host: args.host,
        http: {
          paths: [
            {
              path: "/",
              pathType: "Prefix",
              backend: { service: { name: GRAFANA_SERVICE, port: { number: 80 } } },
            },
          ],
        },
      },
    ],
  };
}
