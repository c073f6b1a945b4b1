/**
 * `cluster.controlPlaneFirewall`: the rules (bad values, prod without an allowlist) as exact messages, and
 * what each cloud's cluster resource receives under the mock engine (DOKS `controlPlaneFirewall`, LKE
 * `controlPlane.acl`).
 */
import { ConfigError, parseStackConfig } from "../config";
import { resolveControlPlaneFirewall } from "../config/control-plane-firewall";
import { doksControlPlaneFirewall, lkeControlPlaneAcl } from "../components/cluster/firewall";
import { loadStack, readStackFile } from "../lib/stackfile";
import { REPO, runConfig } from "./support/stacks";

type Config = Record<string, unknown>;
const KEY = "botfleet:cluster.controlPlaneFirewall";
const FIX = `list the CIDRs that run kubectl and pulumi (office or VPN egress, CI runners): pulumi config set --path '${KEY}.allowedAddresses[0]' 203.0.113.7/32 (README: "Cluster credentials")`;

const prod = readStackFile(REPO, "prod");
const devLke = readStackFile(REPO, "dev-lke");
const withFirewall = (stack: Config, firewall: unknown): Config => {
  const cluster = { ...(stack["botfleet:cluster"] as Config) };
  if (firewall === undefined) delete cluster.controlPlaneFirewall;
  else cluster.controlPlaneFirewall = firewall;
  return { ...stack, "botfleet:cluster": cluster };
};

/** The loader's problems for a stack file's config (required secrets faked), or [] when it loads. */
function problems(stack: string, config: Config): readonly string[] {
  try {
    parseStackConfig(loadStack(stack, config), stack);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

test("the prod stack file loads with its (example) allowlist", () => {
  expect(problems("prod", prod)).toEqual([]);
});

test.each([
  [
    "prod without an allowlist",
    withFirewall(prod, undefined),
    [`${KEY}.allowedAddresses: is required when the firewall is on (always in prod), got nothing; ${FIX}`],
  ],
  [
    "prod with the firewall off",
    withFirewall(prod, { enabled: false, allowedAddresses: ["203.0.113.7/32"] }),
    [
      `${KEY}.enabled: must be true in prod (the API server would answer the whole internet), got false; remove the key or set it to true, and ${FIX}`,
    ],
  ],
  [
    "prod open to every address",
    withFirewall(prod, { allowedAddresses: ["203.0.113.7/32", "0.0.0.0/0"] }),
    [`${KEY}.allowedAddresses[1]: must not allow every address in prod, got "0.0.0.0/0"; ${FIX}`],
  ],
  [
    "dev with the firewall on and no addresses (it would lock pulumi out)",
    withFirewall(devLke, { enabled: true }),
    [`${KEY}.allowedAddresses: is required when the firewall is on, got nothing; ${FIX}`],
  ],
  [
    "an address that is not a CIDR",
    withFirewall(devLke, { enabled: true, allowedAddresses: ["203.0.113.7", "10.0.0.0/33"] }),
    [
      `${KEY}.allowedAddresses[0]: must be an address range in CIDR notation such as "203.0.113.7/32" or "2001:db8::/48", got "203.0.113.7"`,
      `${KEY}.allowedAddresses[1]: must be an address range in CIDR notation such as "203.0.113.7/32" or "2001:db8::/48", got "10.0.0.0/33"`,
    ],
  ],
  [
    "an unknown key",
    withFirewall(devLke, { enabled: true, allowedAddresses: ["203.0.113.7/32"], allow: [] }),
    [`${KEY}.allow: unknown key (allowed: enabled, allowedAddresses)`],
  ],
  [
    "an existing cluster (not ours to firewall)",
    {
      "botfleet:environment": "local",
      "botfleet:cluster": { provider: "existing", controlPlaneFirewall: { enabled: true } },
    },
    [`${KEY}: is not used with provider "existing"; remove it`],
  ],
])("%s is refused", (_name, config, expected) => {
  expect(problems("test", config)).toEqual(expected);
});

test("the default: on in prod, nothing declared elsewhere unless set", () => {
  expect(resolveControlPlaneFirewall(undefined, "prod")).toEqual({ enabled: true, allowedAddresses: [] });
  expect(resolveControlPlaneFirewall(undefined, "dev")).toBeUndefined();
  expect(resolveControlPlaneFirewall({ allowedAddresses: ["203.0.113.7/32"] }, "dev")).toEqual({
    enabled: false,
    allowedAddresses: ["203.0.113.7/32"],
  });
  expect(doksControlPlaneFirewall(undefined)).toBeUndefined();
  expect(lkeControlPlaneAcl(undefined)).toBeUndefined();
  expect(lkeControlPlaneAcl({ enabled: false, allowedAddresses: [] })).toEqual({ enabled: false });
});

test("DOKS in prod: the cluster resource gets controlPlaneFirewall on, with the stack's allowlist", async () => {
  const run = await runConfig("prod", prod);
  const [cluster] = run.resources.filter(
    (r) => r.type === "digitalocean:index/kubernetesCluster:KubernetesCluster",
  );
  const listed = ((prod["botfleet:cluster"] as Config).controlPlaneFirewall as Config).allowedAddresses;
  expect(cluster.inputs.controlPlaneFirewall).toEqual({ enabled: true, allowedAddresses: listed });
});

test("DOKS in dev without the key declares no firewall", async () => {
  const run = await runConfig("dev", readStackFile(REPO, "dev"));
  const [cluster] = run.resources.filter(
    (r) => r.type === "digitalocean:index/kubernetesCluster:KubernetesCluster",
  );
  expect(cluster.inputs.controlPlaneFirewall).toBeUndefined();
});

test("LKE: controlPlane.acl denies by default and allows the IPv4 and IPv6 ranges listed", async () => {
  const run = await runConfig(
    "dev-lke",
    withFirewall(devLke, { enabled: true, allowedAddresses: ["203.0.113.7/32", "2001:db8::/48"] }),
  );
  const [cluster] = run.resources.filter((r) => r.type === "linode:index/lkeCluster:LkeCluster");
  expect(cluster.inputs.controlPlane).toEqual({
    highAvailability: false,
    acl: { enabled: true, addresses: [{ ipv4s: ["203.0.113.7/32"], ipv6s: ["2001:db8::/48"] }] },
  });
});
