/**
 * `botfleet:postgres.backup.encryption`: the OpenPGP public key every dump is encrypted to.
 *
 * Public-key on purpose: the cluster holds only the recipient's public key, the private key stays with
 * the operator, so a compromised cluster (or a leaked bucket key) cannot read any backup. GnuPG does the
 * encryption because it is already in the pinned postgres image the backup Job runs (docker-library's
 * Dockerfile installs `gnupg`); age is in no pinned image the Job runs, and rclone crypt is symmetric
 * (its key would have to live in the cluster, which could then decrypt every old backup).
 */
import { z } from "zod";
import { show } from "./common";

/** How to make a key and what to set: appended to every recipient error. */
export const RECIPIENT_FIX =
  'make a key outside the cluster with `gpg --quick-generate-key "botfleet backups" future-default default never`, keep its private half offline, and set the public half with `pulumi config set --path postgres.backup.encryption.recipient -- "$(gpg --armor --export "botfleet backups")"`';

const ARMOR =
  /^-----BEGIN PGP PUBLIC KEY BLOCK-----\r?\n(?:[A-Za-z][A-Za-z-]*: [^\n]*\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+?)(?:\r?\n=[A-Za-z0-9+/]{4})?\r?\n-----END PGP PUBLIC KEY BLOCK-----$/;

/**
 * Why a string is not an ASCII-armored OpenPGP public key block, or undefined when it is one.
 * Checks the armor only (headers, base64 body, optional CRC); gpg itself checks the key when the Job runs.
 */
export function recipientProblem(value: string): string | undefined {
  const v = value.trim();
  if (v.includes("PRIVATE KEY BLOCK")) {
    return "is a PRIVATE key: the cluster must only ever get the public key (`gpg --armor --export`), and this private key should now be considered exposed";
  }
  const m = ARMOR.exec(v);
  if (m === null)
    return "must be an ASCII-armored OpenPGP public key block (-----BEGIN PGP PUBLIC KEY BLOCK----- ...)";
  // A real key is at least a public key packet and a user id: far more than 64 base64 characters.
  if (m[1].replace(/[\r\n=]/g, "").length < 64) return "holds too little data to be an OpenPGP public key";
  return undefined;
}

const recipient = z.string().superRefine((v, ctx) => {
  const problem = recipientProblem(v);
  if (problem !== undefined) {
    ctx.addIssue({
      code: "custom",
      // A private key is never echoed into an error (logs, CI output).
      message: `${problem}, got ${v.includes("PRIVATE KEY") ? "a private key block (not shown)" : show(v.length > 40 ? `${v.slice(0, 40)}...` : v)}; ${RECIPIENT_FIX}`,
      input: v,
    });
  }
});

/**
 * The documentation key in Pulumi.prod.yaml (ed25519 + cv25519, "botfleet example backup key (replace me)"),
 * generated once; its private half was deleted right away, so nothing encrypted to it can ever be read.
 */
export const EXAMPLE_RECIPIENT = `-----BEGIN PGP PUBLIC KEY BLOCK-----

mDMEawyuRBYJKwYBBAHaRw8BAQdAy6f6VYRp41jzLd5CzD9SCM35tfgDSNDcfZ/L
WFUFXxK0KGJvdGZsZWV0IGV4YW1wbGUgYmFja3VwIGtleSAocmVwbGFjZSBtZSmI
kAQTFggAOBYhBLTmFg5LlrjWc1cwNUt4p4Xq6FiQBQJrDK5EAhsDBQsJCAcCBhUK
CQgLAgQWAgMBAh4BAheAAAoJEEt4p4Xq6FiQMlQBAPevxeK4bxKAw3L/rgTf7U0H
2PpWmMtfqRUlgrKtBHu4AP48OdTWud/X3yjmgb+U7FO33Xd/GAWS+3Y78PxJ80uv
B7g4BGsMrkQSCisGAQQBl1UBBQEBB0CtbV9zEVGfvEA2Jhgu7Qq3yxJFnMi8kJaU
a9jFI4iGYAMBCAeIeAQYFggAIBYhBLTmFg5LlrjWc1cwNUt4p4Xq6FiQBQJrDK5E
AhsMAAoJEEt4p4Xq6FiQQFoBAPCGcCOC4CerfEuKCk91/u/WGjo79Sd8KRchnU0B
bvDtAQDWgZVlv/gpiokT4ALMn+wh57fCazhze3agjLtrEXikBQ==
=jBYE
-----END PGP PUBLIC KEY BLOCK-----
`;

/** A warning when a stack still encrypts to the example key (its backups could never be restored), else undefined. */
export function exampleRecipientWarning(recipient: string | undefined): string | undefined {
  if (recipient === undefined || recipient.trim() !== EXAMPLE_RECIPIENT.trim()) return undefined;
  return `botfleet:postgres.backup.encryption.recipient: is the documentation example key, whose private half no one has: these backups can never be decrypted; ${RECIPIENT_FIX}`;
}

export const backupEncryptionSchema = z.strictObject({
  /** ASCII-armored OpenPGP public key (public: it goes into the Job's environment). Required when backup is on. */
  recipient: recipient.transform((v) => `${v.trim()}\n`).optional(),
});
export type BackupEncryptionConfig = z.output<typeof backupEncryptionSchema>;
