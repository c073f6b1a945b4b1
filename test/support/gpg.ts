/**
 * Real OpenPGP keys for the backup tests, made by the same gpg (Debian bookworm's 2.2.40) the postgres
 * image ships. Each key lives in its own GNUPGHOME owned by the script user, like an operator's keyring.
 */
import { spawnSync, SpawnSyncReturns } from "child_process";
import { ownedDir, runAs } from "./postgres";

export interface GpgKeyring {
  /** GNUPGHOME holding the private key (the operator's machine, never the cluster). */
  readonly home: string;
  /** The ASCII-armored public key: what the stack's backup.encryption.recipient holds. */
  readonly publicKey: string;
  /** Primary key fingerprint (40 hex digits). */
  readonly fingerprint: string;
}

/** Runs gpg as the script user in `home`. */
export function gpg(home: string, args: string[], input?: string | Buffer): SpawnSyncReturns<Buffer> {
  return spawnSync("gpg", ["--batch", "--no-tty", ...args], {
    env: { PATH: process.env.PATH, GNUPGHOME: home, HOME: home },
    uid: runAs.uid,
    gid: runAs.gid,
    input,
    timeout: 60_000,
  });
}

/** Generates an unprotected ed25519/cv25519 key in a new keyring under `parent`. Throws with gpg's stderr. */
export function makeKeyring(parent: string, name: string): GpgKeyring {
  const home = ownedDir(parent, name);
  const userId = `botfleet test backups (${name})`;
  const gen = gpg(home, [
    "--passphrase",
    "",
    "--quick-generate-key",
    userId,
    "future-default",
    "default",
    "never",
  ]);
  if (gen.status !== 0) throw new Error(`gpg key generation failed: ${gen.stderr.toString()}`);
  const exported = gpg(home, ["--armor", "--export", userId]);
  const listed = gpg(home, ["--with-colons", "--list-keys", userId]);
  const fpr = listed.stdout
    .toString()
    .split("\n")
    .find((l) => l.startsWith("fpr:"));
  if (exported.status !== 0 || fpr === undefined)
    throw new Error(`gpg export failed: ${exported.stderr.toString()}`);
  return { home, publicKey: exported.stdout.toString(), fingerprint: fpr.split(":")[9] };
}

/** Stops the gpg-agent a keyring started (it would outlive the test otherwise). */
export function stopAgent(home: string): void {
  spawnSync("gpgconf", ["--kill", "all"], {
    env: { PATH: process.env.PATH, GNUPGHOME: home },
    uid: runAs.uid,
    gid: runAs.gid,
  });
}
