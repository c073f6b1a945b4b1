/**
 * The scripts that run inside bot pods, run for real: the hummingbot conf copy against a directory
 * laid out the way the kubelet lays out ConfigMap and Secret volumes, the mosquitto password init and
 * the rendered per-bot users and ACL on Debian's real broker, and the heartbeat probe against it.
 */
import { freePort, waitForPort } from "../support/net";
import { execFile, spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as YAML from "yaml";
import {
  MOSQUITTO,
  MOSQUITTO_PUB,
  MOSQUITTO_SUB,
  requireMosquitto,
  writeBrokerFiles,
} from "../support/mosquitto";
import { SCRIPTS_DIR } from "../../components/bots/scripts";
import { keccak256, openKeystore, type Keystore } from "../support/keystore";

const run = promisify(execFile);
const script = (name: string) => path.join(SCRIPTS_DIR, name);
const PYTHON = "/usr/bin/python3"; // Debian's, with python3-paho-mqtt
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-bots-"));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

/** Result of a command: exit code and output, without throwing. */
async function exec(cmd: string, args: string[], env: Record<string, string> = {}) {
  try {
    const r = await run(cmd, args, { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof err.code === "number" ? err.code : -1,
      stdout: err.stdout ?? "",
      stderr: err.stderr ?? "",
    };
  }
}

/** A volume laid out like the kubelet does: files in a timestamped dir, `..data` and top-level symlinks. */
function kubeletVolume(dir: string, files: Record<string, string>) {
  const stamp = path.join(dir, "..2026_11_25_21_00_00.123456789");
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(stamp, rel)), { recursive: true });
    fs.writeFileSync(path.join(stamp, rel), content);
  }
  fs.symlinkSync(path.basename(stamp), path.join(dir, "..data"));
  for (const top of new Set(Object.keys(files).map((rel) => rel.split("/")[0]))) {
    fs.symlinkSync(path.join("..data", top), path.join(dir, top));
  }
}

test("shellcheck finds nothing in the bot scripts", async () => {
  const scripts = fs.readdirSync(SCRIPTS_DIR).filter((f) => f.endsWith(".sh"));
  expect(scripts.sort()).toEqual(["hummingbot-init.sh", "mosquitto-init.sh"]);
  const r = await exec("shellcheck", ["-s", "sh", ...scripts.map(script)]);
  expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
});

describe("hummingbot-init.sh", () => {
  const password = `p'a$s w&rd\\1"#: {x}`;
  // A generated password is alphanumeric; a user's may hold anything, UTF-8 included.
  const configPassword = `Ch0sen p4ss "wörd" \\ $HOME`;

  function layout(name: string, clientYaml: string) {
    const base = path.join(tmpRoot, name);
    const dirs = {
      readonly: path.join(base, "readonly-conf"),
      conf: path.join(base, "conf"),
      keys: path.join(base, "bot-secrets"),
      mqtt: path.join(base, "mqtt"),
      state: path.join(base, "state"),
    };
    for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
    kubeletVolume(dirs.readonly, {
      "conf_client.yml": clientYaml,
      "strategies/pmm_eth.yml": "strategy: pure_market_making\nexchange: kucoin\n",
    });
    kubeletVolume(dirs.keys, {
      config_password: configPassword,
      "connectors/kucoin.yml": "kucoin_api_key: encrypted-blob\n",
      password_verification: "verification-blob\n",
    });
    kubeletVolume(dirs.mqtt, { password });
    const env = {
      READONLY_CONF: dirs.readonly,
      CONF_DIR: dirs.conf,
      BOT_KEYS_DIR: dirs.keys,
      MQTT_AUTH_DIR: dirs.mqtt,
      STATE_DIR: dirs.state,
      PYTHON,
    };
    return { dirs, env };
  }

  const client = YAML.stringify({
    instance_id: "eth-usdt-live",
    mqtt_bridge: {
      mqtt_host: "botfleet-mqtt.botfleet-bots.svc",
      mqtt_port: 1883,
      mqtt_username: "bot-eth-usdt-live",
      mqtt_password: "",
    },
  });

  test("copies the read-only conf as plain files, adds the live keys and the MQTT password", async () => {
    const { dirs, env } = layout("ok", client);
    const r = await exec("sh", [script("hummingbot-init.sh")], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const entries = fs.readdirSync(dirs.conf).sort();
    expect(entries).toEqual([
      ".password_verification",
      "conf_client.yml",
      "connectors",
      "controllers",
      "scripts",
      "strategies",
    ]);
    for (const f of [
      "conf_client.yml",
      "strategies/pmm_eth.yml",
      "connectors/kucoin.yml",
      ".password_verification",
    ]) {
      const st = fs.lstatSync(path.join(dirs.conf, f));
      expect({ f, file: st.isFile(), otherBits: st.mode & 0o077 }).toEqual({ f, file: true, otherBits: 0 });
    }
    expect(fs.readFileSync(path.join(dirs.conf, "strategies/pmm_eth.yml"), "utf8")).toContain(
      "pure_market_making",
    );
    expect(fs.readFileSync(path.join(dirs.conf, "connectors/kucoin.yml"), "utf8")).toBe(
      "kucoin_api_key: encrypted-blob\n",
    );
    // A live bot's verification file is the one its keys were encrypted with: copied, never remade.
    expect(fs.readFileSync(path.join(dirs.conf, ".password_verification"), "utf8")).toBe(
      "verification-blob\n",
    );
    // The password survives YAML quoting exactly, whatever characters it holds.
    const parsed = YAML.parse(fs.readFileSync(path.join(dirs.conf, "conf_client.yml"), "utf8"));
    expect(parsed.mqtt_bridge).toEqual({
      mqtt_host: "botfleet-mqtt.botfleet-bots.svc",
      mqtt_port: 1883,
      mqtt_username: "bot-eth-usdt-live",
      mqtt_password: password,
    });
    expect(fs.statSync(path.join(dirs.state, "logs")).isDirectory()).toBe(true);
    expect(fs.statSync(path.join(dirs.state, "data")).isDirectory()).toBe(true);

    // A restart runs it again over the previous copy: the stack's config wins again.
    fs.writeFileSync(path.join(dirs.conf, "conf_client.yml"), "rewritten_by_hummingbot: true\n");
    const again = await exec("sh", [script("hummingbot-init.sh")], env);
    expect(again.code).toBe(0);
    expect(YAML.parse(fs.readFileSync(path.join(dirs.conf, "conf_client.yml"), "utf8")).instance_id).toBe(
      "eth-usdt-live",
    );
  });

  /** A bot without exchange keys: its Secret holds only the config password. */
  function paperLayout(name: string) {
    const l = layout(name, client);
    fs.rmSync(l.dirs.keys, { recursive: true });
    fs.mkdirSync(l.dirs.keys);
    kubeletVolume(l.dirs.keys, { config_password: configPassword });
    return l;
  }
  const verification = (dirs: { conf: string }): Keystore =>
    JSON.parse(
      Buffer.from(fs.readFileSync(path.join(dirs.conf, ".password_verification"), "utf8"), "hex").toString(),
    );

  test("a paper bot gets an empty connectors dir and a password check file that opens with its password", async () => {
    const { dirs, env } = paperLayout("paper");
    const r = await exec("sh", [script("hummingbot-init.sh")], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(fs.readdirSync(path.join(dirs.conf, "connectors"))).toEqual([]);
    const st = fs.lstatSync(path.join(dirs.conf, ".password_verification"));
    expect({ file: st.isFile(), otherBits: st.mode & 0o077 }).toEqual({ file: true, otherBits: 0 });
    // Hummingbot's layout: hex of a JSON keystore (config_crypt.py, _create_v3_keyfile_json at v2.16.0).
    const store = verification(dirs);
    expect(store).toMatchObject({
      version: 3,
      crypto: {
        cipher: "aes-128-ctr",
        kdf: "pbkdf2",
        kdfparams: {
          c: 1_000_000,
          dklen: 32,
          prf: "hmac-sha256",
          salt: expect.stringMatching(/^[0-9a-f]{32}$/),
        },
        cipherparams: { iv: expect.stringMatching(/^[0-9a-f]{1,32}$/) },
      },
    });
    // hummingbot's validate_password: it must decrypt to the word with the bot's CONFIG_PASSWORD ...
    expect(openKeystore(store, Buffer.from(configPassword, "utf8")).toString()).toBe("HummingBot");
    // ... and fail the MAC with any other.
    expect(() => openKeystore(store, Buffer.from(configPassword + " ", "utf8"))).toThrow("MAC mismatch");
    // A restart makes a fresh one (new salt), still for the same password.
    expect((await exec("sh", [script("hummingbot-init.sh")], env)).code).toBe(0);
    const again = verification(dirs);
    expect(again.crypto.kdfparams.salt).not.toBe(store.crypto.kdfparams.salt);
    expect(openKeystore(again, Buffer.from(configPassword, "utf8")).toString()).toBe("HummingBot");
  });

  test("the keystore check itself: Keccak-256 and the Web3 Secret Storage PBKDF2 test vector", () => {
    expect(keccak256(Buffer.from("")).toString("hex")).toBe(
      "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    );
    expect(keccak256(Buffer.from("abc")).toString("hex")).toBe(
      "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
    );
    // The test vector of the Ethereum wiki's "Web3 Secret Storage Definition" (password "testpassword").
    const vector: Keystore = {
      version: 3,
      crypto: {
        cipher: "aes-128-ctr",
        cipherparams: { iv: "6087dab2f9fdbbfaddc31a909735c1e6" },
        ciphertext: "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
        kdf: "pbkdf2",
        kdfparams: {
          c: 262144,
          dklen: 32,
          prf: "hmac-sha256",
          salt: "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd",
        },
        mac: "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2",
      },
    };
    expect(openKeystore(vector, Buffer.from("testpassword")).toString("hex")).toBe(
      "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d",
    );
    expect(() => openKeystore(vector, Buffer.from("testpassworD"))).toThrow("MAC mismatch");
  });

  test("a bot with neither a verification file nor a config password fails before hummingbot would", async () => {
    const { dirs, env } = paperLayout("no-password");
    fs.rmSync(dirs.keys, { recursive: true });
    const r = await exec("sh", [script("hummingbot-init.sh")], env);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      "config_password is missing or empty: cannot make conf/.password_verification",
    );
  });

  test.each<[string, (l: ReturnType<typeof layout>) => Record<string, string>, number, string]>([
    [
      "a missing read-only conf",
      (l) => ({ ...l.env, READONLY_CONF: path.join(l.dirs.readonly, "nope") }),
      1,
      "is missing",
    ],
    [
      "an empty MQTT password",
      (l) => {
        const dir = path.join(l.dirs.mqtt, "..", "mqtt-empty");
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, "password"), "");
        return { ...l.env, MQTT_AUTH_DIR: dir };
      },
      2,
      "empty MQTT password",
    ],
  ])("fails on %s", async (label, envOf, code, message) => {
    const l = layout(`bad-${label.replace(/\W+/g, "-")}`, client);
    const r = await exec("sh", [script("hummingbot-init.sh")], envOf(l));
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(message);
  });

  test("fails when conf_client.yml has no mqtt_password line to fill", async () => {
    const { env } = layout("no-line", YAML.stringify({ instance_id: "x" }));
    const r = await exec("sh", [script("hummingbot-init.sh")], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("no mqtt_password line");
  });
});

describe("MQTT broker, per-bot users and ACL, and the hummingbot heartbeat probe, against a real mosquitto", () => {
  const base = path.join(tmpRoot, "mqtt");
  // Two bots as the program renders them: A's user may use only hbot/eth-usdt-live/#, B's only hbot/btc-usdt-mm/#.
  const A = {
    name: "eth-usdt-live",
    instanceId: "eth-usdt-live",
    password: "Gen3rat3dPassw0rdForBotAAAAAAAAA",
  };
  const B = { name: "btc-usdt-mm", instanceId: "btc-usdt-mm", password: "Gen3rat3dPassw0rdForBotBBBBBBBBB" };
  let port: number;
  let deadPort: number;
  const authDir = path.join(base, "auth");
  const probeAuth = path.join(base, "probe-auth");
  const secretDir = path.join(base, "mqtt-secret");

  const initScript = (passwdFile: string, authTo: string) =>
    exec("sh", [script("mosquitto-init.sh")], { PASSWD_FILE: passwdFile, AUTH_DIR: authTo });

  beforeAll(async () => {
    requireMosquitto();
    port = await freePort();
    deadPort = await freePort();
    const confPath = writeBrokerFiles(base, port, [A, B]);
    // The broker's Secret holds the program's hashed lines; the init container installs them.
    const rendered = fs.readFileSync(path.join(authDir, "passwd"), "utf8");
    fs.rmSync(path.join(authDir, "passwd"));
    fs.mkdirSync(secretDir);
    kubeletVolume(secretDir, { passwd: rendered });
    const init = await initScript(path.join(secretDir, "passwd"), authDir);
    expect(init).toEqual({ code: 0, stdout: "mosquitto-init: password file ready (2 users)\n", stderr: "" });
    const broker = spawn(MOSQUITTO, ["-c", confPath], { stdio: "ignore" });
    children.push(broker);
    await waitForPort(port);
    fs.mkdirSync(probeAuth);
    fs.writeFileSync(path.join(probeAuth, "password"), A.password + "\n");
  });

  test("the password file holds only $7$ hashes, one per bot, readable by its owner only", () => {
    const lines = fs.readFileSync(path.join(authDir, "passwd"), "utf8").trim().split("\n");
    expect(lines.map((l) => l.split(":")[0])).toEqual(["bot-eth-usdt-live", "bot-btc-usdt-mm"]);
    for (const line of lines)
      expect(line).toMatch(/^bot-[a-z-]+:\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/);
    for (const bot of [A, B]) expect(lines.join("\n")).not.toContain(bot.password);
    expect(fs.statSync(path.join(authDir, "passwd")).mode & 0o077).toBe(0);
  });

  test("the init refuses a Secret holding a plain password instead of hashing it", async () => {
    const dir = path.join(base, "plain-secret");
    fs.mkdirSync(dir);
    kubeletVolume(dir, { passwd: `bot-eth-usdt-live:${A.password}\n` });
    const r = await initScript(path.join(dir, "passwd"), path.join(base, "plain-auth"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("not user:$7$ hash");
    expect(r.stderr).not.toContain(A.password);
    expect(fs.existsSync(path.join(base, "plain-auth", "passwd"))).toBe(false);
  });

  const pub = (user: string | undefined, pw: string | undefined, topic: string, message = "{}") =>
    exec(MOSQUITTO_PUB, [
      ...["-h", "127.0.0.1", "-p", String(port), "-q", "1"],
      ...(user === undefined ? [] : ["-u", user]),
      ...(pw === undefined ? [] : ["-P", pw]),
      ...["-t", topic, "-m", message],
    ]);

  /** mosquitto_sub as `user` on `topic`, printing "topic payload" lines until stopped. */
  function subscriber(user: string, pw: string, topic: string) {
    const child = spawn(MOSQUITTO_SUB, [
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-q",
      "1",
      "-v",
      "-u",
      user,
      "-P",
      pw,
      "-t",
      topic,
    ]);
    children.push(child);
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    return { output: () => out, stop: () => child.kill("SIGTERM") };
  }

  /** Publishes as `bot` until `sub` has seen the message: the subscription is live from then on. */
  async function untilSeen(sub: { output: () => string }, bot: typeof A, topic: string, message: string) {
    const until = Date.now() + 10000;
    while (!sub.output().includes(`${topic} ${message}`)) {
      if (Date.now() > until) throw new Error(`never delivered: ${topic} ${message}; got ${sub.output()}`);
      expect((await pub(`bot-${bot.name}`, bot.password, topic, message)).code).toBe(0);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test("each bot's own password is admitted; a wrong one, another bot's, and anonymous clients are refused", async () => {
    expect((await pub("bot-eth-usdt-live", A.password, "hbot/eth-usdt-live/hb")).code).toBe(0);
    expect((await pub("bot-btc-usdt-mm", B.password, "hbot/btc-usdt-mm/hb")).code).toBe(0);
    expect((await pub("bot-eth-usdt-live", "wrong-password", "hbot/eth-usdt-live/hb")).code).not.toBe(0);
    expect((await pub("bot-btc-usdt-mm", A.password, "hbot/btc-usdt-mm/hb")).code).not.toBe(0);
    expect((await pub("hummingbot", A.password, "hbot/eth-usdt-live/hb")).code).not.toBe(0);
    expect((await pub(undefined, undefined, "hbot/eth-usdt-live/hb")).code).not.toBe(0);
  });

  test("bot A cannot fake B's heartbeat or send B `stop`; its own topics are delivered", async () => {
    const ofB = subscriber("bot-btc-usdt-mm", B.password, "hbot/btc-usdt-mm/#");
    const ofA = subscriber("bot-eth-usdt-live", A.password, "hbot/eth-usdt-live/#");
    try {
      await untilSeen(ofB, B, "hbot/btc-usdt-mm/hb", "ready");
      await untilSeen(ofA, A, "hbot/eth-usdt-live/hb", "ready");
      // mosquitto accepts an unauthorised publish (PUBACK) and drops it: the proof is B's subscriber.
      expect((await pub("bot-eth-usdt-live", A.password, "hbot/btc-usdt-mm/hb", "forged-hb")).code).toBe(0);
      expect((await pub("bot-eth-usdt-live", A.password, "hbot/btc-usdt-mm/stop", "forged-stop")).code).toBe(
        0,
      );
      expect((await pub("bot-eth-usdt-live", A.password, "hbot/eth-usdt-live/hb", "own-hb")).code).toBe(0);
      // B's own message after A's forgeries: once it arrives, anything A got through would have too.
      await untilSeen(ofB, B, "hbot/btc-usdt-mm/hb", "after");
      await untilSeen(ofA, A, "hbot/eth-usdt-live/notify", "after");
      expect(ofB.output()).not.toContain("forged");
      expect(ofA.output()).toContain("hbot/eth-usdt-live/hb own-hb");
    } finally {
      ofB.stop();
      ofA.stop();
    }
  });

  test("bot A cannot read B's topics", async () => {
    const ofB = subscriber("bot-btc-usdt-mm", B.password, "hbot/btc-usdt-mm/#");
    const spy = subscriber("bot-eth-usdt-live", A.password, "hbot/btc-usdt-mm/#");
    const wide = subscriber("bot-eth-usdt-live", A.password, "hbot/#");
    try {
      await untilSeen(ofB, B, "hbot/btc-usdt-mm/status_updates", "secret-status");
      // A's wide subscription is live: it sees A's own topic, and still nothing of B's.
      await untilSeen(wide, A, "hbot/eth-usdt-live/hb", "mine");
      await untilSeen(ofB, B, "hbot/btc-usdt-mm/status_updates", "later-status");
      expect(spy.output()).not.toContain("status");
      expect(wide.output()).not.toContain("btc-usdt-mm");
    } finally {
      ofB.stop();
      spy.stop();
      wide.stop();
    }
  });

  const probe = (mode: string, env: Record<string, string> = {}, timeout = "2") =>
    exec(PYTHON, [script("hummingbot-heartbeat.py"), "--mode", mode, "--timeout", timeout], {
      MQTT_HOST: "127.0.0.1",
      MQTT_PORT: String(port),
      MQTT_USERNAME: "bot-eth-usdt-live",
      MQTT_AUTH_DIR: probeAuth,
      INSTANCE_ID: "eth-usdt-live",
      ...env,
    });

  test("without a heartbeat: not ready and not alive", async () => {
    const [ready, alive] = await Promise.all([probe("readiness"), probe("liveness")]);
    expect(ready.code).toBe(1);
    expect(alive.code).toBe(1);
    expect(alive.stderr).toContain("no heartbeat on hbot/eth-usdt-live/hb");
  });

  test("with the bot's heartbeat every 200 ms: ready and alive; another bot's heartbeat does not count", async () => {
    const beat = (bot: typeof A) =>
      spawn(
        "sh",
        [
          "-c",
          `while :; do ${MOSQUITTO_PUB} -h 127.0.0.1 -p ${port} -u "$USR" -P "$PW" -t hbot/${bot.instanceId}/hb -m '{}'; sleep 0.2; done`,
        ],
        {
          env: { USR: `bot-${bot.name}`, PW: bot.password, PATH: process.env.PATH },
          stdio: "ignore",
          detached: true,
        },
      );
    const other = beat(B);
    children.push(other);
    try {
      expect((await probe("readiness")).code).toBe(1);
      const mine = beat(A);
      children.push(mine);
      try {
        const [ready, alive] = await Promise.all([probe("readiness", {}, "5"), probe("liveness", {}, "5")]);
        expect(ready).toMatchObject({ code: 0 });
        expect(alive).toMatchObject({ code: 0 });
      } finally {
        process.kill(-mine.pid!, "SIGKILL");
      }
    } finally {
      process.kill(-other.pid!, "SIGKILL");
    }
  });

  test("broker unreachable or refusing: liveness passes (no fleet-wide restarts), readiness fails", async () => {
    const down = { MQTT_PORT: String(deadPort) };
    expect((await probe("liveness", down)).code).toBe(0);
    expect((await probe("readiness", down)).code).toBe(1);
    const badAuth = path.join(base, "bad-auth");
    fs.mkdirSync(badAuth);
    fs.writeFileSync(path.join(badAuth, "password"), "wrong");
    const refused = await probe("readiness", { MQTT_AUTH_DIR: badAuth });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("refused the credentials");
    expect((await probe("liveness", { MQTT_AUTH_DIR: badAuth })).code).toBe(0);
  });
});
