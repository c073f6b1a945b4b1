/** The one way components read the scripts and config files they ship into containers. */
import * as fs from "fs";
import * as path from "path";

/**
 * The named files of `dir`, or every file with one of `extensions` in it (sorted), as name -> text.
 * A missing file throws: a script a pod runs must ship.
 */
export function readFiles(
  dir: string,
  files: { names: readonly string[] } | { extensions: readonly string[] },
) {
  const names =
    "names" in files
      ? files.names
      : fs
          .readdirSync(dir)
          .filter((f) => files.extensions.some((ext) => f.endsWith(ext)))
          .sort();
  const out: Record<string, string> = {};
  for (const name of names) out[name] = fs.readFileSync(path.join(dir, name), "utf8");
  return out;
}
