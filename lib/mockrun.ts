/**
 * Runs the whole program under Pulumi's mock engine, with no CLI, cloud or cluster, and returns every
 * resource it registered: its inputs as plain values, and as "redacted" values where everything that
 * reached the engine as a Pulumi secret is replaced by a marker (what a leak check and the synth use).
 */
import * as pulumi from "@pulumi/pulumi";
import { setPlainLeavesSource } from "../config";
import type { LoadedStack } from "./stackfile";

export const REDACTED = "<secret>";
/** The API server addresses the mock clouds report (documentation ranges, RFC 5737). */
export const MOCK_DO_API_SERVER_IP = "203.0.113.10";
export const MOCK_LKE_API_SERVER_IP = "198.51.100.20";
/** The cluster token the mock DigitalOcean issues for a DOKS cluster (its kubeconfig data source). */
export const mockDoksToken = (clusterName: string): string => `doks-cluster-token-${clusterName}`;

/** Arbitrary JSON as the engine received it; tests index into it freely. */
export type JsonObject = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface RegisteredResource {
  readonly type: string;
  readonly name: string;
  readonly custom: boolean;
  /** Inputs as the provider would receive them, secrets unwrapped. */
  readonly inputs: JsonObject;
  /** The same inputs with every secret replaced by {@link REDACTED}. */
  readonly redacted: JsonObject;
  readonly protect: boolean;
  readonly retainOnDelete: boolean;
  readonly ignoreChanges: readonly string[];
  readonly parent: string;
  readonly provider: string;
  /** URNs this resource waits for (`dependsOn` and the resources its inputs come from). */
  readonly dependencies?: readonly string[];
}

/** A Kubernetes object proper (what `kubectl apply` would get): not a provider, not a Helm release. */
export const isKubernetesObject = (r: RegisteredResource): boolean =>
  r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/");

export interface ProgramRun {
  readonly resources: RegisteredResource[];
  /** Stack outputs, secrets replaced by {@link REDACTED}. */
  readonly outputs: JsonObject;
  /** Stack outputs with secrets unwrapped: what `pulumi stack output --show-secrets` would print. */
  readonly plainOutputs: JsonObject;
  /** Messages the program logged at warning level. */
  readonly warnings: string[];
  /** What the program threw (a ConfigError for bad config); resources then holds what it got to. */
  readonly error?: Error;
}

// The engine's wire markers for secret values (sdk/nodejs/runtime/rpc.ts).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Unwraps secrets to plain values, or replaces them with the redaction marker. */
export function unwrapSecrets(value: unknown, redact: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => unwrapSecrets(v, redact));
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) return redact ? REDACTED : unwrapSecrets(obj.value, false);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, unwrapSecrets(v, redact)]));
  }
  return value;
}

/** Computed outputs a cloud would return, so that the program's applies run. */
function mockState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "digitalocean:index/kubernetesCluster:KubernetesCluster":
      return {
        ...inputs,
        endpoint: `https://${name}.k8s.ondigitalocean.com`,
        // DigitalOcean reports no ipv4Address for an HA control plane (the typings say so).
        ipv4Address: inputs.ha === true ? "" : MOCK_DO_API_SERVER_IP,
        kubeConfigs: [{ clusterCaCertificate: Buffer.from("mock-ca").toString("base64") }],
      };
    case "linode:index/lkeCluster:LkeCluster":
      return {
        ...inputs,
        kubeconfig: Buffer.from(
          `apiVersion: v1\nkind: Config\nclusters: [{name: ${name}, cluster: {server: "https://${name}.linodelke.net"}}]\n`,
        ).toString("base64"),
        // What LKE lists: the host name and the addresses, on 443 and 6443.
        apiEndpoints: [
          `https://${name}.eu-central-2.linodelke.net:443`,
          `https://${name}.eu-central-2.linodelke.net:6443`,
          `https://${MOCK_LKE_API_SERVER_IP}:443`,
          `https://${MOCK_LKE_API_SERVER_IP}:6443`,
          "https://[2001:db8::10]:443",
        ],
      };
    default:
      if (type.startsWith("kubernetes:") && inputs.metadata && typeof inputs.metadata === "object") {
        const metadata = inputs.metadata as Record<string, unknown>;
        return { ...inputs, metadata: { ...metadata, name: metadata.name ?? name } };
      }
      return inputs;
  }
}

/** What already exists in the mock clouds before a run: none by default (a first `up`). */
export interface MockCloud {
  /** Live DOKS clusters by name, with the version slug each runs (`1.33.4-do.0`). */
  readonly doClusterVersions?: Readonly<Record<string, string>>;
}

export interface RunOptions {
  /**
   * The live `status` a resource reports after create/update (the Kubernetes provider returns it in
   * the resource's outputs), by resource name: e.g. a StatefulSet whose `currentRevision` differs from
   * its `updateRevision`. A resource not named reports no status.
   */
  readonly statuses?: Readonly<Record<string, JsonObject>>;
  /** What already exists in the mock clouds (a later `up`); nothing by default. */
  readonly cloud?: MockCloud;
}

let statuses: Readonly<Record<string, JsonObject>> = {};
/** DOKS clusters this run created, by name, with their version: the data source finds them afterwards. */
let createdDoClusters: Record<string, string> = {};
let cloud: MockCloud = {};

const mocks: pulumi.runtime.Mocks = {
  newResource(args) {
    const id = args.type === "linode:index/lkeCluster:LkeCluster" ? "424242" : `${args.name}-id`;
    if (args.type === "digitalocean:index/kubernetesCluster:KubernetesCluster")
      createdDoClusters[String(args.inputs.name)] = String(args.inputs.version);
    const state = mockState(args.type, args.name, args.inputs);
    const status = statuses[args.name];
    return { id, state: status === undefined ? state : { ...state, status } };
  },
  call(args) {
    if (args.token === "digitalocean:index/getKubernetesVersions:getKubernetesVersions") {
      const prefix = String(args.inputs.versionPrefix ?? "1.33.");
      return { latestVersion: `${prefix}1-do.0`, validVersions: [`${prefix}1-do.0`, `${prefix}0-do.0`] };
    }
    if (args.token === "digitalocean:index/getKubernetesCluster:getKubernetesCluster") {
      const name = String(args.inputs.name);
      const version = cloud.doClusterVersions?.[name] ?? createdDoClusters[name];
      // The provider's own answer for a name no cluster has.
      if (version === undefined) {
        // As the engine's gRPC error carries it: the SDK rethrows `new Error(err.details)`.
        const message = `invocation of ${args.token} returned an error: Unable to find cluster with name: ${name}`;
        throw Object.assign(new Error(message), { details: message });
      }
      // What DigitalOcean issues: a kubeconfig whose token expires (7 days, or kubeconfigExpireSeconds).
      const token = mockDoksToken(name);
      const server = `https://${name}.k8s.ondigitalocean.com`;
      const rawConfig = [
        "apiVersion: v1",
        "kind: Config",
        `clusters: [{name: do-${name}, cluster: {server: "${server}"}}]`,
        `users: [{name: do-${name}-admin, user: {token: ${token}}}]`,
        `contexts: [{name: do-${name}, context: {cluster: do-${name}, user: do-${name}-admin}}]`,
        `current-context: do-${name}`,
        "",
      ].join("\n");
      const expiresAt = new Date(Date.now() + 1000 * Number(args.inputs.kubeconfigExpireSeconds ?? 604800));
      return {
        ...args.inputs,
        id: `${name}-id`,
        version,
        autoUpgrade: true,
        kubeConfigs: [{ rawConfig, token, host: server, expiresAt: expiresAt.toISOString() }],
      };
    }
    throw new Error(`the mock engine has no answer for invoke ${args.token}; add one to lib/mockrun.ts`);
  },
};

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getObject(): { toJavaScript(): Record<string, unknown> };
  getProtect(): boolean;
  getRetainondelete?(): boolean;
  getIgnorechangesList(): string[];
  getParent(): string;
  getProvider(): string;
  getDependenciesList?(): string[];
}

let recorder: RegisteredResource[] | undefined;
let stackOutputs: Record<string, unknown> = {};
let plainStackOutputs: Record<string, unknown> = {};

// Record what reaches the engine before the mock monitor unwraps the secrets.
function installRecorder() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks");
  if (MockMonitor.prototype.__botfleetRecorder) return;
  const register = MockMonitor.prototype.registerResource;
  MockMonitor.prototype.registerResource = function (req: RegisterRequest, callback: unknown) {
    const raw = req.getObject().toJavaScript();
    recorder?.push({
      type: req.getType(),
      name: req.getName(),
      custom: req.getCustom(),
      inputs: unwrapSecrets(raw, false) as Record<string, unknown>,
      redacted: unwrapSecrets(raw, true) as Record<string, unknown>,
      protect: req.getProtect(),
      retainOnDelete: req.getRetainondelete?.() ?? false,
      ignoreChanges: req.getIgnorechangesList(),
      parent: req.getParent(),
      provider: req.getProvider(),
      dependencies: req.getDependenciesList?.() ?? [],
    });
    return register.call(this, req, callback);
  };
  const registerOutputs = MockMonitor.prototype.registerResourceOutputs;
  MockMonitor.prototype.registerResourceOutputs = function (
    req: { getUrn(): string; getOutputs(): { toJavaScript(): Record<string, unknown> } | undefined },
    callback: unknown,
  ) {
    if (req.getUrn().includes("::pulumi:pulumi:Stack::")) {
      const raw = req.getOutputs()?.toJavaScript() ?? {};
      stackOutputs = unwrapSecrets(raw, true) as Record<string, unknown>;
      plainStackOutputs = unwrapSecrets(raw, false) as Record<string, unknown>;
    }
    return registerOutputs.call(this, req, callback);
  };
  MockMonitor.prototype.__botfleetRecorder = true;
}

/**
 * Evaluates `program` for one stack, against the clouds as `live` says they are. Runs are sequential: the Pulumi runtime keeps global state.
 * A program that throws resolves with `error` set, so callers can see what was registered before.
 */
export async function runProgram(
  stack: LoadedStack,
  program: () => unknown,
  options: RunOptions = {},
): Promise<ProgramRun> {
  installRecorder();
  statuses = options.statuses ?? {};
  cloud = options.cloud ?? {};
  const resources: RegisteredResource[] = [];
  const warnings: string[] = [];
  recorder = resources;
  stackOutputs = {};
  plainStackOutputs = {};
  createdDoClusters = {};
  await pulumi.runtime.setMocks(mocks, "botfleet", stack.stack, false);
  pulumi.runtime.setAllConfig({ ...stack.values }, [...stack.secretKeys]);
  // The stack is in memory: the loader learns its plain leaves from here, not from a file.
  setPlainLeavesSource(() => stack.plainLeaves ?? {});
  const warn = pulumi.log.warn;
  pulumi.log.warn = (message: string) => {
    warnings.push(message);
    return Promise.resolve();
  };
  let error: Error | undefined;
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      try {
        return await program();
      } catch (e) {
        // Caught here: thrown inside the stack's init it would surface as an unhandled rejection.
        error = e as Error;
        return {};
      }
    });
    // Wait for every registration the program started, including those inside applies.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
    return { resources, outputs: stackOutputs, plainOutputs: plainStackOutputs, warnings, error };
  } finally {
    setPlainLeavesSource(undefined);
    cloud = {};
    pulumi.log.warn = warn;
    recorder = undefined;
    statuses = {};
  }
}
