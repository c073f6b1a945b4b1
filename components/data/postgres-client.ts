/**
 * What a Postgres client reads: `postgres-client` (where) and `postgres-client-<bot>` (who) in the bots
 * namespace, and the URI.
 */
import type { PostgresConfig } from "../../config/postgres";
import { standardLabels } from "../specs/labels";
import { serviceHost } from "../specs/dns";
import { NAMES, POSTGRES_PORT, type PostgresSpecArgs } from "./postgres-names";
import { POSTGRES_BOT_NAME_MAX } from "./postgres-names";
import { POSTGRES_CLIENT, POSTGRES_ROLES, postgresBotRole } from "./contract";

import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Namespaces } from "../../config/platform";

/** postgresql://user:password@host:port/db with the password percent-encoded. */
export function postgresUri(a: {
  username: string;
  password: string;
  host: string;
  port: number;
  database: string;
}) {
  return `postgresql://${encodeURIComponent(a.username)}:${encodeURIComponent(a.password)}@${a.host}:${a.port}/${encodeURIComponent(a.database)}`;
}

/** Non-secret keys of `postgres-client`: bots that use Postgres roll when they change. */
export function postgresClientSettings(
  config: Pick<PostgresConfig, "database">,
  namespaces: Pick<Namespaces, "data">,
): Record<string, string> {
  return {
    host: serviceHost(NAMES.rw, namespaces.data),
    port: String(POSTGRES_PORT),
    database: config.database,
  };
}

/** `postgres-client` in the bots namespace (secretKeyRef cannot cross namespaces): the fleet contract. */
export function clientSecret(args: PostgresSpecArgs): k8s.types.input.core.v1.Secret {
  const { config: c, namespaces } = args;
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: NAMES.client,
      namespace: namespaces.bots,
      labels: standardLabels({ name: "postgres", instance: args.instance, component: "client" }),
    },
    type: "Opaque",
    stringData: postgresClientSettings(c, namespaces),
  };
}

/** How a bot reaches Postgres: its own role and schema, or the shared read-only `report` role. */
export type PostgresAccess = "schema" | "report";

/** A bot's role name and schema ("" for `report`); throws for a name that does not fit a role. */
export function postgresBotIdentity(
  bot: string,
  access: PostgresAccess,
): { username: string; schema: string } {
  if (access === "report") return { username: POSTGRES_ROLES.report, schema: "" };
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(bot) || bot.length > POSTGRES_BOT_NAME_MAX)
    throw new Error(
      `bots[${JSON.stringify(bot)}].usesPostgres: the bot's role bot_<name> must fit Postgres' 63-character ` +
        `names, so a bot using Postgres needs a DNS label of at most ${POSTGRES_BOT_NAME_MAX} characters; rename the bot`,
    );
  const role = postgresBotRole(bot);
  return { username: role, schema: role };
}

/** `postgres-client-<bot>` in the bots namespace: the bot's own username, password, schema and URI. */
export function botClientSecret(
  args: PostgresSpecArgs,
  bot: string,
  access: PostgresAccess,
  password: pulumi.Input<string>,
): k8s.types.input.core.v1.Secret {
  const { config: c, namespaces } = args;
  const { username, schema } = postgresBotIdentity(bot, access);
  const uri = pulumi.secret(
    pulumi.output(password).apply((p) =>
      postgresUri({
        username,
        password: p,
        host: serviceHost(NAMES.rw, namespaces.data),
        port: POSTGRES_PORT,
        database: c.database,
      }),
    ),
  );
  const k = POSTGRES_CLIENT.botKeys;
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: POSTGRES_CLIENT.botSecret(bot),
      namespace: namespaces.bots,
      labels: standardLabels({ name: "postgres", instance: args.instance, component: "client" }),
    },
    type: "Opaque",
    stringData: { [k.username]: username, [k.password]: password, [k.schema]: schema, [k.uri]: uri },
  };
}
