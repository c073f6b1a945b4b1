"""Probe for a headless hummingbot: is its MQTT heartbeat (hbot/<instance_id>/hb, every 10 s) arriving?

Hummingbot has no HTTP endpoint; the heartbeat is the one signal that the bot's loop is alive.
  --mode readiness: ready only if a heartbeat arrives within --timeout seconds.
  --mode liveness:  dead only if the broker is reachable and no heartbeat arrives. A broker outage
                    must not restart every trader in the fleet, so an unreachable broker passes.
The password is read from a mounted file, never from argv or the environment.
Exit codes: 0 pass, 1 fail.
"""
import argparse
import os
import sys
import threading

import paho.mqtt.client as mqtt


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["readiness", "liveness"], required=True)
    parser.add_argument("--timeout", type=float, default=25.0)
    args = parser.parse_args()

    host = os.environ.get("MQTT_HOST", "127.0.0.1")
    port = int(os.environ.get("MQTT_PORT", "1883"))
    username = os.environ["MQTT_USERNAME"]  # the bot's own user, bot-<bot>: there is no shared one
    namespace = os.environ.get("MQTT_NAMESPACE", "hbot")
    instance_id = os.environ["INSTANCE_ID"]
    with open(os.path.join(os.environ.get("MQTT_AUTH_DIR", "/mqtt"), "password"), encoding="utf-8") as f:
        password = f.read().strip()

    connected = threading.Event()
    refused = threading.Event()
    beat = threading.Event()
    topic = f"{namespace}/{instance_id}/hb"

    # paho-mqtt 2 needs the callback API version; 1.x has no such argument.
    if hasattr(mqtt, "CallbackAPIVersion"):
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION1, client_id=f"probe-{instance_id}-{os.getpid()}")
    else:
        client = mqtt.Client(client_id=f"probe-{instance_id}-{os.getpid()}")
    client.username_pw_set(username, password)

    def on_connect(c, _userdata, _flags, rc):
        if rc == 0:
            connected.set()
            c.subscribe(topic, qos=0)
        else:
            refused.set()

    def on_message(_c, _userdata, msg):
        if msg.topic == topic:
            beat.set()

    client.on_connect = on_connect
    client.on_message = on_message
    try:
        client.connect(host, port, keepalive=30)
    except OSError as e:
        print(f"heartbeat probe: broker {host}:{port} unreachable: {e}", file=sys.stderr)
        return 0 if args.mode == "liveness" else 1
    client.loop_start()
    try:
        if not connected.wait(min(10.0, args.timeout)):
            reason = "refused the credentials" if refused.is_set() else "did not answer"
            print(f"heartbeat probe: broker {host}:{port} {reason}", file=sys.stderr)
            return 0 if args.mode == "liveness" else 1
        if beat.wait(args.timeout):
            return 0
        print(f"heartbeat probe: no heartbeat on {topic} in {args.timeout:g}s", file=sys.stderr)
        return 1
    finally:
        client.loop_stop()
        client.disconnect()


if __name__ == "__main__":
    sys.exit(main())
