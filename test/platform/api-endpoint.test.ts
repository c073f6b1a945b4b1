/** The API server address from the cluster resource's outputs (pure). */
import {
  digitalOceanApiServerCidrs,
  ipv4HostCidrs,
  linodeApiServerCidrs,
  usesCilium,
} from "../../components/cluster/api-endpoint";

describe("API server address from the cluster resource", () => {
  test("DOKS: ipv4Address as a /32; the endpoint URL when it is an address; host names skipped", () => {
    expect(
      digitalOceanApiServerCidrs(
        "203.0.113.10",
        "https://0a1b2c3d-e4f5-4a1b-9c8d-7e6f5a4b3c2d.k8s.ondigitalocean.com",
      ),
    ).toEqual(["203.0.113.10/32"]);
    expect(digitalOceanApiServerCidrs("", "https://203.0.113.11")).toEqual(["203.0.113.11/32"]);
    expect(digitalOceanApiServerCidrs("203.0.113.10", "https://203.0.113.10")).toEqual(["203.0.113.10/32"]);
  });

  test("DOKS with the HA control plane reports no ipv4Address: nothing derived (Cilium's entity covers it)", () => {
    expect(digitalOceanApiServerCidrs("", "https://0a1b2c3d.k8s.ondigitalocean.com")).toEqual([]);
    expect(digitalOceanApiServerCidrs(undefined, undefined)).toEqual([]);
  });

  test("LKE: the IPv4 entries of apiEndpoints, once each; host names and IPv6 skipped", () => {
    expect(
      linodeApiServerCidrs([
        "https://0a1b2c3d.eu-central-2.linodelke.net:443",
        "https://0a1b2c3d.eu-central-2.linodelke.net:6443",
        "https://198.51.100.20:443",
        "https://198.51.100.20:6443",
        "https://[2001:db8::10]:443",
      ]),
    ).toEqual(["198.51.100.20/32"]);
    expect(linodeApiServerCidrs(undefined)).toEqual([]);
  });

  test("bare addresses work; malformed or out-of-range ones do not become CIDRs", () => {
    expect(ipv4HostCidrs(["192.0.2.7", "999.1.1.1", "https://", "not a url", null, "10.0.0.1:443"])).toEqual([
      "192.0.2.7/32",
    ]);
  });

  test("only DOKS is known to enforce policies with Cilium", () => {
    expect([usesCilium("digitalocean"), usesCilium("linode"), usesCilium("existing")]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
