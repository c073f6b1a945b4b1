import { toYaml } from "../specs/yaml";

export interface TokenKubeconfigArgs {
  readonly clusterName: string;
  readonly server: string;
  /** Base64 PEM of the cluster CA, as the clouds return it. */
  readonly caCertificateBase64: string;
  /** Bearer token: on DigitalOcean the API token, which does not expire like the 7-day kubeconfig. */
  readonly token: string;
}

/** A kubeconfig that authenticates with a bearer token. Pure: the caller keeps the result secret. */
export function tokenKubeconfig(args: TokenKubeconfigArgs): string {
  const user = `${args.clusterName}-admin`;
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
    users: [{ name: user, user: { token: args.token } }],
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
