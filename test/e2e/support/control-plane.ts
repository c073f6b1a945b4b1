/**
 * A real Kubernetes control plane on 127.0.0.1 for the real-engine suite: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and kwok (fake nodes whose pods turn Running and Ready
 * without a container runtime), all built from Go modules by e2e/build-tools.sh.
 *
 * What is real: the API server's validation and admission (Pod Security, ResourceQuota, LimitRanger,
 * ServiceAccount, the default plugin set), RBAC, every controller (StatefulSet, Deployment, Job,
 * CronJob, garbage collector, endpoints, PV binder, HPA), the scheduler's placement against node
 * allocatable. What is fake: kubelets (kwok sets pod status) and storage (a default StorageClass with
 * pre-created PersistentVolumes the PV binder binds claims to).
 */
import { spawn, type ChildProcess, execFileSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort, LOOPBACK, waitForPort } from "../../support/net";

/** Where e2e/build-tools.sh leaves the tools (links to the cached builds). */
export const TOOLS_BIN = path.join(
  process.env.BOTFLEET_E2E_CACHE ?? path.join(os.homedir(), ".cache", "botfleet", "e2e"),
  "bin",
);

export function tool(name: string): string {
  const file = path.join(TOOLS_BIN, name);
  if (!fs.existsSync(file)) {
    throw new Error(
      `${file} is missing: run "bash e2e/build-tools.sh" first (it builds the real tools from Go modules)`,
    );
  }
  return file;
}

/** A fake node: kwok keeps it Ready; the scheduler sees its allocatable. */
export interface NodeShape {
  readonly name: string;
  readonly cpu: string;
  readonly memory: string;
  readonly pods?: number;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface ControlPlaneOptions {
  /** Default: 3 nodes of 4 vCPU / 8 GiB, a small managed-cloud pool. */
  readonly nodes?: readonly NodeShape[];
  /** Sizes of the PersistentVolumes to pre-create, e.g. `{ "5Gi": 20 }`. */
  readonly volumes?: Readonly<Record<string, number>>;
}

export const STORAGE_CLASS = "standard";

export class ControlPlane {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly context = "botfleet-e2e";
  private readonly procs: { name: string; proc: ChildProcess }[] = [];

  private constructor(dir: string) {
    this.dir = dir;
    this.kubeconfig = path.join(dir, "kubeconfig");
  }

  /** Starts everything and waits until the nodes are Ready and the storage exists. */
  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const cp = new ControlPlane(fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-cp-")));
    try {
      await cp.boot(options);
    } catch (err) {
      await cp.stop();
      throw err;
    }
    return cp;
  }

  private async boot(options: ControlPlaneOptions): Promise<void> {
    const [etcdPort, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const pki = path.join(this.dir, "pki");
    fs.mkdirSync(pki);

    // The API server's own CA and serving certificate, and the ServiceAccount token signing key.
    const ca = path.join(pki, "ca");
    openssl([
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=botfleet-e2e-ca",
      "-keyout",
      `${ca}.key`,
      "-out",
      `${ca}.crt`,
    ]);
    const serving = path.join(pki, "apiserver");
    const ext = path.join(pki, "san.ext");
    fs.writeFileSync(
      ext,
      "subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc\n",
    );
    openssl([
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=kube-apiserver",
      "-keyout",
      `${serving}.key`,
      "-out",
      `${serving}.csr`,
    ]);
    openssl([
      "x509",
      "-req",
      "-in",
      `${serving}.csr`,
      "-CA",
      `${ca}.crt`,
      "-CAkey",
      `${ca}.key`,
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      ext,
      "-out",
      `${serving}.crt`,
    ]);
    const sa = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    fs.writeFileSync(path.join(pki, "sa.key"), sa.privateKey.export({ type: "pkcs1", format: "pem" }));
    fs.writeFileSync(path.join(pki, "sa.pub"), sa.publicKey.export({ type: "spki", format: "pem" }));
    // One admin identity (system:masters) for the test, the controllers and kwok: a static token.
    const token = crypto.randomBytes(24).toString("hex");
    fs.writeFileSync(
      path.join(pki, "tokens.csv"),
      `${token},botfleet-e2e-admin,botfleet-e2e-admin,"system:masters"\n`,
    );
    fs.writeFileSync(
      this.kubeconfig,
      kubeconfigYaml(this.context, `https://${LOOPBACK}:${apiPort}`, `${ca}.crt`, token),
    );

    this.run("etcd", tool("etcd"), [
      "--name",
      "e2e",
      "--data-dir",
      path.join(this.dir, "etcd"),
      "--listen-client-urls",
      `http://${LOOPBACK}:${etcdPort}`,
      "--advertise-client-urls",
      `http://${LOOPBACK}:${etcdPort}`,
      "--listen-peer-urls",
      `http://${LOOPBACK}:${etcdPeer}`,
      "--initial-advertise-peer-urls",
      `http://${LOOPBACK}:${etcdPeer}`,
      "--initial-cluster",
      `e2e=http://${LOOPBACK}:${etcdPeer}`,
      "--listen-metrics-urls",
      "",
      "--unsafe-no-fsync", // a throwaway test store: durability is not under test
    ]);
    await waitForPort(etcdPort, 30000);

    this.run("kube-apiserver", tool("kube-apiserver"), [
      `--etcd-servers=http://${LOOPBACK}:${etcdPort}`,
      `--bind-address=${LOOPBACK}`,
      `--advertise-address=${LOOPBACK}`,
      `--secure-port=${apiPort}`,
      `--tls-cert-file=${serving}.crt`,
      `--tls-private-key-file=${serving}.key`,
      `--client-ca-file=${ca}.crt`,
      `--token-auth-file=${path.join(pki, "tokens.csv")}`,
      "--authorization-mode=Node,RBAC",
      `--service-account-key-file=${path.join(pki, "sa.pub")}`,
      `--service-account-signing-key-file=${path.join(pki, "sa.key")}`,
      "--service-account-issuer=https://kubernetes.default.svc",
      "--service-cluster-ip-range=10.96.0.0/16",
      `--cert-dir=${path.join(this.dir, "apiserver-certs")}`,
      // The default admission set (PodSecurity, LimitRanger, ResourceQuota, ServiceAccount, ...) stays on.
    ]);
    await this.waitHealthy(apiPort);

    const common = [`--kubeconfig=${this.kubeconfig}`, "--leader-elect=false", `--bind-address=${LOOPBACK}`];
    this.run("kube-controller-manager", tool("kube-controller-manager"), [
      ...common,
      `--secure-port=${await freePort()}`,
      `--service-account-private-key-file=${path.join(pki, "sa.key")}`,
      `--root-ca-file=${ca}.crt`,
      "--use-service-account-credentials=false",
      "--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller",
    ]);
    this.run("kube-scheduler", tool("kube-scheduler"), [...common, `--secure-port=${await freePort()}`]);

    const stages = path.join(this.dir, "kwok.yaml");
    fs.writeFileSync(stages, execFileSync(tool("kwok-stages"), { encoding: "utf8" }));
    this.run("kwok", tool("kwok"), [
      `--kubeconfig=${this.kubeconfig}`,
      `--config=${stages}`,
      "--manage-all-nodes=true",
      `--server-address=${LOOPBACK}:${await freePort()}`,
    ]);

    const { nodes, storage } = clusterObjects(options);
    // Plain create, not server-side apply: the node status (allocatable) is part of what we create.
    this.kubectl(["create", "-f", "-"], nodes.map((o) => JSON.stringify(o)).join("\n"));
    this.apply(storage);
    this.kubectl(["wait", "--for=condition=Ready", "node", "--all", "--timeout=120s"]);
    // The "default" ServiceAccount in every namespace comes from the controller manager.
    await until(
      () => this.kubectlOk(["get", "serviceaccount", "default", "-n", "default"]),
      60000,
      "default ServiceAccount",
    );
  }

  private run(name: string, bin: string, args: string[]): void {
    const log = fs.openSync(path.join(this.dir, `${name}.log`), "a");
    const proc = spawn(bin, args, { stdio: ["ignore", log, log], detached: false });
    fs.closeSync(log);
    this.procs.push({ name, proc });
  }

  private async waitHealthy(port: number): Promise<void> {
    await waitForPort(port, 60000);
    await until(() => this.kubectlOk(["get", "--raw", "/readyz"]), 90000, "kube-apiserver /readyz");
  }

  /** Runs kubectl against this control plane; throws with its stderr on failure. */
  kubectl(args: readonly string[], input?: string): string {
    return execFileSync(tool("kubectl"), [`--kubeconfig=${this.kubeconfig}`, ...args], {
      encoding: "utf8",
      input,
      stdio: ["pipe", "pipe", "pipe"],
      maxBuffer: 256 * 1024 * 1024,
    });
  }

  kubectlOk(args: readonly string[]): boolean {
    try {
      this.kubectl(args);
      return true;
    } catch {
      return false;
    }
  }

  /** Server-side apply of a list of objects. */
  apply(objects: readonly object[]): void {
    const doc = objects.map((o) => JSON.stringify(o)).join("\n");
    this.kubectl(["apply", "--server-side", "--field-manager=botfleet-e2e", "-f", "-"], doc);
  }

  /** Every object of the kinds given, as parsed JSON (`kubectl get -A -o json`). */
  list(kinds: string): { items: Record<string, unknown>[] } {
    return JSON.parse(this.kubectl(["get", kinds, "-A", "-o", "json"]));
  }

  /** The last lines of a component's log, for failure messages. */
  logTail(name: string, lines = 40): string {
    const file = path.join(this.dir, `${name}.log`);
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n") : "";
  }

  async stop(): Promise<void> {
    for (const { proc } of [...this.procs].reverse()) {
      if (proc.exitCode !== null) continue;
      const exited = new Promise((resolve) => proc.once("exit", resolve));
      proc.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (proc.exitCode === null) proc.kill("SIGKILL");
    }
    if (process.env.BOTFLEET_E2E_KEEP === undefined) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function kubeconfigYaml(context: string, server: string, caFile: string, token: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: context, cluster: { server, "certificate-authority": caFile } }],
    users: [{ name: context, user: { token } }],
    contexts: [{ name: context, context: { cluster: context, user: context } }],
    "current-context": context,
  });
}

const DEFAULT_NODES: readonly NodeShape[] = [1, 2, 3].map((i) => ({
  name: `pool-bots-${i}`,
  cpu: "4",
  memory: "8Gi",
}));

/** Fake nodes, the default StorageClass and the PersistentVolumes its claims bind to. */
function clusterObjects(options: ControlPlaneOptions): { nodes: object[]; storage: object[] } {
  const nodes = (options.nodes ?? DEFAULT_NODES).map((n) => ({
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: n.name,
      // kwok manages every node; the annotation also tells people reading the cluster what these are.
      annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: {
        "kubernetes.io/hostname": n.name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": `${n.cpu}cpu-${n.memory}`,
        type: "kwok",
        ...n.labels,
      },
    },
    status: {
      allocatable: {
        cpu: n.cpu,
        memory: n.memory,
        pods: String(n.pods ?? 110),
        "ephemeral-storage": "100Gi",
      },
      capacity: { cpu: n.cpu, memory: n.memory, pods: String(n.pods ?? 110), "ephemeral-storage": "100Gi" },
    },
  }));
  const storageClass = {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: STORAGE_CLASS, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
    provisioner: "kubernetes.io/no-provisioner",
    volumeBindingMode: "Immediate",
    reclaimPolicy: "Retain",
    allowVolumeExpansion: true,
  };
  const volumes = Object.entries(options.volumes ?? { "2Gi": 24, "10Gi": 12, "50Gi": 4 }).flatMap(
    ([size, count]) =>
      Array.from({ length: count }, (_, i) => ({
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: `pv-${size.toLowerCase()}-${i}` },
        spec: {
          capacity: { storage: size },
          accessModes: ["ReadWriteOnce"],
          persistentVolumeReclaimPolicy: "Retain",
          storageClassName: STORAGE_CLASS,
          hostPath: { path: `/var/lib/botfleet-e2e/${size}-${i}` }, // never mounted: kwok runs no containers
        },
      })),
  );
  return { nodes, storage: [storageClass, ...volumes] };
}
