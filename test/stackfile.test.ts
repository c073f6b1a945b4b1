/**
 * The offline harness reads stack files as strictly as the real loader: plain text in a secret section is
 * refused leaf by leaf (the CLI marks a section secret as a whole when any leaf is `secure:`), a value the
 * file holds is never replaced by a fake, and fakes have the shape their schema asks for.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { ConfigError, parseStackConfig } from "../config";
import { allowedKeys } from "../config/format";
import { alertingSchema } from "../config/monitoring";
import { plainLeafPaths, readPlainLeaves } from "../config/stack-file";
import { fakeSecretValue, loadStack, readStackFile } from "../lib/stackfile";
import { REPO, runConfig } from "./support/stacks";
import { exampleEncryption } from "./support/backup-key";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SECURE = { secure: "v1:ciphertext-the-harness-cannot-decrypt" };
const local = readStackFile(REPO, "local");
const liveBot = {
  name: "ft-live",
  preset: "freqtrade",
  image: "freqtradeorg/freqtrade:2025.10",
  exchange: "kraken",
  paperTrading: false,
  storage: "1Gi",
  freqtrade: {
    strategy: "SampleStrategy",
    config: { stake_currency: "USD", stake_amount: 50, exchange: { pair_whitelist: ["BTC/USD"] } },
  },
};
const withLiveBot = { ...local, "botfleet:bots": [...(local["botfleet:bots"] as Obj[]), liveBot] };
const backup = {
  backup: {
    enabled: true,
    bucket: "fleet-backups",
    endpoint: "https://fra1.digitaloceanspaces.com",
    ...exampleEncryption,
  },
};

/** What the loader says about a stack file, as the offline synth loads it. */
function problems(config: Record<string, unknown>): readonly string[] {
  try {
    parseStackConfig(loadStack("test", config), "test");
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe("plain text where a secret belongs is refused offline too", () => {
  test.each([
    [
      "a whole secret section in plain text",
      {
        ...withLiveBot,
        "botfleet:botSecrets": { "ft-live": { apiKey: "plain-key", apiSecret: "plain-secret" } },
      },
      [
        `botfleet:botSecrets: must be set as a secret, got a plain-text value; remove it from the stack file and run "pulumi config set --secret --path botSecrets.<name> <value>"`,
      ],
    ],
    [
      "a plain leaf next to a secret the harness fakes",
      { ...withLiveBot, "botfleet:botSecrets": { "ft-live": { apiKey: "plain-key" } } },
      [
        `botfleet:botSecrets.ft-live.apiKey: must be set as a secret like the rest of botfleet:botSecrets, got a plain-text value in the stack file (not shown); remove it from the stack file and run "pulumi config set --secret --path botSecrets.ft-live.apiKey <value>"`,
      ],
    ],
    [
      "a plain leaf next to a secure one",
      { ...withLiveBot, "botfleet:botSecrets": { "ft-live": { apiKey: SECURE, apiSecret: "plain-secret" } } },
      [
        `botfleet:botSecrets.ft-live.apiSecret: must be set as a secret like the rest of botfleet:botSecrets, got a plain-text value in the stack file (not shown); remove it from the stack file and run "pulumi config set --secret --path botSecrets.ft-live.apiSecret <value>"`,
      ],
    ],
    [
      "backup keys in plain text",
      {
        ...local,
        "botfleet:postgres": { ...(local["botfleet:postgres"] as Obj), ...backup },
        "botfleet:backupCredentials": { accessKeyId: "AKIAPLAIN", secretAccessKey: "plain" },
      },
      [
        `botfleet:backupCredentials: must be set as a secret, got a plain-text value; remove it from the stack file and run "pulumi config set --secret --path backupCredentials.<name> <value>"`,
      ],
    ],
    [
      "an alert receiver with its channel in plain text",
      { ...local, "botfleet:alerting": { slack: { webhookUrl: SECURE, channel: "#alerts" } } },
      [
        `botfleet:alerting.slack.channel: must be set as a secret like the rest of botfleet:alerting, got a plain-text value in the stack file (not shown); remove it from the stack file and run "pulumi config set --secret --path alerting.slack.channel <value>"`,
      ],
    ],
    [
      "an alert receiver in plain text",
      { ...local, "botfleet:alerting": { webhook: { url: "https://hooks.example.com/plain" } } },
      [
        `botfleet:alerting: must be set as a secret, got a plain-text value; remove it from the stack file and run "pulumi config set --secret --path alerting.<name> <value>"`,
      ],
    ],
    [
      "the DigitalOcean token in plain text",
      { ...readStackFile(REPO, "dev"), "digitalocean:token": "dop_v1_plain" },
      [
        `digitalocean:token: must be set as a secret, got a plain-text value (not shown); it is exposed wherever the stack file went: revoke it in the DigitalOcean console, remove it from the stack file and run "pulumi config set --secret digitalocean:token <new token>" (or export DIGITALOCEAN_TOKEN)`,
      ],
    ],
    [
      "the credential seed in plain text",
      { ...local, "botfleet:credentialSeed": "plain-seed-0123456789abcdefghijklmnopqrstuvwxyz" },
      [
        `botfleet:credentialSeed: must be set as a secret, got a plain-text value (not shown); it is exposed wherever the stack file went: remove it from the stack file and set a new one: pulumi config set --secret botfleet:credentialSeed "$(openssl rand -base64 32)"`,
      ],
    ],
  ])("%s", (_name, config, expected) => {
    const found = problems(config);
    expect(found).toEqual(expected);
    // A plain value is refused, never printed.
    expect(found.join("\n")).not.toMatch(/plain-key|plain-secret|AKIAPLAIN|#alerts|dop_v1_plain|plain-seed/);
  });

  test("the same section set the documented way is accepted; the fakes of its own leaves reach the bot, not new ones", async () => {
    const run = await runConfig("secure", {
      ...withLiveBot,
      "botfleet:botSecrets": { "ft-live": { apiKey: SECURE, apiSecret: SECURE } },
    });
    const secret = run.resources.find((r) => r.inputs.metadata?.name === "ft-live-secrets")!;
    expect(secret.inputs.stringData).toMatchObject({
      apiKey: "FAKESECRET-0-botfleet-botSecrets-ft-live-apiKey",
      apiSecret: "FAKESECRET-1-botfleet-botSecrets-ft-live-apiSecret",
    });
  });

  test("a section set whole as one encrypted JSON text is faked as holding what the config requires", () => {
    const loaded = loadStack("whole", { ...withLiveBot, "botfleet:botSecrets": SECURE });
    expect(JSON.parse(loaded.values["botfleet:botSecrets"])).toEqual({
      "ft-live": {
        apiKey: expect.stringMatching(/^FAKESECRET-/),
        apiSecret: expect.stringMatching(/^FAKESECRET-/),
      },
    });
    expect(() => parseStackConfig(loaded, "whole")).not.toThrow();
  });
});

describe("fakes have the shape their schema asks for", () => {
  /** Every receiver with every field, as `pulumi config set --secret --path alerting.<receiver>.<field>` stores it. */
  const everyReceiver = Object.fromEntries(
    allowedKeys(alertingSchema, []).map((receiver) => [
      receiver,
      Object.fromEntries(allowedKeys(alertingSchema, [receiver]).map((field) => [field, SECURE])),
    ]),
  );

  test("every field of every alert receiver gets a fake its schema accepts", () => {
    expect(Object.keys(everyReceiver).sort()).toEqual([
      "email",
      "heartbeat",
      "pagerduty",
      "slack",
      "telegram",
      "webhook",
    ]);
    const loaded = loadStack("receivers", { ...local, "botfleet:alerting": everyReceiver });
    const alerting = JSON.parse(loaded.values["botfleet:alerting"]);
    const result = alertingSchema.safeParse(alerting);
    expect(result.error?.issues ?? []).toEqual([]);
    // Still recognisably fake, and never a real address.
    expect(alerting.telegram.chatId).toMatch(/^-100999\d{10}$/);
    expect(alerting.pagerduty.routingKey).toMatch(/^FAKESECRET\d/);
    for (const url of [alerting.slack.webhookUrl, alerting.webhook.url, alerting.heartbeat.url])
      expect(url).toMatch(/^https:\/\/fakesecret\.example\.com\/FAKESECRET-\d+-/);
    expect(alerting.email.smarthost).toMatch(/^fakesecret-\d+\.example\.com:587$/);
    // Each fake is unique, so a leak check can tell which secret leaked.
    expect(new Set(loaded.fakeSecrets).size).toBe(loaded.fakeSecrets.length);
  });

  test("a stack storing a Telegram receiver the documented way synthesises, the fakes in Alertmanager's config", async () => {
    const run = await runConfig("telegram", {
      ...local,
      "botfleet:alerting": { telegram: { botToken: SECURE, chatId: SECURE } },
    });
    const config = run.resources.find((r) => r.inputs.metadata?.name === "botfleet-alertmanager-config")!;
    const rendered = parse(config.inputs.stringData["alertmanager.yaml"]);
    const telegram = rendered.receivers.flatMap((r: Obj) => r.telegram_configs ?? []);
    expect(telegram[0]).toMatchObject({
      bot_token: fakeSecretValue("botfleet:alerting", ["telegram", "botToken"], 0),
      chat_id: Number(fakeSecretValue("botfleet:alerting", ["telegram", "chatId"], 1)),
    });
    expect(run.warnings.filter((w) => w.includes("has no receiver"))).toEqual([]);
  });

  test("the fake seed is long enough for the loader", () => {
    expect(fakeSecretValue("botfleet:credentialSeed", [], 0).length).toBeGreaterThanOrEqual(32);
  });
});

describe("the real loader reads plain leaves from the stack file", () => {
  test("plain leaves are what is neither secure nor an empty container", () => {
    expect(plainLeafPaths({ a: SECURE, b: "x", c: { d: [SECURE, 1] }, e: {}, f: [] })).toEqual([
      ["b"],
      ["c", "d", 1],
    ]);
    expect(plainLeafPaths(SECURE)).toEqual([]);
  });

  test("from Pulumi.<stack>.yaml in the project folder; nothing without one", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-file-"));
    try {
      fs.writeFileSync(
        path.join(dir, "Pulumi.mixed.yaml"),
        "config:\n  botfleet:environment: local\n  alerting:\n    slack:\n      webhookUrl:\n        secure: v1:abc\n      channel: '#alerts'\n",
      );
      const keys = ["botfleet:alerting", "botfleet:botSecrets"];
      expect(readPlainLeaves(dir, "mixed", keys, "botfleet")).toEqual({
        "botfleet:alerting": [["slack", "channel"]],
      });
      expect(readPlainLeaves(dir, "absent", keys, "botfleet")).toEqual({});
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
