/**
 * Real server (Debian PostgreSQL 15) started by files/postgres/entrypoint.sh, which runs roles.sh at
 * every primary start: each bot's role reaches its own schema only, `report` reads and cannot write,
 * `monitor` reads the statistics views, and a bot removed from the fleet can no longer log in.
 */
import * as fs from "fs";
import * as path from "path";
import type { Client } from "pg";
import { execFileSync } from "child_process";
import {
  PG_BIN,
  PgNode,
  SCRIPTS_DIR,
  tempDir,
  writeCredentials,
  writeSecret,
  type Credentials,
} from "../support/postgres";

jest.setTimeout(120_000);

let root: string;
let creds: Credentials;
let node: PgNode;
const botPassword: Record<string, string> = {};

function writeBotPassword(bot: string): void {
  botPassword[bot] = `${bot}-` + Math.random().toString(36).slice(2);
  writeSecret(path.join(creds.dir, `bot-${bot}-password`), botPassword[bot]);
}

async function as<T>(
  user: string,
  password: string,
  f: (c: Client) => Promise<T>,
  server: PgNode = node,
): Promise<T> {
  const c = await server.client(password, user);
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}
const bot = <T>(name: string, f: (c: Client) => Promise<T>, server: PgNode = node) =>
  as(`bot_${name.replace(/-/g, "_")}`, botPassword[name], f, server);

beforeAll(async () => {
  root = tempDir("botfleet-pg-roles");
  creds = writeCredentials(root);
  writeBotPassword("alpha");
  writeBotPassword("grid-2");
  node = new PgNode(root, {
    role: "primary",
    podName: "postgres-primary-0",
    credentials: creds,
    extraEnv: { PG_BOT_ROLES: "alpha grid-2" },
  });
  await node.start();
});

afterAll(async () => {
  await node?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe("bot roles", () => {
  test("a bot creates, writes and reads in its own schema, which is its search_path", async () => {
    expect(node.log()).toContain("reconciled owner botfleet, report, monitor, bots [bot_alpha bot_grid_2]");
    await bot("alpha", async (c) => {
      expect((await c.query("SHOW search_path")).rows[0].search_path).toBe("bot_alpha");
      await c.query("CREATE TABLE trades (id serial PRIMARY KEY, qty numeric)");
      await c.query("INSERT INTO trades (qty) VALUES (1), (2)");
      expect((await c.query("SELECT sum(qty)::int AS s FROM bot_alpha.trades")).rows[0].s).toBe(3);
    });
    await bot("grid-2", (c) => c.query("CREATE TABLE orders (id int); INSERT INTO orders VALUES (7)"));
    expect(
      node.superSql("SELECT tableowner FROM pg_tables WHERE schemaname = 'bot_grid_2'", "botfleet"),
    ).toBe("bot_grid_2");
    expect(node.superSql("SELECT left(rolpassword, 14) FROM pg_authid WHERE rolname = 'bot_alpha'")).toBe(
      "SCRAM-SHA-256$",
    );
  });

  test("a bot's credentials are refused on another bot's schema and tables, and on public", async () => {
    await bot("alpha", async (c) => {
      await expect(c.query("SELECT * FROM bot_grid_2.orders")).rejects.toThrow(
        /permission denied for schema bot_grid_2/,
      );
      await expect(c.query("CREATE TABLE bot_grid_2.x (id int)")).rejects.toThrow(/permission denied/);
      await expect(c.query("CREATE TABLE public.x (id int)")).rejects.toThrow(
        /permission denied for schema public/,
      );
      await expect(c.query("CREATE SCHEMA mine")).rejects.toThrow(/permission denied for database/);
    });
    await bot("grid-2", async (c) => {
      await expect(c.query("SELECT * FROM bot_alpha.trades")).rejects.toThrow(/permission denied/);
      await expect(c.query("DROP TABLE bot_alpha.trades")).rejects.toThrow(/permission denied|must be owner/);
    });
    // Another bot's password is not this bot's.
    await expect(node.client(botPassword["grid-2"], "bot_alpha")).rejects.toThrow(
      /password authentication failed/,
    );
  });
});

describe("report and monitor", () => {
  test("report reads every bot's tables and cannot write anywhere", async () => {
    await as("report", creds.reportPassword, async (c) => {
      expect((await c.query("SELECT count(*)::int AS n FROM bot_alpha.trades")).rows[0].n).toBe(2);
      expect((await c.query("SELECT id FROM bot_grid_2.orders")).rows[0].id).toBe(7);
      await expect(c.query("INSERT INTO bot_alpha.trades (qty) VALUES (9)")).rejects.toThrow(
        /read-only transaction/,
      );
      // Not only the default: with read-only switched off, there is still no privilege to write.
      await c.query("SET default_transaction_read_only = off");
      await expect(c.query("INSERT INTO bot_alpha.trades (qty) VALUES (9)")).rejects.toThrow(
        /permission denied for table trades/,
      );
      await expect(c.query("CREATE TABLE public.r (id int)")).rejects.toThrow(/permission denied/);
    });
  });

  test("monitor reads the statistics views (pg_monitor) and no bot data", async () => {
    await as("monitor", creds.monitorPassword, async (c) => {
      const r = await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE query IS NOT NULL");
      expect(r.rows[0].n).toBeGreaterThan(0);
      const member = await c.query("SELECT pg_has_role('monitor', 'pg_monitor', 'MEMBER') AS m");
      expect(member.rows[0].m).toBe(true);
      await expect(c.query("SELECT * FROM bot_alpha.trades")).rejects.toThrow(/permission denied/);
    });
    expect(node.superSql("SELECT pg_has_role('botfleet', 'pg_monitor', 'MEMBER')")).toBe("f");
  });

  test("the owner (backups, operators) reads every bot's schema", async () => {
    await as("botfleet", creds.appPassword, async (c) => {
      expect((await c.query("SELECT count(*)::int AS n FROM bot_alpha.trades")).rows[0].n).toBe(2);
    });
  });
});

test("upgrade (README): a table the owner wrote in public moves into a bot's schema and becomes the bot's", async () => {
  await as("botfleet", creds.appPassword, async (c) => {
    await c.query("CREATE TABLE public.legacy (id int); INSERT INTO public.legacy VALUES (42)");
    await c.query("ALTER TABLE public.legacy SET SCHEMA bot_alpha");
    await c.query("ALTER TABLE bot_alpha.legacy OWNER TO bot_alpha");
  });
  await bot("alpha", async (c) => {
    expect((await c.query("SELECT id FROM legacy")).rows[0].id).toBe(42);
  });
});

describe("reconcile at the next start", () => {
  test("a bot added gets its role, a bot removed keeps its data but cannot log in", async () => {
    await node.stop();
    writeBotPassword("gamma");
    await node.start({ PG_BOT_ROLES: "grid-2 gamma" });
    await expect(node.client(botPassword.alpha, "bot_alpha")).rejects.toThrow(/not permitted to log in/);
    expect(node.superSql("SELECT count(*) FROM bot_alpha.trades", "botfleet")).toBe("2");
    await bot("gamma", (c) => c.query("CREATE TABLE t (id int)"));
    await bot("grid-2", async (c) => {
      expect((await c.query("SELECT id FROM orders")).rows[0].id).toBe(7);
    });
    // The same list again changes nothing.
    await node.stop();
    await node.start({ PG_BOT_ROLES: "grid-2 gamma" });
    expect(
      node.superSql(
        "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolcanlogin AND rolname LIKE 'bot\\_%'",
      ),
    ).toBe("bot_gamma,bot_grid_2");
  });
});

describe("restore (docs/restore.md) into a fresh primary", () => {
  let fresh: PgNode | undefined;
  afterAll(async () => {
    await fresh?.stop();
  });

  /** A client program (pg_dump, pg_restore, psql) as the database owner, over TCP. */
  const owner = (target: PgNode, bin: string, args: string[]) =>
    execFileSync(path.join(PG_BIN, bin), args, {
      env: {
        ...process.env,
        PGHOST: "127.0.0.1",
        PGPORT: String(target.port),
        PGUSER: "botfleet",
        PGDATABASE: "botfleet",
        PGPASSWORD: creds.appPassword,
      },
      encoding: "utf8",
    });

  /** restore.sh's two steps: the dump as SQL, then prepare + restore + owners in one transaction. */
  const toSql = (dump: string, sql: string) =>
    owner(node, "pg_restore", ["--no-owner", "--no-privileges", `--file=${sql}`, dump]);
  const restore = (target: PgNode, sql: string) =>
    owner(target, "psql", [
      "-X",
      "-q",
      "--single-transaction",
      "-v",
      "ON_ERROR_STOP=1",
      "-f",
      path.join(SCRIPTS_DIR, "restore-prepare.sql"),
      "-f",
      sql,
      "-f",
      path.join(SCRIPTS_DIR, "restore-owners.sql"),
    ]);
  const owners = (target: PgNode) =>
    owner(target, "psql", [
      "-X",
      "-q",
      "-v",
      "ON_ERROR_STOP=1",
      "-f",
      path.join(SCRIPTS_DIR, "restore-owners.sql"),
    ]);

  test("each bot gets its schema and everything in it back, and writes again; a failure changes nothing", async () => {
    // A serial column (its sequence follows the table), a SECURITY DEFINER function, an enum, a domain, a
    // statistics object: each must be the bot's again, or the function would run as the owner.
    await bot("grid-2", (c) =>
      c.query(`
        CREATE TABLE fills (id serial PRIMARY KEY, px numeric); INSERT INTO fills (px) VALUES (1.5);
        CREATE FUNCTION whoami() RETURNS text LANGUAGE sql SECURITY DEFINER AS 'SELECT current_user::text';
        CREATE TYPE side AS ENUM ('buy', 'sell');
        CREATE DOMAIN qty AS numeric CHECK (VALUE > 0);
        CREATE STATISTICS fills_stats ON id, px FROM fills;
        CREATE COLLATION bytewise FROM "C";
        CREATE TEXT SEARCH CONFIGURATION notes (COPY = simple);`),
    );
    const dump = path.join(root, "botfleet.dump");
    owner(node, "pg_dump", ["-Fc", "-f", dump]);
    const sql = path.join(root, "restore.sql");
    toSql(dump, sql);

    // A fresh primary: roles.sh has created an empty schema for each listed bot, which the dump creates too.
    fresh = new PgNode(root, {
      role: "primary",
      podName: "postgres-restored-0",
      credentials: creds,
      extraEnv: { PG_BOT_ROLES: "grid-2 gamma" },
    });
    await fresh.start();
    const schemas = () =>
      fresh!.superSql(
        "SELECT string_agg(nspname || ':' || pg_get_userbyid(nspowner), ',' ORDER BY nspname) FROM pg_namespace WHERE nspname LIKE 'bot\\_%'",
        "botfleet",
      );
    expect(schemas()).toBe("bot_gamma:bot_gamma,bot_grid_2:bot_grid_2");
    // The restore alone aborts on the schemas roles.sh created.
    expect(() =>
      owner(fresh!, "psql", ["-X", "-q", "--single-transaction", "-v", "ON_ERROR_STOP=1", "-f", sql]),
    ).toThrow(/schema "bot_\w+" already exists/);
    // A damaged restore (cut short) fails and rolls everything back: the bots keep their schemas.
    const cut = path.join(root, "cut.sql");
    // Cut after the last complete statement of the first 60 lines (one ending in ";"), then fail.
    const head = fs.readFileSync(sql, "utf8").split("\n").slice(0, 60);
    const end = head.map((l) => l.trimEnd().endsWith(";")).lastIndexOf(true);
    fs.writeFileSync(cut, head.slice(0, end + 1).join("\n") + "\nSELECT 1/0;\n");
    expect(() => restore(fresh!, cut)).toThrow(/division by zero/);
    expect(schemas()).toBe("bot_gamma:bot_gamma,bot_grid_2:bot_grid_2");

    restore(fresh, sql);
    // bot_alpha has no role on this server (alpha left the fleet): its data stays the owner's.
    expect(schemas()).toBe("bot_alpha:botfleet,bot_gamma:bot_gamma,bot_grid_2:bot_grid_2");
    const owned = fresh.superSql(
      `SELECT string_agg(what, ',' ORDER BY what) FROM (
         SELECT n.nspname || '.' || c.relname || ':' || pg_get_userbyid(c.relowner) AS what
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname LIKE 'bot\\_%' AND c.relkind IN ('r', 'S')
         UNION ALL SELECT p.oid::regprocedure || ':' || pg_get_userbyid(p.proowner)
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname LIKE 'bot\\_%'
         UNION ALL SELECT t.oid::regtype || ':' || pg_get_userbyid(t.typowner)
           FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
          WHERE n.nspname LIKE 'bot\\_%' AND t.typtype IN ('e', 'd')
         UNION ALL SELECT s.stxname || ':' || pg_get_userbyid(s.stxowner)
           FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace WHERE n.nspname LIKE 'bot\\_%'
         UNION ALL SELECT o.collname || ':' || pg_get_userbyid(o.collowner)
           FROM pg_collation o JOIN pg_namespace n ON n.oid = o.collnamespace WHERE n.nspname LIKE 'bot\\_%'
         UNION ALL SELECT o.cfgname || ':' || pg_get_userbyid(o.cfgowner)
           FROM pg_ts_config o JOIN pg_namespace n ON n.oid = o.cfgnamespace WHERE n.nspname LIKE 'bot\\_%'
       ) o`,
      "botfleet",
    );
    expect(owned.split(",")).toEqual([
      "bot_alpha.legacy:botfleet",
      "bot_alpha.trades:botfleet",
      "bot_alpha.trades_id_seq:botfleet",
      "bot_gamma.t:bot_gamma",
      "bot_grid_2.fills:bot_grid_2",
      "bot_grid_2.fills_id_seq:bot_grid_2",
      "bot_grid_2.orders:bot_grid_2",
      "bot_grid_2.qty:bot_grid_2",
      "bot_grid_2.side:bot_grid_2",
      "bot_grid_2.whoami():bot_grid_2",
      "bytewise:bot_grid_2",
      "fills_stats:bot_grid_2",
      "notes:bot_grid_2",
    ]);
    const asBot = <T>(name: string, f: (c: Client) => Promise<T>) => bot(name, f, fresh!);
    await asBot("grid-2", async (c) => {
      expect((await c.query("SELECT id FROM orders")).rows[0].id).toBe(7);
      await c.query("INSERT INTO fills (px) VALUES (2.5)");
      expect((await c.query("SELECT max(id)::int AS id FROM fills")).rows[0].id).toBe(2);
      // Its SECURITY DEFINER function runs as the bot again, and it may change its own types.
      expect((await c.query("SELECT whoami() AS u")).rows[0].u).toBe("bot_grid_2");
      await c.query("ALTER TYPE side ADD VALUE 'cancel'");
      await c.query("CREATE OR REPLACE FUNCTION whoami() RETURNS text LANGUAGE sql AS 'SELECT 1::text'");
    });
    await asBot("gamma", (c) => c.query("INSERT INTO t VALUES (1)"));
    // Running the owners step again changes nothing.
    owners(fresh);
    expect(schemas()).toBe("bot_alpha:botfleet,bot_gamma:bot_gamma,bot_grid_2:bot_grid_2");
  });
});
