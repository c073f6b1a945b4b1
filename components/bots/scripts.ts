/** The one file read of the bot builders: the scripts from files/bots/ the shared ConfigMap ships. */
import { readFiles } from "../specs/files";
import * as path from "path";

/** Scripts from files/bots/ shipped in the shared scripts ConfigMap. */
export const SCRIPTS_DIR = path.join(__dirname, "..", "..", "files", "bots");
export function scriptFiles(): Record<string, string> {
  return readFiles(SCRIPTS_DIR, {
    names: [
      "hummingbot-init.sh",
      "mosquitto-init.sh",
      "hummingbot-heartbeat.py",
      "hummingbot-verification-file.py",
      "exporter-hummingbot.py",
      "exporter-freqtrade.py",
    ],
  });
}
