#!/bin/sh
# Restores an encrypted backup written by backup.sh into an EMPTY database (a new server bootstrapped
# by entrypoint.sh, or a scratch server for a restore drill). Runs where the private key is, i.e. on
# the operator's machine, never in the cluster: docs/restore.md is the kit, with the same steps by hand.
#
#   restore.sh            the newest complete backup (one with a .sha256)
#   restore.sh NAME       a named backup, e.g. botfleet-20261125T030000123Z.dump.gpg, or its full path
#                         under BACKUP_REMOTE; a dump outside BACKUP_REMOTE (another stack's) is refused
#
# Downloads the backup and its checksum, verifies the checksum, decrypts it with the private key in
# $GNUPGHOME (gpg asks for its passphrase), refuses a database that already holds tables, and restores in
# one transaction (all or nothing). Objects are restored as $PGUSER's (--no-owner) and grants are not
# replayed (--no-privileges): the target's roles may differ. In the same transaction restore-prepare.sql
# drops the empty bot schemas a fresh primary created, and restore-owners.sql gives each bot_<name> schema
# and everything in it back to that bot's role.
#
# Environment: PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD/PGPASSFILE (the target), BACKUP_REMOTE,
# RCLONE_CONFIG_<REMOTE>_*, RCLONE (rclone), GNUPGHOME (the keyring holding the backup private key;
# gpg's default ~/.gnupg), TMPDIR (/tmp: holds the download and the decrypted dump).
set -eu

log() { printf '%s restore: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() {
  log "FATAL: $*"
  exit 1
}

: "${PGDATABASE:?PGDATABASE must be set}"
: "${BACKUP_REMOTE:?BACKUP_REMOTE must be set, e.g. backup:bucket/prefix}"
RCLONE="${RCLONE:-rclone}"
remote="${BACKUP_REMOTE%/}"

workdir="$(mktemp -d "${TMPDIR:-/tmp}/pg-restore.XXXXXX")"
trap 'rm -rf "$workdir"' EXIT INT TERM

requested="${1:-}"
if [ -n "$requested" ]; then
  name="$requested"
  # A path is accepted only under this stack's prefix ("remote:bucket/prefix/NAME" or "bucket/prefix/NAME"):
  # another stack's dump in the same bucket must never be restored here by a slip of the path.
  case "$name" in
    "$remote"/*) name="${name#"$remote"/}" ;;
    "${remote#*:}"/*) name="${name#"${remote#*:}"/}" ;;
    */*) die "backup '$requested' is outside the configured prefix $remote; name a dump under it" ;;
  esac
else
  "$RCLONE" lsf --files-only "$remote/" >"$workdir/listing" || die "cannot list $remote"
  name="$(grep '\.dump\.gpg\.sha256$' "$workdir/listing" | sort | tail -n 1 | sed 's/\.sha256$//')"
  [ -n "$name" ] || die "no complete backup under $remote"
fi
case "$name" in */* | *..*) die "backup '$requested' is outside the configured prefix $remote; name a dump under it" ;; esac

log "downloading $remote/$name"
"$RCLONE" copyto --retries 3 "$remote/$name" "$workdir/$name" || die "cannot download $remote/$name"
"$RCLONE" copyto --retries 3 "$remote/$name.sha256" "$workdir/$name.sha256" ||
  die "cannot download $remote/$name.sha256 (an incomplete backup?)"
(cd "$workdir" && sha256sum -c --status "$name.sha256") || die "checksum mismatch for $name"
log "checksum ok: $(cut -d' ' -f1 "$workdir/$name.sha256")"
gpg --quiet --output "$workdir/dump" --decrypt "$workdir/$name" ||
  die "cannot decrypt $name: is the backup private key in ${GNUPGHOME:-~/.gnupg}?"

tables="$(psql -X -A -t --no-password -d "$PGDATABASE" -c \
  "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r','p','v','m','S') AND n.nspname NOT IN ('pg_catalog','information_schema')
     AND n.nspname NOT LIKE 'pg_toast%'")" || die "cannot inspect $PGDATABASE"
[ "$tables" = "0" ] || die "$PGDATABASE already holds $tables relations; restore only into an empty database"

# The dump as SQL first (a damaged dump fails here, before the database is touched), then the bot schemas
# made ready, the restore and the bots' ownership in ONE transaction: any failure rolls all of it back.
here="$(cd "$(dirname "$0")" && pwd)"
pg_restore --no-owner --no-privileges --file="$workdir/restore.sql" "$workdir/dump" ||
  die "cannot read the dump $name"
psql -X -q --single-transaction -v ON_ERROR_STOP=1 --no-password -d "$PGDATABASE" \
  -f "$here/restore-prepare.sql" -f "$workdir/restore.sql" -f "$here/restore-owners.sql" >/dev/null ||
  die "restore of $name failed and was rolled back: $PGDATABASE is as it was"
log "restored $name into $PGDATABASE on ${PGHOST:-local}:${PGPORT:-5432}"
printf '%s\n' "$name"
