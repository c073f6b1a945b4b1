/**
 * Who may use the hummingbot MQTT broker and for what: one user per hummingbot bot, allowed only its
 * own topics `hbot/<instance_id>/#`. hummingbot v2.16.0 (hummingbot/remote_iface/mqtt.py, TopicSpecs)
 * publishes and subscribes only under `<mqtt_namespace>/<instance_id>` (commands, hb, events, notify,
 * status_updates, log, external/event/#); the probe and the exporter sidecar read the same bot's
 * `hb` with that bot's credentials, so no user needs another bot's topics.
 */
import { createHmac, pbkdf2Sync } from "crypto";

/** hummingbot's `mqtt_namespace`: the first level of every topic a bot uses. */
export const MQTT_NAMESPACE = "hbot";
/** mosquitto's own default (PW_DEFAULT_ITERATIONS, src/password_mosq.h at v2.0.20). */
export const MOSQUITTO_PBKDF2_ITERATIONS = 101;
/** mosquitto's salt length in bytes (SALT_LEN, src/password_mosq.h at v2.0.20). */
const MOSQUITTO_SALT_BYTES = 12;

/** A bot's MQTT user name on the broker: `bot-<bot name>` (a DNS-1123 label: no ":" or spaces). */
export const mqttBotUsername = (botName: string): string => `bot-${botName}`;

/**
 * One line of mosquitto's password file for `username`, hashed the way `mosquitto_passwd` hashes
 * (`$7$`: PBKDF2-HMAC-SHA512, 101 iterations, 12-byte salt, 64-byte hash, both base64; the
 * format is `%s:$7$%d$%s$%s` in apps/mosquitto_passwd/mosquitto_passwd.c at v2.0.20), so the broker's
 * Secret never holds a plain password.
 *
 * The salt is HMAC-SHA256(key = password, "botfleet/mosquitto-salt/<username>"), first 12 bytes:
 * the same inputs always give the same line (no diff on every `pulumi up`), every user and every
 * rotation gets its own salt, and the salt reveals nothing of the password.
 *
 * @param username no ":" or line breaks
 * @param password non-empty, no line breaks
 * @returns `username:$7$101$<salt>$<hash>` without a newline
 * @throws Error when the username or password cannot be written to the file
 */
export function mosquittoPasswordLine(username: string, password: string): string {
  if (username === "" || /[:\r\n]/.test(username))
    throw new Error(
      `mosquittoPasswordLine: username must be non-empty with no ":" or line breaks, got ${JSON.stringify(username)}`,
    );
  if (password === "" || /[\r\n]/.test(password))
    throw new Error("mosquittoPasswordLine: password must be non-empty with no line breaks");
  const salt = createHmac("sha256", password)
    .update(`botfleet/mosquitto-salt/${username}`)
    .digest()
    .subarray(0, MOSQUITTO_SALT_BYTES);
  const hash = pbkdf2Sync(password, salt, MOSQUITTO_PBKDF2_ITERATIONS, 64, "sha512");
  return `${username}:$7$${MOSQUITTO_PBKDF2_ITERATIONS}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

/** A hummingbot bot as the broker sees it. */
export interface MqttBotUser {
  /** The bot's name (its user is {@link mqttBotUsername}). */
  readonly name: string;
  /** hummingbot's `instance_id` ([A-Za-z0-9_-], validated by the config loader). */
  readonly instanceId: string;
}

/**
 * mosquitto's `acl_file`: each bot's user reads and writes `hbot/<instance_id>/#` and nothing else.
 * With an acl_file, mosquitto denies every topic no line grants (mosquitto.conf(5), acl_file), so a
 * bot cannot publish another's heartbeat or `stop`, nor read its status. Bots in name order.
 * @throws Error when an instance id could be read by mosquitto as a wildcard or another level
 */
export function mosquittoAcl(bots: readonly MqttBotUser[]): string {
  const lines = [
    "# One user per hummingbot bot, limited to its own topics (botfleet: components/bots/mqtt-auth.ts).",
  ];
  for (const bot of [...bots].sort((a, b) => a.name.localeCompare(b.name))) {
    if (!/^[A-Za-z0-9_-]+$/.test(bot.instanceId))
      throw new Error(
        `mosquittoAcl: instance id of bot ${bot.name} must match [A-Za-z0-9_-]+, got ${JSON.stringify(bot.instanceId)}`,
      );
    lines.push(
      "",
      `user ${mqttBotUsername(bot.name)}`,
      `topic readwrite ${MQTT_NAMESPACE}/${bot.instanceId}/#`,
    );
  }
  return lines.join("\n") + "\n";
}
