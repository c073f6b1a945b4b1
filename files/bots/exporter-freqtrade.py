"""Prometheus exporter for one freqtrade bot: a sidecar that polls the bot's REST API on 127.0.0.1.

freqtrade has no /metrics of its own and its API port stays closed to the cluster, so this sidecar
(standard library only: it runs with the bot's own image) polls the API with the generated API
credentials and serves Prometheus text format on METRICS_PORT (the pod's `metrics` port).

  GET /metrics  the exposition; answers as long as the process runs (sidecar readiness)
  GET /healthz  200 while the poll loop keeps turning, 503 once it is stuck (sidecar liveness)

Metrics follow freqtrade-operator's names, plus the fleet's heartbeat contract:
  freqtrade_bot_up / botfleet_bot_up            1 when the last poll got every answer, else 0
  freqtrade_bot_state{state=...}                1 for the state the bot reports (running, stopped, ...)
  freqtrade_bot_open_trades, _max_open_trades, _profit_abs{scope}, _profit_ratio{scope}, _balance
  freqtrade_last_poll_timestamp_seconds         time of the last successful poll
  botfleet_bot_heartbeat_timestamp_seconds      the bot's last loop (/health last_process_ts), set only
                                                by a successful poll of a running bot; it then keeps its
                                                value, so a stalled or stopped bot's heartbeat ages
The password is read from a mounted file (API_AUTH_DIR/password) on every poll, so a rotated Secret
is picked up; it is sent only in the Authorization header and never logged or exported.
"""
import base64
import json
import math
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATES = ("running", "paused", "stopped", "reload_config")


class Config:
    def __init__(self) -> None:
        self.api_url = os.environ.get("API_URL", "http://127.0.0.1:8080").rstrip("/")
        self.username = os.environ.get("API_USERNAME", "freqtrade")
        self.auth_dir = os.environ.get("API_AUTH_DIR", "/api-auth")
        self.address = os.environ.get("METRICS_ADDRESS", "0.0.0.0")
        self.port = int(os.environ.get("METRICS_PORT", "9105"))
        self.interval = float(os.environ.get("POLL_INTERVAL_SECONDS", "15"))
        self.timeout = float(os.environ.get("REQUEST_TIMEOUT_SECONDS", "5"))
        # The poll loop counts as stuck after this long without finishing a round.
        self.stuck_after = max(60.0, 4 * (self.interval + 6 * self.timeout))

    def password(self) -> str:
        with open(os.path.join(self.auth_dir, "password"), encoding="utf-8") as f:
            return f.read().strip()


def log(message: str) -> None:
    print(f"freqtrade-exporter: {message}", file=sys.stderr, flush=True)


class PollError(Exception):
    """A poll failure, described without anything from the request (no URL credentials, no headers)."""


class Api:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg

    def get(self, path: str, password: "str | None") -> object:
        req = urllib.request.Request(f"{self.cfg.api_url}/api/v1/{path}", method="GET")
        if password is not None:
            token = base64.b64encode(f"{self.cfg.username}:{password}".encode()).decode()
            req.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(req, timeout=self.cfg.timeout) as resp:
                return json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            raise PollError(f"/api/v1/{path} answered HTTP {e.code}") from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise PollError(f"/api/v1/{path} unreachable ({type(reason).__name__})") from None
        except ValueError:
            raise PollError(f"/api/v1/{path} returned invalid JSON") from None


def number(value: object) -> "float | None":
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


class Exporter:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.api = Api(cfg)
        self.lock = threading.Lock()
        self.up = 0
        self.snapshot: dict = {}
        self.last_poll: "float | None" = None
        self.heartbeat: "float | None" = None
        self.polls = 0
        self.errors = 0
        self.loop_tick = time.time()
        self.last_error = ""

    def poll_once(self) -> None:
        now = time.time()
        try:
            password = self.cfg.password()
        except OSError as e:
            self._failed(f"cannot read {self.cfg.auth_dir}/password ({type(e).__name__})")
            return
        if not password:
            self._failed(f"{self.cfg.auth_dir}/password is empty")
            return
        try:
            self.api.get("ping", None)
            show_config = self.api.get("show_config", password)
            count = self.api.get("count", password)
            profit = self.api.get("profit", password)
            balance = self.api.get("balance", password)
            try:
                health = self.api.get("health", password)
            except PollError:
                health = {}  # /health came with freqtrade 2023.x; older bots still export the rest
        except PollError as e:
            self._failed(str(e).replace(password, "<redacted>"))
            return
        if not all(isinstance(x, dict) for x in (show_config, count, profit, balance, health)):
            self._failed("unexpected response shape")
            return
        state = str(show_config.get("state", "")).lower()
        snap = {
            "state": state,
            "dry_run": 1.0 if show_config.get("dry_run") else 0.0,
            "stake": str(show_config.get("stake_currency") or balance.get("stake") or ""),
            "open_trades": number(count.get("current")),
            "max_open_trades": number(count.get("max")),
            "total_stake": number(count.get("total_stake")),
            "profit_abs_all": number(profit.get("profit_all_coin")),
            "profit_ratio_all": number(profit.get("profit_all_ratio")),
            "profit_abs_closed": number(profit.get("profit_closed_coin")),
            "profit_ratio_closed": number(profit.get("profit_closed_ratio")),
            "trade_count": number(profit.get("trade_count")),
            "closed_trade_count": number(profit.get("closed_trade_count")),
            "balance": number(balance.get("total_bot", balance.get("total"))),
            "last_process": number(health.get("last_process_ts")),
        }
        with self.lock:
            if self.up == 0 and self.last_error:
                log("API answers again")
            self.up = 1
            self.last_error = ""
            self.snapshot = snap
            self.last_poll = now
            self.polls += 1
            if state == "running":
                # The loop's own timestamp shows a stall even while the API answers.
                self.heartbeat = snap["last_process"] if snap["last_process"] is not None else now

    def _failed(self, reason: str) -> None:
        with self.lock:
            self.up = 0
            self.polls += 1
            self.errors += 1
            if reason != self.last_error:
                log(f"poll failed: {reason}")
            self.last_error = reason

    def run_poller(self, stop: threading.Event) -> None:
        while not stop.is_set():
            started = time.time()
            try:
                self.poll_once()
            except Exception as e:  # keep polling whatever one round did
                self._failed(f"internal error ({type(e).__name__})")
            with self.lock:
                self.loop_tick = time.time()
            stop.wait(max(0.0, self.cfg.interval - (time.time() - started)))

    def stuck(self) -> bool:
        with self.lock:
            return time.time() - self.loop_tick > self.cfg.stuck_after

    def render(self) -> str:
        with self.lock:
            up, snap, last_poll, heartbeat = self.up, dict(self.snapshot), self.last_poll, self.heartbeat
            polls, errors = self.polls, self.errors
        out: list = []

        def metric(name: str, kind: str, help_text: str, samples: list) -> None:
            samples = [(labels, v) for labels, v in samples if v is not None]
            if not samples:
                return
            out.append(f"# HELP {name} {help_text}")
            out.append(f"# TYPE {name} {kind}")
            for labels, value in samples:
                text = ",".join(f'{k}="{escape(v)}"' for k, v in labels.items())
                out.append(f"{name}{{{text}}} {value!r}" if text else f"{name} {value!r}")

        metric("freqtrade_bot_up", "gauge", "1 if the last poll of the bot's API succeeded.", [({}, float(up))])
        metric("botfleet_bot_up", "gauge", "1 if the bot answered its last check.", [({}, float(up))])
        if up:
            state = snap["state"]
            known = STATES if state in STATES else STATES + (state,)
            metric(
                "freqtrade_bot_state",
                "gauge",
                "1 for the state the bot reports.",
                [({"state": s}, 1.0 if s == state else 0.0) for s in known],
            )
            metric("freqtrade_bot_dry_run", "gauge", "1 if the bot trades on paper.", [({}, snap["dry_run"])])
            metric("freqtrade_bot_open_trades", "gauge", "Open trades.", [({}, snap["open_trades"])])
            metric("freqtrade_bot_max_open_trades", "gauge", "max_open_trades.", [({}, snap["max_open_trades"])])
            cur = {"currency": snap["stake"]}
            metric("freqtrade_bot_open_stake", "gauge", "Stake in open trades.", [(cur, snap["total_stake"])])
            metric(
                "freqtrade_bot_profit_abs",
                "gauge",
                "Profit in the stake currency, all trades or closed trades only.",
                [({**cur, "scope": "all"}, snap["profit_abs_all"]), ({**cur, "scope": "closed"}, snap["profit_abs_closed"])],
            )
            metric(
                "freqtrade_bot_profit_ratio",
                "gauge",
                "Profit ratio, all trades or closed trades only.",
                [({"scope": "all"}, snap["profit_ratio_all"]), ({"scope": "closed"}, snap["profit_ratio_closed"])],
            )
            metric("freqtrade_bot_trades", "gauge", "Trades in the database.", [({}, snap["trade_count"])])
            metric("freqtrade_bot_closed_trades", "gauge", "Closed trades.", [({}, snap["closed_trade_count"])])
            metric("freqtrade_bot_balance", "gauge", "Balance the bot manages, in the stake currency.", [(cur, snap["balance"])])
            metric(
                "freqtrade_bot_last_process_timestamp_seconds",
                "gauge",
                "When the bot's loop last ran (/health last_process_ts).",
                [({}, snap["last_process"])],
            )
        metric(
            "freqtrade_last_poll_timestamp_seconds",
            "gauge",
            "Unix time of the last successful poll.",
            [({}, last_poll)],
        )
        metric(
            "botfleet_bot_heartbeat_timestamp_seconds",
            "gauge",
            "Unix time of the bot's last completed loop, seen while it reported running.",
            [({}, heartbeat)],
        )
        metric("freqtrade_exporter_polls_total", "counter", "Polls attempted.", [({}, float(polls))])
        metric("freqtrade_exporter_poll_errors_total", "counter", "Polls that failed.", [({}, float(errors))])
        return "\n".join(out) + "\n"


def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def handler_for(exporter: Exporter):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, exporter.render(), "text/plain; version=0.0.4; charset=utf-8")
            elif path == "/healthz":
                stuck = exporter.stuck()
                self._send(503 if stuck else 200, "poll loop stuck\n" if stuck else "ok\n", "text/plain")
            else:
                self._send(404, "not found\n", "text/plain")

        def _send(self, code: int, body: str, content_type: str) -> None:
            data = body.encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args: object) -> None:
            pass  # scrapes every 30 s would drown the pod's log

    return Handler


def main() -> int:
    cfg = Config()
    exporter = Exporter(cfg)
    stop = threading.Event()
    server = ThreadingHTTPServer((cfg.address, cfg.port), handler_for(exporter))
    server.daemon_threads = True
    poller = threading.Thread(target=exporter.run_poller, args=(stop,), daemon=True)
    poller.start()
    log(f"serving on {cfg.address}:{server.server_address[1]}, polling {cfg.api_url} every {cfg.interval:g}s")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
    return 0


def on_sigterm(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_sigterm)
    sys.exit(main())
