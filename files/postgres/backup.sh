#!/bin/sh
# Logical backup of one database to S3-compatible storage (DigitalOcean Spaces, Linode Object Storage,
# AWS S3, MinIO), run by the backup CronJob in the postgres image (pg_dump matches the server's major
# version) with the static rclone binary copied in from the rclone image by an init container.
#
# Writes <remote>/<db>-<UTC timestamp>.dump (pg_dump custom format) and <name>.sha256 next to it, then
# deletes all but the newest $BACKUP_RETENTION_COUNT dumps. Any failure exits non-zero: the Job fails
# and "backup too old" alerts fire.
#
# Environment:
#   PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD (or PGPASSFILE)   libpq, the database to dump
#   BACKUP_REMOTE            rclone path "remote:bucket/prefix", e.g. "backup:botfleet-backups/postgres"
#   BACKUP_RETENTION_COUNT   how many dumps to keep (>= 1)
#   RCLONE_CONFIG_<REMOTE>_* the remote's settings (type s3, endpoint, keys from a Secret)
#   RCLONE                   rclone binary (rclone)
#   TMPDIR                   scratch space for the dump (/tmp)
set -eu

log() { printf '%s backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() {
  log "FATAL: $*"
  exit 1
}

: "${PGDATABASE:?PGDATABASE must be set}"
: "${BACKUP_REMOTE:?BACKUP_REMOTE must be set, e.g. backup:bucket/prefix}"
: "${BACKUP_RETENTION_COUNT:?BACKUP_RETENTION_COUNT must be set}"
RCLONE="${RCLONE:-rclone}"
case "$BACKUP_RETENTION_COUNT" in
  '' | *[!0-9]*) die "BACKUP_RETENTION_COUNT must be a whole number >= 1, got '$BACKUP_RETENTION_COUNT'" ;;
esac
[ "$BACKUP_RETENTION_COUNT" -ge 1 ] || die "BACKUP_RETENTION_COUNT must be >= 1, got $BACKUP_RETENTION_COUNT"
remote="${BACKUP_REMOTE%/}"

workdir="$(mktemp -d "${TMPDIR:-/tmp}/pg-backup.XXXXXX")"
trap 'rm -rf "$workdir"' EXIT INT TERM

# Millisecond UTC timestamps sort lexically in time order; retention relies on that.
name="$PGDATABASE-$(date -u +%Y%m%dT%H%M%S%3NZ).dump"
case "$name" in *%3N*) die "date does not support %N (needs GNU date)" ;; esac

log "dumping $PGDATABASE from ${PGHOST:-local}:${PGPORT:-5432}"
pg_dump --format=custom --compress=6 --no-password --file="$workdir/$name" "$PGDATABASE"
# A dump pg_restore cannot list is not a backup.
pg_restore --list "$workdir/$name" >/dev/null || die "pg_restore cannot read the new dump"
(cd "$workdir" && sha256sum "$name" >"$name.sha256")
size="$(wc -c <"$workdir/$name" | tr -d ' ')"

if "$RCLONE" lsf "$remote/$name" 2>/dev/null | grep -q .; then
  die "$remote/$name already exists; refusing to overwrite"
fi
# The checksum goes up last: a dump without its .sha256 is an interrupted upload, never restored as latest.
"$RCLONE" copyto --retries 3 "$workdir/$name" "$remote/$name"
"$RCLONE" copyto --retries 3 "$workdir/$name.sha256" "$remote/$name.sha256"
log "uploaded $remote/$name ($size bytes, sha256 $(cut -d' ' -f1 "$workdir/$name.sha256"))"

# Retention: keep the newest N complete dumps (those with a checksum); delete the rest and their checksums.
"$RCLONE" lsf --files-only "$remote/" >"$workdir/listing" || die "cannot list $remote"
grep '\.dump$' "$workdir/listing" | sort >"$workdir/dumps" || true
total="$(wc -l <"$workdir/dumps" | tr -d ' ')"
excess=$((total - BACKUP_RETENTION_COUNT))
if [ "$excess" -gt 0 ]; then
  head -n "$excess" "$workdir/dumps" | while IFS= read -r old; do
    log "retention: deleting $old"
    "$RCLONE" deletefile "$remote/$old"
    if grep -qxF "$old.sha256" "$workdir/listing"; then "$RCLONE" deletefile "$remote/$old.sha256"; fi
  done
fi
log "done: $name; $((total > BACKUP_RETENTION_COUNT ? BACKUP_RETENTION_COUNT : total)) dumps kept"
printf '%s\n' "$name"
