/**
 * The bot exporter sidecars, run for real with Debian's python3:
 * - freqtrade: against a fake freqtrade REST API on 127.0.0.1 that answers with the shapes freqtrade's
 *   own source returns (rpc.py `_rpc_show_config`, `_rpc_count`, `_rpc_trade_statistics`,
 *   `_rpc_balance`, `health`) and checks HTTP Basic auth as `http_basic_or_jwt_token` does;
 * - hummingbot: against a real mosquitto with password auth, heartbeats published by the test.
 * Every exposition is parsed here and linted by `promtool check metrics`.
 */
import { freePort, waitForPort } from "../support/net";
import { execFile, spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { writeBrokerFiles } from "../support/mosquitto";
import { BOT_METRICS_PORT } from "../../components/bots/names";
import { SCRIPTS_DIR } from "../../components/bots/scripts";

const run = promisify(execFile);
const PYTHON = "/usr/bin/python3"; // Debian's, with python3-paho-mqtt
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "botfleet-exporters-"));
const children: ChildProcess[] = [];
const servers: http.Server[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

// ---------------------------------------------------------------- helpers

/** Polls until `check` holds; the deadline only bounds a hang, it is not an assertion on speed. */
async function waitFor<T>(what: string, ms: number, check: () => Promise<T | false | undefined>): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const r = await check();
      if (r !== false && r !== undefined) return r;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function httpGet(port: number, pathName: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path: pathName, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
  });
}

interface Sample {
  readonly labels: Record<string, string>;
  readonly value: number;
}
interface Family {
  type?: string;
  help?: string;
  samples: Sample[];
}

/** A strict reader of the Prometheus text format (0.0.4): every line must be a comment or a sample. */
function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    if (!families.has(name)) families.set(name, { samples: [] });
    return families.get(name)!;
  };
  expect(text.endsWith("\n")).toBe(true);
  for (const line of text.split("\n").slice(0, -1)) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      const f = family(meta[2]);
      if (meta[1] === "TYPE") {
        expect(f.samples).toEqual([]); // TYPE comes before the samples
        f.type = meta[3];
      } else f.help = meta[3];
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a valid exposition line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/g;
      let consumed = 0;
      for (let lm = re.exec(m[2]); lm; lm = re.exec(m[2])) {
        labels[lm[1]] = lm[2];
        consumed += lm[0].length;
      }
      expect(consumed).toBe(m[2].length);
    }
    const value = Number(m[3]);
    expect(Number.isNaN(value)).toBe(false);
    family(m[1]).samples.push({ labels, value });
  }
  for (const [name, f] of families) {
    expect({ name, type: f.type, help: typeof f.help }).toEqual({
      name,
      type: expect.stringMatching(/^(gauge|counter)$/),
      help: "string",
    });
  }
  return families;
}

/** The one unlabelled sample of a metric, or undefined when the metric is absent. */
function scalar(families: Map<string, Family>, name: string): number | undefined {
  const f = families.get(name);
  if (!f) return undefined;
  expect(f.samples).toHaveLength(1);
  return f.samples[0].value;
}

function labelled(families: Map<string, Family>, name: string, labels: Record<string, string>) {
  return families.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

async function promtoolCheck(text: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = spawn("promtool", ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("close", (code) => resolve({ code: code ?? -1, out }));
    p.stdin.end(text);
  });
}

interface Exporter {
  readonly proc: ChildProcess;
  readonly port: number;
  logs(): string;
  metrics(): Promise<Map<string, Family>>;
  raw(): Promise<string>;
}

async function startExporter(script: string, env: Record<string, string>): Promise<Exporter> {
  const port = await freePort();
  const proc = spawn(PYTHON, [path.join(SCRIPTS_DIR, script)], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      METRICS_ADDRESS: "127.0.0.1",
      METRICS_PORT: String(port),
      PYTHONDONTWRITEBYTECODE: "1",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(proc);
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  await waitForPort(port);
  const raw = async () => {
    const r = await httpGet(port, "/metrics");
    expect(r.status).toBe(200);
    return r.body;
  };
  return { proc, port, logs: () => out, raw, metrics: async () => parseExposition(await raw()) };
}

async function stop(e: Exporter): Promise<void> {
  if (e.proc.exitCode !== null) return;
  const exited = new Promise((r) => e.proc.once("exit", r));
  e.proc.kill("SIGTERM");
  await exited;
}

// ---------------------------------------------------------------- freqtrade

const API_USER = "freqtrade";
const API_PASSWORD = "Xq7GeneratedApiServerPassw0rdZ9k";

/** A freqtrade API with the response shapes of freqtrade's rpc.py, state switchable by the test. */
class FakeFreqtrade {
  state: "running" | "stopped" = "running";
  lastProcessTs: number | null = Math.floor(Date.now() / 1000) - 3;
  password = API_PASSWORD;
  readonly authSeen: string[] = [];
  readonly paths: string[] = [];
  server!: http.Server;
  port = 0;

  async listen(port = 0): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    servers.push(this.server);
    await new Promise<void>((resolve) => this.server.listen(port, "127.0.0.1", resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = (req.url ?? "").split("?")[0];
    this.paths.push(url);
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "GET") return send(405, { detail: "Method Not Allowed" });
    if (url === "/api/v1/ping") return send(200, { status: "pong" });
    // http_basic_or_jwt_token: Basic credentials compared with the configured username/password.
    const auth = req.headers.authorization ?? "";
    this.authSeen.push(auth);
    const expected = "Basic " + Buffer.from(`${API_USER}:${this.password}`).toString("base64");
    if (auth !== expected) return send(401, { detail: "Unauthorized" });
    const body = this.body(url);
    return body === undefined ? send(404, { detail: "Not Found" }) : send(200, body);
  }

  private body(url: string): unknown {
    switch (url) {
      case "/api/v1/show_config":
        return {
          version: "2025.10",
          strategy_version: null,
          api_version: 2.43,
          dry_run: true,
          trading_mode: "spot",
          short_allowed: false,
          stake_currency: "USDT",
          stake_currency_decimals: 3,
          stake_amount: "100",
          available_capital: null,
          max_open_trades: 3,
          minimal_roi: { "0": 0.04 },
          stoploss: -0.1,
          stoploss_on_exchange: false,
          trailing_stop: false,
          trailing_stop_positive: null,
          trailing_stop_positive_offset: 0.0,
          trailing_only_offset_is_reached: false,
          unfilledtimeout: { entry: 10, exit: 10, unit: "minutes", exit_timeout_count: 0 },
          use_custom_stoploss: false,
          order_types: {
            entry: "limit",
            exit: "limit",
            stoploss: "market",
            stoploss_on_exchange: false,
          },
          bot_name: "ft-sample",
          timeframe: "5m",
          timeframe_ms: 300000,
          timeframe_min: 5,
          exchange: "binance",
          strategy: "SampleStrategy",
          force_entry_enable: false,
          exit_pricing: {},
          entry_pricing: {},
          state: this.state, // str(State.RUNNING) == "running"
          runmode: "dry_run",
          position_adjustment_enable: false,
          max_entry_position_adjustment: -1,
        };
      case "/api/v1/count":
        return { current: 2, max: 3, total_stake: 200.5 };
      case "/api/v1/profit":
        return {
          profit_closed_coin: 12.5,
          profit_closed_percent_mean: 1.2,
          profit_closed_ratio_mean: 0.012,
          profit_closed_percent_sum: 6.0,
          profit_closed_ratio_sum: 0.06,
          profit_closed_percent: 1.25,
          profit_closed_ratio: 0.0125,
          profit_closed_fiat: 0,
          profit_all_coin: -3.75,
          profit_all_percent_mean: -0.3,
          profit_all_ratio_mean: -0.003,
          profit_all_percent_sum: -2.1,
          profit_all_ratio_sum: -0.021,
          profit_all_percent: -0.38,
          profit_all_ratio: -0.00375,
          profit_all_fiat: 0,
          trade_count: 7,
          closed_trade_count: 5,
          first_trade_date: "3 days ago",
          first_trade_humanized: "3 days ago",
          first_trade_timestamp: 1763900000000,
          latest_trade_date: "an hour ago",
          latest_trade_humanized: "an hour ago",
          latest_trade_timestamp: 1764100000000,
          avg_duration: "2:10:00",
          best_pair: "BTC/USDT",
          best_rate: 3.1,
          best_pair_profit_ratio: 0.031,
          winning_trades: 3,
          losing_trades: 2,
          profit_factor: 1.8,
          winrate: 0.6,
          expectancy: 2.5,
          expectancy_ratio: 0.2,
          max_drawdown: 0.04,
          max_drawdown_abs: 40.0,
          trading_volume: 1400.0,
          bot_start_timestamp: 1763900000000,
          bot_start_date: "2025-11-23 12:00:00",
        };
      case "/api/v1/balance":
        return {
          currencies: [
            {
              currency: "USDT",
              free: 800.25,
              balance: 1000.5,
              used: 200.25,
              bot_owned: 1000.5,
              est_stake: 1000.5,
              est_stake_bot: 1000.5,
              stake: "USDT",
              side: "long",
              is_position: false,
              position: 0,
              is_bot_managed: true,
            },
          ],
          total: 1012.25,
          total_bot: 1000.5,
          symbol: "",
          value: 0,
          value_bot: 0,
          stake: "USDT",
          starting_capital: 1000,
          starting_capital_ratio: 0.0005,
          starting_capital_pct: 0.05,
          starting_capital_fiat: 0,
          starting_capital_fiat_ratio: 0,
          starting_capital_fiat_pct: 0,
          trade_count: 7,
          note: "Simulated balances",
        };
      case "/api/v1/health": {
        const ts = this.lastProcessTs;
        const iso = ts === null ? null : new Date(ts * 1000).toISOString().replace("T", " ").slice(0, 19);
        return {
          last_process: iso === null ? null : `${iso}+00:00`,
          last_process_loc: iso,
          last_process_ts: ts,
          bot_start: "2025-11-23 12:00:00+00:00",
          bot_start_loc: "2025-11-23 12:00:00",
          bot_start_ts: 1763899200,
          bot_startup: "2025-11-25 20:00:00+00:00",
          bot_startup_loc: "2025-11-25 20:00:00",
          bot_startup_ts: 1764100800,
        };
      }
      default:
        return undefined;
    }
  }
}

describe("freqtrade exporter against a fake freqtrade API", () => {
  const authDir = path.join(tmpRoot, "api-auth");
  let api: FakeFreqtrade;
  let exporter: Exporter;
  const allText: string[] = [];

  const startFt = (apiPort: number, dir = authDir) =>
    startExporter("exporter-freqtrade.py", {
      API_URL: `http://127.0.0.1:${apiPort}`,
      API_USERNAME: API_USER,
      API_AUTH_DIR: dir,
      POLL_INTERVAL_SECONDS: "0.2",
      REQUEST_TIMEOUT_SECONDS: "1",
    });
  const polls = (m: Map<string, Family>) => scalar(m, "freqtrade_exporter_polls_total") ?? 0;
  /** Metrics after at least `n` more polls than `after` shows. */
  const afterPolls = async (e: Exporter, after: Map<string, Family>, n = 2) =>
    waitFor(`${n} more polls`, 15000, async () => {
      const m = await e.metrics();
      return polls(m) >= polls(after) + n ? m : false;
    });

  beforeAll(async () => {
    fs.mkdirSync(authDir, { recursive: true });
    // As a Secret volume holds it: the value, maybe with a trailing newline.
    fs.writeFileSync(path.join(authDir, "password"), API_PASSWORD + "\n");
    api = new FakeFreqtrade();
    await api.listen();
    exporter = await startFt(api.port);
  });

  afterAll(() => stop(exporter));

  test("a running bot: up, state, trades, profit, balance, and the heartbeat is the bot's last loop", async () => {
    const before = Date.now() / 1000;
    const m = await waitFor("a successful poll", 15000, async () => {
      const x = await exporter.metrics();
      return scalar(x, "freqtrade_bot_up") === 1 ? x : false;
    });
    const text = await exporter.raw();
    allText.push(text);
    expect(await promtoolCheck(text)).toEqual({ code: 0, out: "" });
    expect(scalar(m, "botfleet_bot_up")).toBe(1);
    expect(m.get("freqtrade_bot_state")!.samples).toEqual([
      { labels: { state: "running" }, value: 1 },
      { labels: { state: "paused" }, value: 0 },
      { labels: { state: "stopped" }, value: 0 },
      { labels: { state: "reload_config" }, value: 0 },
    ]);
    expect(scalar(m, "freqtrade_bot_dry_run")).toBe(1);
    expect(scalar(m, "freqtrade_bot_open_trades")).toBe(2);
    expect(scalar(m, "freqtrade_bot_max_open_trades")).toBe(3);
    expect(labelled(m, "freqtrade_bot_open_stake", { currency: "USDT" })).toBe(200.5);
    expect(labelled(m, "freqtrade_bot_profit_abs", { scope: "all", currency: "USDT" })).toBe(-3.75);
    expect(labelled(m, "freqtrade_bot_profit_abs", { scope: "closed", currency: "USDT" })).toBe(12.5);
    expect(labelled(m, "freqtrade_bot_profit_ratio", { scope: "all" })).toBe(-0.00375);
    expect(labelled(m, "freqtrade_bot_profit_ratio", { scope: "closed" })).toBe(0.0125);
    expect(scalar(m, "freqtrade_bot_trades")).toBe(7);
    expect(scalar(m, "freqtrade_bot_closed_trades")).toBe(5);
    // total_bot (what this bot manages), not the account total.
    expect(labelled(m, "freqtrade_bot_balance", { currency: "USDT" })).toBe(1000.5);
    expect(scalar(m, "freqtrade_bot_last_process_timestamp_seconds")).toBe(api.lastProcessTs);
    expect(scalar(m, "botfleet_bot_heartbeat_timestamp_seconds")).toBe(api.lastProcessTs);
    const lastPoll = scalar(m, "freqtrade_last_poll_timestamp_seconds")!;
    expect(lastPoll).toBeGreaterThanOrEqual(Math.floor(before) - 1);
    expect(lastPoll).toBeLessThanOrEqual(Date.now() / 1000 + 1);
    expect(scalar(m, "freqtrade_exporter_poll_errors_total")).toBe(0);
    // Every private call carried the Basic credentials; ping went without them.
    const expected = "Basic " + Buffer.from(`${API_USER}:${API_PASSWORD}`).toString("base64");
    expect(new Set(api.authSeen)).toEqual(new Set([expected]));
    expect(new Set(api.paths)).toEqual(
      new Set([
        "/api/v1/ping",
        "/api/v1/show_config",
        "/api/v1/count",
        "/api/v1/profit",
        "/api/v1/balance",
        "/api/v1/health",
      ]),
    );
    expect(await httpGet(exporter.port, "/healthz")).toEqual({ status: 200, body: "ok\n" });
  });

  test("the heartbeat follows the bot's loop while running, and stops moving once the bot is stopped", async () => {
    api.lastProcessTs = Math.floor(Date.now() / 1000);
    const running = await waitFor("the newer loop timestamp", 15000, async () => {
      const x = await exporter.metrics();
      return scalar(x, "botfleet_bot_heartbeat_timestamp_seconds") === api.lastProcessTs ? x : false;
    });
    const heartbeat = scalar(running, "botfleet_bot_heartbeat_timestamp_seconds")!;

    api.state = "stopped";
    // Whatever /health reports for a stopped bot, a stopped bot gives no heartbeat.
    api.lastProcessTs = heartbeat + 100;
    const stopped = await waitFor("the stopped state", 15000, async () => {
      const x = await exporter.metrics();
      return labelled(x, "freqtrade_bot_state", { state: "stopped" }) === 1 ? x : false;
    });
    const later = await afterPolls(exporter, stopped, 3);
    allText.push(await exporter.raw());
    expect(labelled(later, "freqtrade_bot_state", { state: "running" })).toBe(0);
    expect(scalar(later, "freqtrade_bot_up")).toBe(1);
    expect(scalar(later, "botfleet_bot_heartbeat_timestamp_seconds")).toBe(heartbeat);
    expect(scalar(later, "freqtrade_last_poll_timestamp_seconds")!).toBeGreaterThan(
      scalar(running, "freqtrade_last_poll_timestamp_seconds")!,
    );

    api.state = "running";
    await waitFor("the heartbeat to move again", 15000, async () => {
      const x = await exporter.metrics();
      return scalar(x, "botfleet_bot_heartbeat_timestamp_seconds") === heartbeat + 100;
    });
  });

  test("API down: bot_up 0, no state; the heartbeat keeps its last value; back up when the API is", async () => {
    const beforeDown = await exporter.metrics();
    const heartbeat = scalar(beforeDown, "botfleet_bot_heartbeat_timestamp_seconds");
    const lastPoll = scalar(beforeDown, "freqtrade_last_poll_timestamp_seconds");
    expect(heartbeat).toBeDefined();
    const port = api.port;
    await api.close();
    const down = await waitFor("bot_up 0", 15000, async () => {
      const x = await exporter.metrics();
      return scalar(x, "freqtrade_bot_up") === 0 ? x : false;
    });
    const text = await exporter.raw();
    allText.push(text);
    expect(await promtoolCheck(text)).toEqual({ code: 0, out: "" });
    expect(scalar(down, "botfleet_bot_up")).toBe(0);
    expect(down.has("freqtrade_bot_state")).toBe(false);
    expect(down.has("freqtrade_bot_open_trades")).toBe(false);
    // Kept, so that BotHeartbeatStale sees it age.
    expect(scalar(down, "botfleet_bot_heartbeat_timestamp_seconds")).toBe(heartbeat);
    expect(scalar(down, "freqtrade_last_poll_timestamp_seconds")).toBe(lastPoll);
    expect(scalar(down, "freqtrade_exporter_poll_errors_total")!).toBeGreaterThan(0);
    expect(exporter.logs()).toContain("/api/v1/ping unreachable");
    expect(await httpGet(exporter.port, "/healthz")).toEqual({ status: 200, body: "ok\n" });

    await api.listen(port);
    const back = await waitFor("bot_up 1 again", 15000, async () => {
      const x = await exporter.metrics();
      return scalar(x, "freqtrade_bot_up") === 1 ? x : false;
    });
    expect(labelled(back, "freqtrade_bot_state", { state: "running" })).toBe(1);
    expect(exporter.logs()).toContain("API answers again");
  });

  test("wrong password: bot_up 0 with a 401 in the log, and the password is nowhere", async () => {
    api.password = "RotatedOnTheServerOnly";
    const m = await waitFor("bot_up 0", 15000, async () => {
      const x = await exporter.metrics();
      return scalar(x, "freqtrade_bot_up") === 0 ? x : false;
    });
    expect(m.has("freqtrade_bot_balance")).toBe(false);
    expect(exporter.logs()).toContain("/api/v1/show_config answered HTTP 401");
    allText.push(await exporter.raw());
    // The file is read on every poll: the rotated Secret is picked up without a restart.
    api.password = API_PASSWORD;
    await waitFor("bot_up 1 after the password matches again", 15000, async () => {
      return scalar(await exporter.metrics(), "freqtrade_bot_up") === 1;
    });
  });

  test("a bot stopped from the start never gets a heartbeat; an API that never answers gives bot_up 0", async () => {
    api.state = "stopped";
    const fresh = await startFt(api.port);
    try {
      const m = await waitFor("a successful poll", 15000, async () => {
        const x = await fresh.metrics();
        return scalar(x, "freqtrade_bot_up") === 1 ? x : false;
      });
      const later = await afterPolls(fresh, m, 2);
      allText.push(await fresh.raw());
      expect(labelled(later, "freqtrade_bot_state", { state: "stopped" })).toBe(1);
      expect(later.has("botfleet_bot_heartbeat_timestamp_seconds")).toBe(false);
      expect(scalar(later, "freqtrade_last_poll_timestamp_seconds")).toBeDefined();
    } finally {
      await stop(fresh);
      allText.push(fresh.logs());
      api.state = "running";
    }

    const dead = await startFt(await freePort());
    try {
      const first = await waitFor("a failed poll", 15000, async () => {
        const x = await dead.metrics();
        return polls(x) >= 1 ? x : false;
      });
      const m = await afterPolls(dead, first, 1);
      allText.push(await dead.raw());
      expect(scalar(m, "freqtrade_bot_up")).toBe(0);
      expect(scalar(m, "botfleet_bot_up")).toBe(0);
      expect(m.has("botfleet_bot_heartbeat_timestamp_seconds")).toBe(false);
      expect(m.has("freqtrade_last_poll_timestamp_seconds")).toBe(false);
    } finally {
      await stop(dead);
      allText.push(dead.logs());
    }
  });

  test("a missing password file: bot_up 0, the path in the log, still serving", async () => {
    const e = await startFt(api.port, path.join(tmpRoot, "no-such-dir"));
    try {
      const m = await waitFor("a failed poll", 15000, async () => {
        const x = await e.metrics();
        return polls(x) >= 1 ? x : false;
      });
      expect(scalar(m, "freqtrade_bot_up")).toBe(0);
      expect(e.logs()).toContain("cannot read");
    } finally {
      await stop(e);
      allText.push(e.logs());
    }
  });

  test("nothing any exporter printed or served holds the password or the Basic token built from it", async () => {
    await stop(exporter);
    allText.push(exporter.logs());
    const token = Buffer.from(`${API_USER}:${API_PASSWORD}`).toString("base64");
    // Logs of 4 exporters and 6 expositions, including the failure paths.
    expect(allText.length).toBeGreaterThanOrEqual(10);
    expect(allText.join("\n")).toContain("poll failed");
    for (const text of allText) {
      expect(text).not.toContain(API_PASSWORD);
      expect(text).not.toContain(token);
    }
  });
});

// ---------------------------------------------------------------- hummingbot

describe("hummingbot exporter against a real mosquitto", () => {
  const base = path.join(tmpRoot, "mqtt");
  // Each bot publishes with its own user, as the rendered ACL requires (components/bots/mqtt-auth.ts).
  const bots = [
    { name: "btc-usdt-mm", instanceId: "btc-usdt-mm", password: "Gen3rat3dMqttPassw0rdForExporters" },
    { name: "eth-usdt-live", instanceId: "eth-usdt-live", password: "Gen3rat3dMqttPassw0rdForTheOther" },
  ];
  const password = bots[0].password;
  const passwordOf = (instance: string) => bots.find((b) => b.instanceId === instance)!.password;
  let port: number;
  let confPath: string;
  let broker: ChildProcess;
  let exporter: Exporter;
  const allText: string[] = [];

  const startBroker = async () => {
    broker = spawn("/usr/sbin/mosquitto", ["-c", confPath], { stdio: "ignore" });
    children.push(broker);
    await waitForPort(port);
  };
  const stopBroker = async () => {
    const exited = new Promise((r) => broker.once("exit", r));
    broker.kill("SIGTERM");
    await exited;
  };
  const publish = (instance: string, pw = passwordOf(instance)) =>
    run("/usr/bin/mosquitto_pub", [
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-u",
      `bot-${instance}`,
      "-P",
      pw,
      "-t",
      `hbot/${instance}/hb`,
      "-m",
      JSON.stringify({ timestamp: Date.now() / 1000, header: { reply_to: null } }),
    ]);
  const startHb = (env: Record<string, string> = {}) =>
    startExporter("exporter-hummingbot.py", {
      MQTT_HOST: "127.0.0.1",
      MQTT_PORT: String(port),
      MQTT_USERNAME: "bot-btc-usdt-mm",
      MQTT_AUTH_DIR: path.join(base, "probe-auth"),
      INSTANCE_ID: "btc-usdt-mm",
      HEARTBEAT_STALE_SECONDS: "2",
      ...env,
    });
  const connected = (e: Exporter, want: number) =>
    waitFor(`mqtt_connected ${want}`, 20000, async () => {
      const x = await e.metrics();
      return scalar(x, "hummingbot_exporter_mqtt_connected") === want ? x : false;
    });

  beforeAll(async () => {
    port = await freePort();
    confPath = writeBrokerFiles(base, port, bots);
    await startBroker();
    fs.mkdirSync(path.join(base, "probe-auth"));
    fs.writeFileSync(path.join(base, "probe-auth", "password"), password + "\n");
    exporter = await startHb();
  });

  afterAll(() => stop(exporter));

  test("before any heartbeat: connected, bot_up 0, no heartbeat timestamp; another bot's beat does not count", async () => {
    const m = await connected(exporter, 1);
    expect(scalar(m, "botfleet_bot_up")).toBe(0);
    expect(m.has("botfleet_bot_heartbeat_timestamp_seconds")).toBe(false);
    await publish("eth-usdt-live");
    await publish("eth-usdt-live");
    // Our own beat after the others: once it is counted, the others were seen and ignored.
    await publish("btc-usdt-mm");
    const after = await waitFor("our heartbeat", 10000, async () => {
      const x = await exporter.metrics();
      return scalar(x, "hummingbot_heartbeats_received_total") === 1 ? x : false;
    });
    expect(scalar(after, "botfleet_bot_up")).toBe(1);
    const text = await exporter.raw();
    allText.push(text);
    expect(await promtoolCheck(text)).toEqual({ code: 0, out: "" });
  });

  test("heartbeats: the timestamp is the arrival time, up while fresh, 0 once stale (timestamp kept)", async () => {
    const before = Date.now() / 1000;
    for (let i = 0; i < 3; i++) await publish("btc-usdt-mm");
    const m = await waitFor("3 more heartbeats", 10000, async () => {
      const x = await exporter.metrics();
      return scalar(x, "hummingbot_heartbeats_received_total") === 4 ? x : false;
    });
    const ts = scalar(m, "botfleet_bot_heartbeat_timestamp_seconds")!;
    expect(ts).toBeGreaterThanOrEqual(before - 0.5);
    expect(ts).toBeLessThanOrEqual(Date.now() / 1000 + 0.5);
    expect(scalar(m, "botfleet_bot_up")).toBe(1);
    const stale = await waitFor("bot_up 0 after HEARTBEAT_STALE_SECONDS", 15000, async () => {
      const x = await exporter.metrics();
      return scalar(x, "botfleet_bot_up") === 0 ? x : false;
    });
    expect(scalar(stale, "botfleet_bot_heartbeat_timestamp_seconds")).toBe(ts);
    allText.push(await exporter.raw());
  });

  test("broker restart: the exporter keeps serving, reports the disconnect, reconnects and sees beats again", async () => {
    await stopBroker();
    const down = await connected(exporter, 0);
    expect(scalar(down, "botfleet_bot_up")).toBe(0);
    expect(await httpGet(exporter.port, "/healthz")).toEqual({ status: 200, body: "ok\n" });
    await startBroker();
    await connected(exporter, 1);
    await publish("btc-usdt-mm");
    await waitFor("bot_up 1 after the reconnect", 10000, async () => {
      return scalar(await exporter.metrics(), "botfleet_bot_up") === 1;
    });
    expect(exporter.logs()).toContain("disconnected from the broker");
    allText.push(await exporter.raw());
  });

  test("wrong broker password: never connected, bot_up 0, refused in the log, still serving", async () => {
    const bad = path.join(base, "bad-auth");
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, "password"), "not-the-password");
    const e = await startHb({
      MQTT_AUTH_DIR: bad,
      MQTT_USERNAME: "bot-eth-usdt-live",
      INSTANCE_ID: "eth-usdt-live",
    });
    try {
      await waitFor("the refusal in the log", 15000, async () => e.logs().includes("refused the connection"));
      await publish("eth-usdt-live");
      const m = await e.metrics();
      expect(scalar(m, "hummingbot_exporter_mqtt_connected")).toBe(0);
      expect(scalar(m, "botfleet_bot_up")).toBe(0);
      expect(m.has("botfleet_bot_heartbeat_timestamp_seconds")).toBe(false);
      allText.push(await e.raw());
    } finally {
      await stop(e);
      allText.push(e.logs());
    }
  });

  test("nothing either exporter printed or served holds the broker password", async () => {
    await stop(exporter);
    allText.push(exporter.logs());
    expect(allText.length).toBeGreaterThanOrEqual(6);
    expect(allText.join("\n")).toContain("refused the connection");
    for (const text of allText) for (const bot of bots) expect(text).not.toContain(bot.password);
  });
});

test("both exporters default to the port the pod spec names `metrics`", () => {
  for (const script of ["exporter-freqtrade.py", "exporter-hummingbot.py"]) {
    const text = fs.readFileSync(path.join(SCRIPTS_DIR, script), "utf8");
    expect({ script, port: /"METRICS_PORT", "(\d+)"/.exec(text)?.[1] }).toEqual({
      script,
      port: String(BOT_METRICS_PORT),
    });
  }
});
