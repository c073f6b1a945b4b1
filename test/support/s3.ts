/**
 * A real S3 API on 127.0.0.1 (s3rver) and the rclone environment backup.sh/restore.sh get in the pod:
 * the CronJob sets the same RCLONE_CONFIG_BACKUP_* variables, with https endpoint and keys from a Secret.
 */
import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import { rcloneRemoteEnv } from "../../components/data/postgres-backup";
export interface S3Server {
  readonly endpoint: string;
  readonly bucket: string;
  close(): Promise<void>;
}

/**
 * s3rver runs in its own node process: the scripts are run with spawnSync, which blocks this event
 * loop, so an in-process server could never answer them.
 */
const SERVER_SOURCE = `
const S3rver = require(process.env.S3RVER_MODULE);
const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: process.env.S3_DIR,
  configureBuckets: [{ name: process.env.S3_BUCKET }] });
server.run().then((a) => process.stdout.write(JSON.stringify({ port: a.port }) + "\\n"));
process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
`;

export async function startS3(directory: string, bucket: string): Promise<S3Server> {
  fs.mkdirSync(directory, { recursive: true });
  const child: ChildProcess = spawn(process.execPath, ["-e", SERVER_SOURCE], {
    env: { ...process.env, S3RVER_MODULE: require.resolve("s3rver"), S3_DIR: directory, S3_BUCKET: bucket },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n")) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`s3rver exited early (${code})`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** s3rver's fixed credentials (it verifies request signatures with them). */
export const S3RVER_KEYS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/**
 * The rclone environment the backup CronJob sets (same builder), pointed at the local endpoint, plus the
 * keys the Job gets from the postgres-backup-s3 Secret.
 */
export function rcloneEnv(
  endpoint: string,
  keys: { accessKeyId: string; secretAccessKey: string } = S3RVER_KEYS,
): Record<string, string> {
  return {
    ...rcloneRemoteEnv(endpoint, "us-east-1"),
    RCLONE_CONFIG_BACKUP_ACCESS_KEY_ID: keys.accessKeyId,
    RCLONE_CONFIG_BACKUP_SECRET_ACCESS_KEY: keys.secretAccessKey,
  };
}

/** Runs rclone from the test itself (listing, tampering), with the same remote configuration. */
export function rclone(endpoint: string, home: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync("rclone", args, {
    env: { PATH: process.env.PATH, HOME: home, ...rcloneEnv(endpoint) },
    encoding: "utf8",
    timeout: 60_000,
  });
}
