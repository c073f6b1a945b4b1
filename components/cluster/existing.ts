import * as fs from "fs";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ExistingClusterConfig } from "../../config/cluster";
import { PROVIDER_SETTINGS, type ClusterOutputs } from "./types";

export interface ExistingClusterArgs {
  readonly clusterName: string;
  readonly config: ExistingClusterConfig;
}

/** Any cluster you already have (kind, minikube, k3d, a cloud cluster) through a kubeconfig. */
export class ExistingCluster extends pulumi.ComponentResource implements ClusterOutputs {
  readonly provider: k8s.Provider;
  readonly kubeconfig: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly clusterId: pulumi.Output<string>;
  readonly kubernetesVersion: pulumi.Output<string>;
  /** Unknown: a kind or minikube API server sits on a private address the policies already allow. */
  readonly apiServerCidrs: pulumi.Output<string[]>;

  constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("botfleet:cluster:Existing", name, {}, opts);
    const { path: file, context } = args.config.kubeconfig ?? {};
    // The provider gets the file's path, never its contents: the state checkpoint then holds a path and a
    // context name, and the credentials stay in the file (the provider reads it on each run). With no
    // path it reads the ambient kubeconfig ($KUBECONFIG or ~/.kube/config) itself.
    const kubeconfigPath = file === undefined ? undefined : resolveKubeconfigPath(file);
    // Nothing to hand out: whoever runs Pulumi already holds the kubeconfig.
    this.kubeconfig = pulumi.secret("");
    this.clusterName = pulumi.output(args.clusterName);
    // A stable identity: rotating the kubeconfig's credentials must not replace every resource.
    this.clusterId = pulumi.output(`existing/${context ?? "current-context"}`);
    this.kubernetesVersion = pulumi.output("existing");
    this.apiServerCidrs = pulumi.output([]);
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: kubeconfigPath, context, clusterIdentifier: this.clusterId, ...PROVIDER_SETTINGS },
      { parent: this },
    );
    this.registerOutputs({ clusterName: this.clusterName, clusterId: this.clusterId });
  }
}

/**
 * The absolute path of `cluster.kubeconfig.path` ("~/" expanded, relative paths from the project
 * directory), checked to exist so a typo fails before anything is created.
 */
export function resolveKubeconfigPath(file: string): string {
  const resolved = path.resolve(file.replace(/^~(?=\/)/, process.env.HOME ?? "~"));
  if (!fs.existsSync(resolved)) {
    throw new Error(
      `botfleet:cluster.kubeconfig.path: file not found, got "${file}"; point it at a kubeconfig (kind: "kind get kubeconfig > ~/.kube/kind") or remove it to use the ambient one`,
    );
  }
  return resolved;
}
