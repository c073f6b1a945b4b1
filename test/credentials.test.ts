/** Credentials derived from the stack's seed: pure, deterministic, independent per name and rotation. */
import * as pulumi from "@pulumi/pulumi";
import {
  ALPHABET,
  Credentials,
  botCredentialKeys,
  credentialLength,
  credentialNames,
  POSTGRES_CREDENTIALS,
  REDIS_CREDENTIALS,
  REDIS_SENTINEL_CREDENTIALS,
  derive,
  deriveText,
} from "../lib/credentials";

const SEED = "test-seed-0123456789abcdefghijklmnopqrstuvwxyz";
const valueOf = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));
const isSecret = (o: pulumi.Output<unknown>) => (o as unknown as { isSecret: Promise<boolean> }).isSecret;

test("known answers, computed by an independent implementation (Python's hmac)", () => {
  // Changing the derivation would change every password of every deployed stack at the next `pulumi up`.
  expect(deriveText(SEED, "redis", 0, 32)).toBe("cvYIVESD2hUFKXdFPU6uzCZTH7IHAzmI");
  expect(deriveText(SEED, "redis", 1, 32)).toBe("wFtagJh76bICVlRyIWjwK6rYAXdyoDF7");
  expect(deriveText(SEED, "bot/ft-live/jwtSecretKey", 0, 48)).toBe(
    "zUtRYQ59TcxqdtTvGxVQSYjNh5H0C6G4drzGNnV2SKrmUfKy",
  );
  // Four blocks, with bytes >= 248 skipped in three of them.
  expect(deriveText(SEED, "redis", 0, 100)).toBe(
    "cvYIVESD2hUFKXdFPU6uzCZTH7IHAzmIBruG9tNQnUOXuUKIbp0dK8ztU4fzj84tvNcFiK9EWNZKajvAd71UaJFnZM50SwNxuBJp",
  );
});

test("deterministic: the same seed, name, rotation and length give the same value", () => {
  expect(deriveText(SEED, "postgres-app", 3, 32)).toBe(deriveText(SEED, "postgres-app", 3, 32));
});

test("distinct per name, per rotation and per seed", () => {
  const names = [
    "redis",
    "postgres-app",
    "postgres-replication",
    "grafana-admin",
    "mqtt-bot/a",
    "bot/a/b",
    "bot/a/c",
  ];
  const values = names.flatMap((n) => [0, 1, 2].map((r) => deriveText(SEED, n, r, 32)));
  expect(new Set(values).size).toBe(values.length);
  expect(deriveText(`${SEED}x`, "redis", 0, 32)).not.toBe(deriveText(SEED, "redis", 0, 32));
  // The rotation is the label's last segment, so a name cannot impersonate another name's rotation.
  expect(deriveText(SEED, "bot/a/1", 0, 32)).not.toBe(deriveText(SEED, "bot/a", 1, 32));
});

test.each([1, 31, 32, 48, 63, 200, 1024])(
  "length %i: exactly that many alphanumeric characters",
  (length) => {
    const value = deriveText(SEED, "mqtt-bot/hb", 0, length);
    expect(value).toHaveLength(length);
    expect(value).toMatch(/^[A-Za-z0-9]+$/);
  },
);

test("every character of the alphabet turns up, none more than chance allows", () => {
  const text = Array.from({ length: 200 }, (_, i) => deriveText(SEED, `bot/b${i}/k`, 0, 310)).join("");
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  expect([...counts.keys()].sort().join("")).toBe([...ALPHABET].sort().join(""));
  // 62,000 draws, 1,000 expected per character (standard deviation ~31): catches a wrong mapping, not
  // the small bias the skipped bytes remove (the known answers pin that down).
  for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(150);
});

test("the seed never appears in a result, not even in part", () => {
  const seed = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789QwErTy";
  const values = ["redis", "postgres-app", "bot/x/jwtSecretKey"].map((n) => deriveText(seed, n, 0, 1024));
  for (let i = 0; i + 8 <= seed.length; i++) {
    for (const v of values) expect(v.includes(seed.slice(i, i + 8))).toBe(false);
  }
});

test("bad arguments are refused, naming the rule but never the seed", () => {
  expect(() => deriveText("", "redis", 0, 32)).toThrow("deriveText: the seed is empty");
  expect(() => deriveText(SEED, "redis", -1, 32)).toThrow("rotation must be a whole number >= 0, got -1");
  expect(() => deriveText(SEED, "redis", 1.5, 32)).toThrow("rotation must be a whole number >= 0, got 1.5");
  expect(() => deriveText(SEED, "redis", 0, 0)).toThrow(
    "length must be a whole number from 1 to 1024, got 0",
  );
  let message = "";
  try {
    deriveText(SEED, "redis", 0, 2000);
  } catch (e) {
    message = String(e);
  }
  expect(message).toContain("length must be a whole number from 1 to 1024, got 2000");
  expect(message).not.toContain(SEED);
});

test("derive returns a secret Output holding the derived text", async () => {
  const out = derive(pulumi.secret(SEED), "redis", 0, 32);
  expect(await isSecret(out)).toBe(true);
  expect(await valueOf(out)).toBe("cvYIVESD2hUFKXdFPU6uzCZTH7IHAzmI");
  // Secret even when the seed was handed over as plain text.
  expect(await isSecret(derive(SEED, "redis", 0, 32))).toBe(true);
});

test("Credentials.get applies the name's rotation and length", async () => {
  const credentials = new Credentials(pulumi.secret(SEED), { "redis-admin": 1 });
  expect(await valueOf(credentials.get("redis-admin"))).toBe(deriveText(SEED, "redis-admin", 1, 32));
  expect(await valueOf(credentials.get("redis-bot/ft"))).toBe(deriveText(SEED, "redis-bot/ft", 0, 32));
  // The previous value, during a rotation only.
  expect(await valueOf(credentials.previous("redis-admin")!)).toBe(deriveText(SEED, "redis-admin", 0, 32));
  expect(credentials.previous("redis-bot/ft")).toBeUndefined();
  expect(await valueOf(credentials.get("postgres-app"))).toBe(deriveText(SEED, "postgres-app", 0, 32));
  expect(await valueOf(credentials.get("bot/ft/jwtSecretKey"))).toHaveLength(48);
  expect(await isSecret(credentials.get("mqtt-bot/hb"))).toBe(true);
  expect(await valueOf(credentials.get("mqtt-bot/hb"))).toBe(deriveText(SEED, "mqtt-bot/hb", 0, 32));
  expect(() => credentials.get("bot/ft/apiKey")).toThrow('no credential is named "bot/ft/apiKey"');
});

test("lengths: 32 for passwords, 48 for freqtrade's JWT key", () => {
  expect(credentialLength("redis-admin")).toBe(32);
  expect(credentialLength("redis-bot/ft")).toBe(32);
  expect(credentialLength("mqtt-bot/hb")).toBe(32);
  expect(() => credentialLength("mqtt")).toThrow('no credential is named "mqtt"');
  expect(() => credentialLength("mqtt-bot/a/b")).toThrow('no credential is named "mqtt-bot/a/b"');
  expect(() => credentialLength("redis")).toThrow('no credential is named "redis"');
  expect(() => credentialLength("redis-bot/a/b")).toThrow('no credential is named "redis-bot/a/b"');
  expect(credentialLength("bot/ft/apiServerPassword")).toBe(32);
  expect(credentialLength("bot/ft/jwtSecretKey")).toBe(48);
  expect(() => credentialLength("postgres")).toThrow('no credential is named "postgres"');
});

test("what a stack derives: the data layer always, the rest by what it runs and what botSecrets gives", () => {
  expect(REDIS_CREDENTIALS.join(" ")).toBe("redis-admin redis-replication redis-exporter");
  expect(REDIS_SENTINEL_CREDENTIALS.join(" ")).toBe(
    "redis-sentinel redis-sentinel-auth redis-sentinel-client",
  );
  expect(botCredentialKeys({ preset: "freqtrade", workload: "scheduled" })).toEqual([]);
  expect(botCredentialKeys({ preset: "custom", workload: "trader" })).toEqual([]);
  const bots = [
    { name: "hb", preset: "hummingbot", workload: "trader" },
    { name: "hb-live", preset: "hummingbot", workload: "trader" },
    { name: "ft", preset: "freqtrade", workload: "trader", usesRedis: true, usesPostgres: true },
    { name: "pnl", preset: "custom", workload: "scheduled", usesPostgres: true, postgresAccess: "report" },
  ];
  expect(
    credentialNames({
      bots,
      botSecrets: { "hb-live": { configPassword: "x" } },
      monitoringEnabled: true,
      redisHa: true,
    }),
  ).toEqual([
    ...REDIS_CREDENTIALS,
    ...REDIS_SENTINEL_CREDENTIALS,
    ...POSTGRES_CREDENTIALS,
    "grafana-admin",
    "mqtt-bot/hb",
    "bot/hb/configPassword",
    "mqtt-bot/hb-live",
    "redis-bot/ft",
    "postgres-bot/ft",
    "bot/ft/apiServerPassword",
    "bot/ft/jwtSecretKey",
  ]);
  expect(credentialNames({ bots: [], monitoringEnabled: false })).toEqual([
    ...REDIS_CREDENTIALS,
    ...POSTGRES_CREDENTIALS,
  ]);
  expect(POSTGRES_CREDENTIALS.join(" ")).toBe(
    "postgres-app postgres-replication postgres-report postgres-monitor",
  );
  expect(credentialLength("postgres-bot/ft")).toBe(32);
});
