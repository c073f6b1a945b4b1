/** The one file read of the bot builders: the scripts from files/bots/ the shared ConfigMap ships. */
import * as fs from "fs";
import * as path from "path";

/** Scripts from files/bots/ shipped in the shared scripts ConfigMap. */
export const SCRIPTS_DIR = path.join(__dirname, "..", "..", "files", "bots");
export function scriptFiles(): Record<string, string> {
  return {
    "hummingbot-init.sh": fs.readFileSync(path.join(SCRIPTS_DIR, "hummingbot-init.sh"), "utf8"),
    "mosquitto-init.sh": fs.readFileSync(path.join(SCRIPTS_DIR, "mosquitto-init.sh"), "utf8"),
    "hummingbot-heartbeat.py": fs.readFileSync(path.join(SCRIPTS_DIR, "hummingbot-heartbeat.py"), "utf8"),
    "hummingbot-verification-file.py": fs.readFileSync(
      path.join(SCRIPTS_DIR, "hummingbot-verification-file.py"),
      "utf8",
    ),
    "exporter-hummingbot.py": fs.readFileSync(path.join(SCRIPTS_DIR, "exporter-hummingbot.py"), "utf8"),
    "exporter-freqtrade.py": fs.readFileSync(path.join(SCRIPTS_DIR, "exporter-freqtrade.py"), "utf8"),
  };
}
