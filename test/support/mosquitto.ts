/**
 * A real mosquitto on 127.0.0.1 set up from what the program renders: mosquitto.conf, the ACL file
 * and the hashed password file, with only the paths and the listener moved to a test directory.
 */
import * as fs from "fs";
import * as path from "path";
import { mosquittoConf } from "../../components/bots/mqtt";
import { mosquittoAcl, mosquittoPasswordLine, mqttBotUsername } from "../../components/bots/mqtt-auth";

export const MOSQUITTO = "/usr/sbin/mosquitto";
export const MOSQUITTO_PUB = "/usr/bin/mosquitto_pub";
export const MOSQUITTO_SUB = "/usr/bin/mosquitto_sub";

/** A hummingbot bot on the test broker: its user is `bot-<name>`. */
export interface TestMqttBot {
  readonly name: string;
  readonly instanceId: string;
  readonly password: string;
}

/** Fails with the fix when Debian's mosquitto is missing: these tests never skip. */
export function requireMosquitto(): void {
  for (const bin of [MOSQUITTO, MOSQUITTO_PUB, MOSQUITTO_SUB]) {
    if (!fs.existsSync(bin))
      throw new Error(
        `${bin} is missing: install Debian's broker (apt-get install -y mosquitto mosquitto-clients)`,
      );
  }
}

/**
 * Writes the broker's files under `dir` and returns the config path to run `mosquitto -c` with.
 * @param passwd the password file's content; @default the program's hashed lines for `bots`
 */
export function writeBrokerFiles(
  dir: string,
  port: number,
  bots: readonly TestMqttBot[],
  passwd = bots.map((b) => mosquittoPasswordLine(mqttBotUsername(b.name), b.password) + "\n").join(""),
): string {
  requireMosquitto();
  for (const sub of ["auth", "config", "data"]) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.writeFileSync(path.join(dir, "auth", "passwd"), passwd, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, "config", "acl"), mosquittoAcl(bots));
  const conf = mosquittoConf()
    .replace(/^listener .*$/m, `listener ${port} 127.0.0.1`)
    .replace("/mosquitto/auth/passwd", path.join(dir, "auth", "passwd"))
    .replace("/mosquitto/config/acl", path.join(dir, "config", "acl"))
    .replace("/mosquitto/data/", path.join(dir, "data") + "/");
  const confPath = path.join(dir, "mosquitto.conf");
  // As root, mosquitto would drop to the `mosquitto` user and lose access to the temp dir.
  fs.writeFileSync(confPath, conf + (process.getuid?.() === 0 ? "user root\n" : ""));
  return confPath;
}
