#!/bin/sh
# Reconciles the database roles of the botfleet data layer; run by entrypoint.sh on every start of a
# primary, against its private socket-only server, so bots added or removed since the last start are
# reflected before anyone connects. Idempotent: running it twice changes nothing.
#
#   owner ($POSTGRES_USER)  owns the database; used by no bot (backups, operators). Member of every bot
#                           role, so pg_dump and restore see every schema.
#   bot_<name>              one LOGIN role per bot with usesPostgres ('-' becomes '_'): CONNECT, its own
#                           schema bot_<name> (owner, search_path), nothing on another bot's schema, no
#                           CREATE on public. A bot no longer listed keeps its role and data but NOLOGIN.
#   report                  LOGIN, pg_read_all_data, read-only transactions: reads every schema, writes none.
#   monitor                 LOGIN, pg_monitor: postgres_exporter.
#
# Environment: PG_SOCKET_DIR, PG_SUPERUSER, POSTGRES_DB, POSTGRES_USER, PG_AUTH_DIR (files
# "report-password", "monitor-password", "bot-<name>-password"), PG_BOT_ROLES (bot names, space-separated).
# Passwords are read by psql itself from the files: they appear on no command line and in no log.
set -eu

die() {
  printf '%s roles: FATAL: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
  exit 1
}

: "${PG_SOCKET_DIR:?}" "${PG_SUPERUSER:?}" "${POSTGRES_DB:?}" "${POSTGRES_USER:?}" "${PG_AUTH_DIR:?}"
PG_BOT_ROLES="${PG_BOT_ROLES:-}"

need_file() { if [ ! -s "$1" ] || [ ! -r "$1" ]; then die "secret file $1 is missing or empty"; fi; }
need_file "$PG_AUTH_DIR/report-password"
need_file "$PG_AUTH_DIR/monitor-password"
case "$POSTGRES_USER" in report | monitor | bot_*) die "POSTGRES_USER '$POSTGRES_USER' collides with a managed role" ;; esac

# The SQL, one block per bot; role names are checked to [a-z0-9_] before they are written into it.
sql() {
  cat <<'SQL'
SET log_statement = 'none';
\set report_password `cat "$PG_AUTH_DIR/report-password"`
\set monitor_password `cat "$PG_AUTH_DIR/monitor-password"`
SELECT format('CREATE ROLE %I', r) FROM unnest(ARRAY['report', 'monitor']) r
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec
ALTER ROLE report LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'report_password';
ALTER ROLE report SET default_transaction_read_only = on;
GRANT pg_read_all_data TO report;
ALTER ROLE monitor LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'monitor_password';
GRANT pg_monitor TO monitor;
-- Before roles, the exporter logged in as the owner with pg_monitor; it no longer does.
REVOKE pg_monitor FROM :"app_user";
\c :"app_db"
SET log_statement = 'none';
REVOKE ALL ON DATABASE :"app_db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"app_db" TO report, monitor;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
  for bot in $PG_BOT_ROLES; do
    case "$bot" in *[!a-z0-9-]* | '' | -* | *-) die "bot name '$bot' is not a DNS label" ;; esac
    role="bot_$(printf '%s' "$bot" | tr '-' '_')"
    [ "${#role}" -le 63 ] || die "role $role is longer than 63 characters"
    file="$PG_AUTH_DIR/bot-$bot-password"
    need_file "$file"
    cat <<SQL
\\set role $role
\\set pw \`cat "$file"\`
SQL
    cat <<'SQL'
SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'pw';
GRANT CONNECT, TEMPORARY ON DATABASE :"app_db" TO :"role";
CREATE SCHEMA IF NOT EXISTS :"role" AUTHORIZATION :"role";
ALTER SCHEMA :"role" OWNER TO :"role";
ALTER ROLE :"role" IN DATABASE :"app_db" SET search_path = :"role";
GRANT :"role" TO :"app_user";
SQL
  done
  # Bots removed from the fleet: their role stays (it owns their data) but can no longer log in.
  cat <<'SQL'
SELECT format('ALTER ROLE %I NOLOGIN', rolname) FROM pg_roles
  WHERE rolname LIKE 'bot\_%' AND rolcanlogin AND rolname <> :'app_user'
    AND rolname <> ALL (string_to_array(:'bot_roles', ' ')) \gexec
SQL
}

bot_roles=""
for bot in $PG_BOT_ROLES; do bot_roles="$bot_roles bot_$(printf '%s' "$bot" | tr '-' '_')"; done
script="$(sql)"
printf '%s\n' "$script" | psql -v ON_ERROR_STOP=1 -q -X -h "$PG_SOCKET_DIR" -U "$PG_SUPERUSER" -d postgres \
  -v app_user="$POSTGRES_USER" -v app_db="$POSTGRES_DB" -v bot_roles="${bot_roles# }" >/dev/null ||
  die "role reconciliation failed"
printf '%s roles: reconciled owner %s, report, monitor, bots [%s]\n' \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$POSTGRES_USER" "${bot_roles# }" >&2
