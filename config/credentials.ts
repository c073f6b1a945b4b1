/**
 * `botfleet:credentialSeed` (required secret) and `botfleet:credentialRotations` (optional): what every
 * generated password is derived from (lib/credentials.ts).
 */
import { z } from "zod";
import { MIN_SEED_LENGTH, SEED_COMMAND } from "../lib/credentials";
import { show } from "./common";
import { suggest } from "./format";

export const SEED_KEY = "botfleet:credentialSeed";

/** `pulumi config set --path` stores a number; a quoted "2" in the stack file is accepted too. */
const rotation = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n === "number" && Number.isSafeInteger(n) && n >= 0) return n;
  ctx.addIssue({ code: "custom", input: v, message: `must be a whole number >= 0, got ${show(v)}` });
  return z.NEVER;
});

/** Credential name -> rotation counter; a credential not listed is at rotation 0. */
export const credentialRotationsSchema = z.record(z.string(), rotation).prefault({});
export type CredentialRotations = z.output<typeof credentialRotationsSchema>;

/**
 * Problems with a seed the stack sets (a missing one is reported with the other missing secrets). The
 * value is never part of a message.
 */
export function seedProblems(text: string, secret: boolean): string[] {
  if (!secret) {
    return [
      `${SEED_KEY}: must be set as a secret, got a plain-text value (not shown); it is exposed wherever the stack file went: remove it from the stack file and set a new one: ${SEED_COMMAND}`,
    ];
  }
  if (text.length < MIN_SEED_LENGTH) {
    return [
      `${SEED_KEY}: must be at least ${MIN_SEED_LENGTH} characters, got a shorter string (secret, not shown); set a new one: ${SEED_COMMAND}`,
    ];
  }
  return [];
}

/** Rotations for credentials this stack does not derive: a typo would otherwise rotate nothing. */
export function rotationProblems(rotations: CredentialRotations, derived: readonly string[]): string[] {
  return Object.keys(rotations)
    .filter((name) => !derived.includes(name))
    .map((name) => {
      const hint = suggest(name, derived);
      return `botfleet:credentialRotations.${name}: this stack derives no credential named ${show(name)}${hint ? `; did you mean ${show(hint)}?` : ""} (it derives: ${derived.join(", ")}); fix the name or remove it`;
    });
}
