-- Run by restore.sh (and the docs/restore.md kit) as the database owner, in the same transaction as
-- restore-prepare.sql and the restore. pg_restore --no-owner made the restoring user own every restored
-- object, so a bot would be refused its own tables, could not replace its own functions, and its
-- SECURITY DEFINER functions would run as the owner (a member of every bot role). Give each bot_<name>
-- schema and what is in it back to the role of that name, where the owner is a member of that role
-- (roles.sh makes it one of every bot role; ALTER ... OWNER needs it), and create the schema of a bot that
-- has a role but was not in the dump. Large objects belong to no schema: they stay the owner's.
SELECT format('CREATE SCHEMA %I AUTHORIZATION %I', r.rolname, r.rolname)
FROM pg_roles r
WHERE r.rolname LIKE 'bot\_%' AND r.rolcanlogin AND pg_has_role(current_user, r.oid, 'MEMBER')
  AND NOT EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = r.rolname)
\gexec

-- The bot schemas whose role exists and is the owner's to hand out, and that role.
CREATE TEMPORARY VIEW bot_schemas AS
SELECT n.oid AS nsp, n.nspname AS name, n.nspowner AS owner, r.oid AS role
FROM pg_namespace n JOIN pg_roles r ON r.rolname = n.nspname
WHERE n.nspname LIKE 'bot\_%' AND pg_has_role(current_user, r.oid, 'MEMBER');

SELECT format('ALTER SCHEMA %I OWNER TO %I', name, name) FROM bot_schemas WHERE owner <> role
\gexec
-- Relations. A sequence that belongs to a column (serial, identity) follows its table; the others move alone.
SELECT format(
  'ALTER %s %I.%I OWNER TO %I',
  CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
    WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
  s.name, c.relname, s.name)
FROM pg_class c JOIN bot_schemas s ON s.nsp = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND c.relowner <> s.role
  AND NOT (c.relkind = 'S' AND EXISTS (
    SELECT 1 FROM pg_depend d
    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
ORDER BY c.relkind = 'S', c.relname
\gexec
-- Functions, procedures and aggregates.
SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, s.name)
FROM pg_proc p JOIN bot_schemas s ON s.nsp = p.pronamespace
WHERE p.proowner <> s.role
\gexec
-- Enums, domains, ranges and standalone composite types (a table's row type follows the table).
SELECT format('ALTER %s %s OWNER TO %I', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype, s.name)
FROM pg_type t JOIN bot_schemas s ON s.nsp = t.typnamespace
WHERE t.typowner <> s.role AND t.typtype IN ('e', 'd', 'r', 'c')
  AND (t.typtype <> 'c' OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
\gexec
-- Collations, text search configurations and dictionaries, extended statistics: named in their schema.
SELECT format('ALTER %s %I.%I OWNER TO %I', o.kind, s.name, o.name, s.name)
FROM (
  SELECT 'COLLATION' AS kind, collname AS name, collnamespace AS nsp, collowner AS owner FROM pg_collation
  UNION ALL SELECT 'TEXT SEARCH CONFIGURATION', cfgname, cfgnamespace, cfgowner FROM pg_ts_config
  UNION ALL SELECT 'TEXT SEARCH DICTIONARY', dictname, dictnamespace, dictowner FROM pg_ts_dict
  UNION ALL SELECT 'STATISTICS', stxname, stxnamespace, stxowner FROM pg_statistic_ext
) o JOIN bot_schemas s ON s.nsp = o.nsp
WHERE o.owner <> s.role
\gexec
DROP VIEW bot_schemas;
