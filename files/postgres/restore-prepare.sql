-- Run by restore.sh (and the docs/restore.md kit) as the database owner, in the same transaction as the
-- restore and restore-owners.sql. A fresh primary's roles.sh has already created an empty schema
-- bot_<name> for every bot; the dump creates those schemas itself, and `CREATE SCHEMA` of an existing one
-- would abort the restore. So drop the bot schemas that hold nothing at all and whose role the owner is a
-- member of (roles.sh makes it a member of every bot role); restore-owners.sql recreates the ones the dump
-- lacks.
SELECT format('DROP SCHEMA %I', n.nspname)
FROM pg_namespace n
WHERE n.nspname LIKE 'bot\_%'
  AND pg_has_role(current_user, n.nspowner, 'MEMBER')
  AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid)
  AND NOT EXISTS (SELECT 1 FROM pg_proc p WHERE p.pronamespace = n.oid)
  AND NOT EXISTS (SELECT 1 FROM pg_type t WHERE t.typnamespace = n.oid)
\gexec
