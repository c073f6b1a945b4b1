/**
 * Fake secret values for the real-engine suite, in the shape each key's schema asks for, and the
 * `pulumi config set` commands the program prints for what a stack is missing.
 */
import { type Workspace } from "./pulumi";

/** A required secret as the program's error names it: the CLI flags and the key (path) to set. */
export interface MissingSecret {
  readonly flags: readonly string[];
  readonly key: string;
}

/**
 * Every `run "pulumi config set --secret [--path] <key> ..."` the program's config error prints.
 * The value part is ours to supply; the flags and key are exactly the program's.
 */
export function missingSecrets(output: string): MissingSecret[] {
  const found = new Map<string, MissingSecret>();
  for (const m of output.matchAll(/pulumi config set ((?:--secret |--path )+)(\S+)/g)) {
    const key = m[2].replace(/^'|'$/g, "");
    found.set(key, { flags: m[1].trim().split(" "), key });
  }
  return [...found.values()];
}

/** A fake value for a secret key, valid for its schema (URLs are https, chat ids numeric, ...). */
export function fakeSecret(key: string): string {
  const leaf = key.split(".").pop() ?? key;
  if (/credentialSeed$/.test(key)) return "e2e-fake-credential-seed-0123456789abcdef0123456789";
  if (/webhookUrl$|\.url$/.test(key)) return `https://hooks.example.com/e2e/${leaf}-not-a-secret`;
  if (/chatId$/.test(key)) return "-1001234567890";
  if (/botToken$/.test(key)) return "123456789:e2eFakeTelegramTokenNotASecret_x";
  if (/routingKey$/.test(key)) return "e2efake0123456789abcdef0123456789";
  if (/\.(to|from)$/.test(key)) return "e2e@example.com";
  if (/smarthost$/.test(key)) return "smtp.example.com:587";
  if (/^digitalocean:token$/.test(key))
    return "dop_v1_e2efakenotasecret0000000000000000000000000000000000000000000000";
  return `e2e-fake-${key.replace(/[^A-Za-z0-9]+/g, "-")}-not-a-secret`;
}

/**
 * Sets each missing secret with the program's own command and a fake value. A value that starts with
 * "-" goes after `--`, as the README tells users (the CLI would read it as a flag).
 */
export function setSecrets(
  ws: Workspace,
  stack: string,
  missing: readonly MissingSecret[],
): Record<string, string> {
  const set: Record<string, string> = {};
  for (const m of missing) {
    const value = fakeSecret(m.key);
    const valueArgs = value.startsWith("-") ? ["--", value] : [value];
    ws.cli(["config", "set", "--stack", stack, ...m.flags, m.key, ...valueArgs]).check();
    set[m.key] = value;
  }
  return set;
}
