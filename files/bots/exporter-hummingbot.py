"""Prometheus exporter for one headless hummingbot: a sidecar that listens to the bot's MQTT heartbeat.

Hummingbot has no HTTP endpoint (hummingbot#4055); in headless mode it publishes a heartbeat on
`<namespace>/<instance_id>/hb` every ~10 s. This sidecar (python3 + paho-mqtt, from the bot's own
image) subscribes to that topic and serves Prometheus text format on METRICS_PORT (the `metrics` port):

  botfleet_bot_heartbeat_timestamp_seconds  Unix time the last heartbeat arrived (absent until one has)
  botfleet_bot_up                           1 while the last heartbeat is younger than
                                            HEARTBEAT_STALE_SECONDS, else 0
  hummingbot_heartbeats_received_total      heartbeats seen since the sidecar started
  hummingbot_exporter_mqtt_connected        1 while the sidecar is connected to the broker

  GET /metrics  the exposition; answers as long as the process runs (sidecar readiness)
  GET /healthz  200 while the MQTT network loop runs, 503 once it has died (sidecar liveness)

A broker outage is not the bot's fault: the sidecar keeps serving, the heartbeat ages and
botfleet_bot_up drops, and paho reconnects when the broker is back. The broker password is read from
a mounted file, never from argv or the environment, and is never logged.
"""
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import paho.mqtt.client as mqtt


def log(message: str) -> None:
    print(f"hummingbot-exporter: {message}", file=sys.stderr, flush=True)


class State:
    def __init__(self, stale_after: float) -> None:
        self.lock = threading.Lock()
        self.stale_after = stale_after
        self.connected = False
        self.last_beat: "float | None" = None
        self.beats = 0

    def render(self) -> str:
        with self.lock:
            connected, last_beat, beats = self.connected, self.last_beat, self.beats
        up = 1.0 if last_beat is not None and time.time() - last_beat <= self.stale_after else 0.0
        lines = [
            "# HELP botfleet_bot_up 1 while the bot's last heartbeat is fresh.",
            "# TYPE botfleet_bot_up gauge",
            f"botfleet_bot_up {up!r}",
        ]
        if last_beat is not None:
            lines += [
                "# HELP botfleet_bot_heartbeat_timestamp_seconds Unix time the bot's last MQTT heartbeat arrived.",
                "# TYPE botfleet_bot_heartbeat_timestamp_seconds gauge",
                f"botfleet_bot_heartbeat_timestamp_seconds {last_beat!r}",
            ]
        lines += [
            "# HELP hummingbot_heartbeats_received_total MQTT heartbeats received from the bot.",
            "# TYPE hummingbot_heartbeats_received_total counter",
            f"hummingbot_heartbeats_received_total {float(beats)!r}",
            "# HELP hummingbot_exporter_mqtt_connected 1 while the exporter is connected to the broker.",
            "# TYPE hummingbot_exporter_mqtt_connected gauge",
            f"hummingbot_exporter_mqtt_connected {1.0 if connected else 0.0!r}",
        ]
        return "\n".join(lines) + "\n"


def make_client(state: State, instance_id: str, topic: str) -> "mqtt.Client":
    client_id = f"exporter-{instance_id}-{os.getpid()}"
    # paho-mqtt 2 needs the callback API version; 1.x has no such argument.
    if hasattr(mqtt, "CallbackAPIVersion"):
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION1, client_id=client_id)
    else:
        client = mqtt.Client(client_id=client_id)

    def on_connect(c, _userdata, _flags, rc):
        if rc == 0:
            with state.lock:
                state.connected = True
            c.subscribe(topic, qos=0)
            log(f"connected, subscribed to {topic}")
        else:
            log(f"broker refused the connection (rc={rc})")

    def on_disconnect(_c, _userdata, rc):
        with state.lock:
            was = state.connected
            state.connected = False
        if was:
            log(f"disconnected from the broker (rc={rc}); reconnecting")

    def on_message(_c, _userdata, msg):
        if msg.topic == topic:
            with state.lock:
                state.last_beat = time.time()
                state.beats += 1

    client.on_connect = on_connect
    client.on_disconnect = on_disconnect
    client.on_message = on_message
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    return client


def handler_for(state: State, network: threading.Thread):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, state.render(), "text/plain; version=0.0.4; charset=utf-8")
            elif path == "/healthz":
                alive = network.is_alive()
                self._send(200 if alive else 503, "ok\n" if alive else "mqtt loop died\n", "text/plain")
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
            pass

    return Handler


def main() -> int:
    host = os.environ.get("MQTT_HOST", "127.0.0.1")
    port = int(os.environ.get("MQTT_PORT", "1883"))
    username = os.environ["MQTT_USERNAME"]  # the bot's own user, bot-<bot>: there is no shared one
    namespace = os.environ.get("MQTT_NAMESPACE", "hbot")
    instance_id = os.environ["INSTANCE_ID"]
    address = os.environ.get("METRICS_ADDRESS", "0.0.0.0")
    metrics_port = int(os.environ.get("METRICS_PORT", "9105"))
    stale_after = float(os.environ.get("HEARTBEAT_STALE_SECONDS", "60"))
    with open(os.path.join(os.environ.get("MQTT_AUTH_DIR", "/mqtt"), "password"), encoding="utf-8") as f:
        password = f.read().strip()

    state = State(stale_after)
    topic = f"{namespace}/{instance_id}/hb"
    client = make_client(state, instance_id, topic)
    client.username_pw_set(username, password)

    def network_loop() -> None:
        # Retries the first connection too: the broker may start after the bot pod.
        while True:
            try:
                client.connect(host, port, keepalive=30)
                break
            except OSError as e:
                log(f"broker {host}:{port} unreachable ({type(e).__name__}); retrying")
                time.sleep(2)
        client.loop_forever(retry_first_connection=True)

    network = threading.Thread(target=network_loop, daemon=True)
    server = ThreadingHTTPServer((address, metrics_port), handler_for(state, network))
    server.daemon_threads = True
    network.start()
    log(f"serving on {address}:{server.server_address[1]}, watching {topic} on {host}:{port}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        client.disconnect()
        server.server_close()
    return 0


def on_sigterm(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_sigterm)
    sys.exit(main())
