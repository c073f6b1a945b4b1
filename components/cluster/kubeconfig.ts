import { toYaml } from "../specs/yaml";

/** The exec credential API doctl answers (`--version=v1beta1`), as client-go's exec plugins name it. */
export const EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1";

export interface DoctlKubeconfigArgs {
  readonly clusterName: string;
  /** The DOKS cluster's id (a UUID): doctl's `exec-credential` takes the id, not the name. */
  readonly clusterId: string;
  readonly server: string;
  /** Base64 PEM of the cluster CA, as the cloud returns it. */
  readonly caCertificateBase64: string;
}

/**
 * A kubeconfig for people that holds no credential at all: kubectl runs
 * `doctl kubernetes cluster kubeconfig exec-credential --version=v1beta1 <cluster-id>` (doctl's hidden
 * command, digitalocean/doctl commands/kubernetes.go), which fetches a short-lived token with the
 * holder's own `doctl auth` login and caches it until it expires. Pure.
 */
export function doctlExecKubeconfig(args: DoctlKubeconfigArgs): string {
  const user = `${args.clusterName}-doctl`;
  // client-go reads kubeconfigs as YAML 1.1: strings such as "on" stay quoted.
  return toYaml({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: args.clusterName,
        cluster: { server: args.server, "certificate-authority-data": args.caCertificateBase64 },
      },
    ],
    users: [
      {
        name: user,
        user: {
          exec: {
            apiVersion: EXEC_API_VERSION,
            command: "doctl",
            args: [
              "kubernetes",
              "cluster",
              "kubeconfig",
              "exec-credential",
              "--version=v1beta1",
              args.clusterId,
            ],
          },
        },
      },
    ],
    contexts: [{ name: args.clusterName, context: { cluster: args.clusterName, user } }],
    "current-context": args.clusterName,
  });
}

/** LKE returns its kubeconfig base64-encoded. */
export function decodeBase64Kubeconfig(encoded: string): string {
  const text = Buffer.from(encoded, "base64").toString("utf8");
  if (!/\bapiVersion:/.test(text)) throw new Error("the cluster's kubeconfig did not decode to a kubeconfig");
  return text;
}
