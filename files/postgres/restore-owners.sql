-- Run by restore.sh (and the docs/restore.md kit) as the database owner right after pg_restore.
-- pg_restore --no-owner made the restoring user own every restored object, so a bot's role would be
-- refused its own tables. Give each bot_<name> schema, and every table, view and sequence in it, back to
-- the role of that name (roles.sh makes the owner a member of every bot role, which ALTER ... OWNER
-- needs), and create the schema of a bot that has a role but was not in the dump.
SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', r.rolname, r.rolname)
FROM pg_roles r
WHERE r.rolname LIKE 'bot\_%' AND r.rolcanlogin
\gexec
SELECT format('ALTER SCHEMA %I OWNER TO %I', n.nspname, n.nspname)
FROM pg_namespace n JOIN pg_roles r ON r.rolname = n.nspname
WHERE n.nspname LIKE 'bot\_%' AND n.nspowner <> r.oid
\gexec
-- A sequence that belongs to a column (serial, identity) follows its table; the others move alone.
SELECT format(
  'ALTER %s %I.%I OWNER TO %I',
  CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
    WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
  n.nspname, c.relname, n.nspname)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_roles r ON r.rolname = n.nspname
WHERE n.nspname LIKE 'bot\_%'
  AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND c.relowner <> r.oid
  AND NOT (c.relkind = 'S' AND EXISTS (
    SELECT 1 FROM pg_depend d
    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
ORDER BY c.relkind = 'S', n.nspname, c.relname
\gexec
