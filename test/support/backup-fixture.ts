/**
 * Helpers of the Postgres backup tests: comparing a database's contents, running SQL, and reading the
 * restore kit out of docs/restore.md.
 */
import * as fs from "fs";
import * as path from "path";
import type { PgNode } from "./postgres";

/** Row count and an md5 over every row in key order: equal fingerprints mean equal contents. */
export async function fingerprint(
  node: PgNode,
  database?: string,
): Promise<{ trades: number; orders: number; md5: string }> {
  if (database !== undefined) return fingerprintSql(node, database);
  const c = await node.client();
  try {
    const r = await c.query(
      `SELECT (SELECT count(*)::int FROM trades) AS trades, (SELECT count(*)::int FROM orders) AS orders,
              md5((SELECT string_agg(t::text, '|' ORDER BY t.id) FROM trades t) ||
                  (SELECT string_agg(o::text, '|' ORDER BY o.id) FROM orders o)) AS md5`,
    );
    return r.rows[0];
  } finally {
    await c.end();
  }
}

export function fingerprintSql(
  node: PgNode,
  database: string,
): { trades: number; orders: number; md5: string } {
  const out = node.superSql(
    `SELECT (SELECT count(*) FROM trades) || ',' || (SELECT count(*) FROM orders) || ',' ||
            md5((SELECT string_agg(t::text, '|' ORDER BY t.id) FROM trades t) ||
                (SELECT string_agg(o::text, '|' ORDER BY o.id) FROM orders o))`,
    database,
  );
  const [trades, orders, md5] = out.split(",");
  return { trades: Number(trades), orders: Number(orders), md5 };
}

export async function exec(node: PgNode, sql: string): Promise<void> {
  const c = await node.client();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** The shell block of docs/restore.md "Restore by hand" that starts with `set -eu`: the kit operators run. */
export function restoreKit(): string {
  const doc = fs.readFileSync(path.join(__dirname, "../../docs/restore.md"), "utf8");
  const section = doc.split("\n## ").find((s) => s.startsWith("Restore by hand"));
  const block = section?.split("```sh\n").find((b) => b.startsWith("set -eu"));
  if (block === undefined)
    throw new Error('docs/restore.md: no "Restore by hand" block starting with set -eu');
  return block.slice(0, block.indexOf("```"));
}
