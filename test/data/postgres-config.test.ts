/** `botfleet:postgres` and `botfleet:backupCredentials`: defaults, every rule with its exact message. */
import {
  DEFAULT_BACKUP_IMAGE,
  DEFAULT_EXPORTER_IMAGE,
  DEFAULT_POSTGRES_IMAGE,
  backupCredentialsSchema,
  postgresSchema,
  requiredPostgresSecrets,
} from "../../config/postgres";
import { isPinnedImage } from "../../config/common";
import { RECIPIENT_FIX } from "../../config/backup-encryption";
import { EXAMPLE_RECIPIENT, exampleEncryption } from "../support/backup-key";

const messages = (input: unknown) => {
  const r = postgresSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("postgres config", () => {
  test("defaults: no standbys, 20Gi, pinned images, synchronous_commit on, backups off", () => {
    const c = postgresSchema.parse({});
    expect(c).toEqual({
      instances: 1,
      storage: "20Gi",
      image: DEFAULT_POSTGRES_IMAGE,
      exporterImage: DEFAULT_EXPORTER_IMAGE,
      database: "botfleet",
      username: "botfleet",
      synchronousCommit: "on",
      maxConnections: 100,
      resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
      backup: {
        enabled: false,
        schedule: "0 3 * * *",
        region: "us-east-1",
        image: DEFAULT_BACKUP_IMAGE,
        encryption: {},
      },
    });
    // Major 15, as the Debian server the real-server tests run the scripts against.
    expect(DEFAULT_POSTGRES_IMAGE).toMatch(/^postgres:15\.\d+-bookworm$/);
    for (const image of [DEFAULT_POSTGRES_IMAGE, DEFAULT_EXPORTER_IMAGE, DEFAULT_BACKUP_IMAGE]) {
      expect(isPinnedImage(image)).toBe(true);
    }
  });

  test("a prod-like config with backups parses and keeps partial nested values", () => {
    const c = postgresSchema.parse({
      instances: 3,
      storage: "50Gi",
      storageClass: "do-block-storage",
      synchronousCommit: "remote_apply",
      resources: { requests: { memory: "2Gi" }, limits: { memory: "4Gi" } },
      backup: {
        enabled: true,
        bucket: "botfleet-backups",
        endpoint: "https://fra1.digitaloceanspaces.com",
        ...exampleEncryption,
      },
    });
    expect(c.resources.requests).toEqual({ cpu: "250m", memory: "2Gi" });
    expect(c.backup).toMatchObject({
      enabled: true,
      schedule: "0 3 * * *",
      encryption: { recipient: EXAMPLE_RECIPIENT },
    });
    // Unset: the component uses "<stack>/postgres", so two stacks never share one prefix.
    expect(c.backup.prefix).toBeUndefined();
    expect(requiredPostgresSecrets(c)).toEqual(["backupCredentials"]);
    expect(requiredPostgresSecrets(postgresSchema.parse({}))).toEqual([]);
  });

  test.each<[string, unknown, string[]]>([
    ["no instance", { instances: 0 }, ["instances: must be a whole number >= 1, got 0"]],
    [
      "bad storage",
      { storage: "lots" },
      [
        'storage: must be a positive quantity such as "512Mi" or "8Gi" (binary suffixes Ki, Mi, Gi, Ti), got "lots"',
      ],
    ],
    [
      "unpinned image",
      { image: "postgres:latest" },
      [
        'image: must be pinned to a version tag or a digest (e.g. "hummingbot/hummingbot:version-2.5.0" or "repo/image@sha256:..."), never untagged or ":latest", got "postgres:latest"',
      ],
    ],
    [
      "database not an identifier",
      { database: "Bot-Fleet" },
      [
        'database: must be a lowercase Postgres identifier (a-z, 0-9, "_", starting with a letter or "_", at most 63 characters), got "Bot-Fleet"',
      ],
    ],
    [
      "reserved username",
      { username: "replicator" },
      ['username: must not be one of the reserved roles postgres, replicator, got "replicator"'],
    ],
    [
      "unknown synchronousCommit",
      { synchronousCommit: "yes" },
      ['synchronousCommit: Invalid option: expected one of "on"|"remote_write"|"remote_apply"|"local"|"off"'],
    ],
    [
      "synchronous standby without standbys",
      { synchronousCommit: "remote_write" },
      [
        'synchronousCommit: "remote_write" waits for a standby and needs instances >= 2 (every commit would hang), got instances 1',
      ],
    ],
    ["too few connections", { maxConnections: 5 }, ["maxConnections: must be a whole number >= 10, got 5"]],
    [
      "too many connections",
      { maxConnections: 20000 },
      ["maxConnections: must be <= 10000 (use a pooler beyond that), got 20000"],
    ],
    [
      "memory limit below request",
      { resources: { requests: { memory: "2Gi" } } },
      ['resources.limits.memory: must be >= requests.memory (2Gi), got "1Gi"'],
    ],
    [
      "backup enabled without bucket and endpoint",
      { backup: { enabled: true } },
      [
        "backup.bucket: is required when backup.enabled is true, got nothing",
        "backup.endpoint: is required when backup.enabled is true, got nothing",
        `backup.encryption.recipient: is required when backup.enabled is true (dumps are encrypted to it), got nothing; ${RECIPIENT_FIX}`,
      ],
    ],
    [
      "a recipient that is not an armored public key (an age key)",
      {
        backup: {
          encryption: { recipient: "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p" },
        },
      },
      [
        `backup.encryption.recipient: must be an ASCII-armored OpenPGP public key block (-----BEGIN PGP PUBLIC KEY BLOCK----- ...), got "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2el..."; ${RECIPIENT_FIX}`,
      ],
    ],
    [
      "a private key as recipient",
      {
        backup: {
          encryption: {
            recipient: EXAMPLE_RECIPIENT.replace(/PUBLIC KEY BLOCK/g, "PRIVATE KEY BLOCK"),
          },
        },
      },
      [
        `backup.encryption.recipient: is a PRIVATE key: the cluster must only ever get the public key (\`gpg --armor --export\`), and this private key should now be considered exposed, got a private key block (not shown); ${RECIPIENT_FIX}`,
      ],
    ],
    [
      "an armored block with its body cut off",
      {
        backup: {
          encryption: {
            recipient:
              "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEawyuRBYJ\n-----END PGP PUBLIC KEY BLOCK-----",
          },
        },
      },
      [
        `backup.encryption.recipient: holds too little data to be an OpenPGP public key, got "-----BEGIN PGP PUBLIC KEY BLOCK-----\\n\\nmD..."; ${RECIPIENT_FIX}`,
      ],
    ],
    [
      "plain http endpoint",
      { backup: { endpoint: "http://minio.local:9000" } },
      [
        'backup.endpoint: must be an https URL on port 443 of an S3-compatible endpoint without a path, such as "https://fra1.digitaloceanspaces.com", got "http://minio.local:9000"',
      ],
    ],
    [
      "bad cron",
      { backup: { schedule: "every night" } },
      [
        'backup.schedule: must be a five-field cron schedule such as "0 3 * * *" or "@daily", got "every night"',
      ],
    ],
    [
      "retentionCount (removed: retention is the bucket's lifecycle rule)",
      { backup: { retentionCount: 14 } },
      [
        `backup.retentionCount: is removed: the backup key cannot delete, so old dumps expire by the bucket's lifecycle rule (docs/restore.md "Retention"); delete this key, got 14`,
      ],
    ],
    [
      "bad bucket",
      { backup: { bucket: "My_Bucket" } },
      [
        'backup.bucket: must be an S3 bucket name (3-63 lowercase letters, digits, "." or "-"), got "My_Bucket"',
      ],
    ],
    [
      "prefix escaping upwards",
      { backup: { prefix: "a/../b" } },
      [
        'backup.prefix: must be an object key prefix such as "postgres" or "prod/postgres" (letters, digits, ".", "_", "-", "/"), got "a/../b"',
      ],
    ],
    ["unknown key", { replica: 1 }, [': Unrecognized key: "replica"']],
    [
      "endpoint on another port (the backup job may only reach 443)",
      { backup: { endpoint: "https://minio.example.com:9000" } },
      [
        'backup.endpoint: must be an https URL on port 443 of an S3-compatible endpoint without a path, such as "https://fra1.digitaloceanspaces.com", got "https://minio.example.com:9000"',
      ],
    ],
    ["unknown backup key", { backup: { retentionDays: 14 } }, ['backup: Unrecognized key: "retentionDays"']],
  ])("%s", (_label, input, expected) => {
    expect(messages(input)).toEqual(expected);
  });

  test("backupCredentials requires both keys, non-empty, and nothing else", () => {
    expect(backupCredentialsSchema.parse({ accessKeyId: "AK", secretAccessKey: "SK" })).toEqual({
      accessKeyId: "AK",
      secretAccessKey: "SK",
    });
    const r = backupCredentialsSchema.safeParse({ accessKeyId: "", extra: 1 });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
      "accessKeyId: must be a non-empty access key id",
      "secretAccessKey: Invalid input: expected string, received undefined",
      ': Unrecognized key: "extra"',
    ]);
  });
});
