/** The ACL renderers alone: what users.acl and sentinel-users.conf say (the servers' test proves they work). */
import { createHash } from "crypto";
import {
  REDIS_ACL_RULES,
  checkRedisBotName,
  passwordHash,
  renderRedisAclFile,
  renderSentinelUsers,
} from "../../components/data/redis-acl";

const passwords = {
  admin: "adminPw",
  replication: "replPw",
  sentinel: "sentPw",
  exporter: "expPw",
  bots: { zeta: "zetaPw", alpha: "alphaPw" },
};

test("passwordHash is `#` + the SHA-256 hex of the password; an empty password is refused", () => {
  expect(passwordHash("abc")).toBe(`#${createHash("sha256").update("abc").digest("hex")}`);
  expect(passwordHash("abc")).toMatch(/^#[0-9a-f]{64}$/);
  expect(() => passwordHash("")).toThrow("an ACL password must not be empty");
});

test("users.acl: default off first, one line per user, bots sorted, hashes and no password", () => {
  const lines = renderRedisAclFile(passwords).trimEnd().split("\n");
  expect(lines[0]).toBe("user default off resetkeys resetchannels -@all");
  expect(lines.map((l) => l.split(" ")[1])).toEqual([
    "default",
    "botfleet-admin",
    "replication",
    "sentinel",
    "exporter",
    "bot-alpha",
    "bot-zeta",
  ]);
  expect(lines[5]).toBe(
    `user bot-alpha on ${passwordHash("alphaPw")} resetchannels ~alpha:* &alpha:* +@all -@admin -@dangerous -@scripting`,
  );
  const text = lines.join("\n");
  for (const pw of ["adminPw", "replPw", "sentPw", "expPw", "zetaPw", "alphaPw"])
    expect(text).not.toContain(pw);
  // Only the admin may touch every key; the service users touch none.
  expect(text.match(/~\*/g)).toHaveLength(1);
  for (const rules of [REDIS_ACL_RULES.replication, REDIS_ACL_RULES.sentinel, REDIS_ACL_RULES.exporter])
    expect(rules).not.toMatch(/~|allkeys|\+@all/);
});

test("a bot name that is not a DNS label is refused before anything is rendered", () => {
  for (const bad of ["", "A", "a b", "a*", "-a", "a:", "a\nuser x on nopass"]) {
    expect(() => checkRedisBotName(bad)).toThrow(/is not a DNS label .*rename the bot/);
    expect(() => renderRedisAclFile({ ...passwords, bots: { [bad]: "pw" } })).toThrow(/not a DNS label/);
  }
  expect(() => checkRedisBotName("ft-kraken-2")).not.toThrow();
});

test("sentinel-users.conf: the bots' discovery user, hashed, without write or admin commands", () => {
  const line = renderSentinelUsers("clientPw");
  expect(line).toBe(`user bots on ${passwordHash("clientPw")} ${REDIS_ACL_RULES.sentinelClient}\n`);
  expect(line).not.toContain("clientPw");
  expect(line).not.toMatch(
    /\+@all|\+sentinel(\s|$)|\+sentinel\|(failover|remove|set|reset|config|flushconfig)\b/i,
  );
});

test("during a rotation a user accepts both passwords; a user without any is refused", () => {
  const text = renderRedisAclFile({ ...passwords, replication: ["newPw", "oldPw"] });
  expect(text).toContain(
    `user replication on ${passwordHash("newPw")} ${passwordHash("oldPw")} resetchannels`,
  );
  expect(() => renderRedisAclFile({ ...passwords, exporter: [] })).toThrow(
    "Redis ACL: user exporter has no password",
  );
});
