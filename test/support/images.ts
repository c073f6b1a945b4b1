/** Image references: where they come from, and whether they name a registry that serves nothing. */

/** Registry host of an image reference ("docker.io" when the first segment is not a host). */
export function registryOf(image: string): string {
  const first = image.split("/")[0];
  const isHost = image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  return isHost ? first.toLowerCase() : "docker.io";
}

/** The repository path without registry, tag or digest ("library/redis" for "redis:7.2.16"). */
export function repositoryOf(image: string): string {
  const withoutDigest = image.split("@")[0];
  const lastSlash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.indexOf(":", lastSlash + 1);
  const name = colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
  const parts = name.split("/");
  if (registryOf(image) !== "docker.io" || parts[0] === "docker.io") parts.shift();
  return parts.length === 1 ? `library/${parts[0]}` : parts.join("/");
}

/** Names RFC 2606/6761 reserve for examples and tests, and organisations that only ever stand for "yours". */
const PLACEHOLDER_HOST = /(^|\.)(example\.(com|org|net)|example|test|invalid|localhost)(:\d+)?$/;
const PLACEHOLDER_ORG = new Set([
  "example",
  "examples",
  "your-org",
  "yourorg",
  "my-org",
  "myorg",
  "changeme",
  "acme",
]);

/** Why an image reference cannot be pulled from a real publisher, or undefined. */
export function placeholderReason(image: string): string | undefined {
  const host = registryOf(image);
  if (PLACEHOLDER_HOST.test(host)) return `registry ${host} is a reserved example name`;
  const org = repositoryOf(image).split("/")[0];
  if (PLACEHOLDER_ORG.has(org)) return `organisation "${org}" on ${host} is a placeholder`;
  return undefined;
}
