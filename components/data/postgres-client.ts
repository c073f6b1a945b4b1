/** What a Postgres client reads: the `postgres-client` Secret in the bots namespace and its URI. */
import type { PostgresConfig } from "../../config/postgres";
import { standardLabels } from "../specs/labels";
import { serviceHost } from "../specs/dns";
import { NAMES, POSTGRES_PORT, type PostgresSpecArgs } from "./postgres-names";

import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
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
  config: Pick<PostgresConfig, "database" | "username">,
  namespaces: Pick<Namespaces, "data">,
): Record<string, string> {
  return {
    host: serviceHost(NAMES.rw, namespaces.data),
    port: String(POSTGRES_PORT),
    database: config.database,
    username: config.username,
  };
}

/** `postgres-client` in the bots namespace (secretKeyRef cannot cross namespaces): the fleet contract. */
export function clientSecret(
  args: PostgresSpecArgs,
  appPassword: pulumi.Input<string>,
  uri: pulumi.Input<string>,
): k8s.types.input.core.v1.Secret {
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
    stringData: { ...postgresClientSettings(c, namespaces), password: appPassword, uri },
  };
}
