#!/bin/sh
# Encrypted logical backup of one database to S3-compatible storage (DigitalOcean Spaces, Linode Object
# Storage, AWS S3, MinIO), run by the backup CronJob in the postgres image (pg_dump matches the server's
# major version; gpg comes with the image) with the static rclone binary copied in by an init container.
#
# Streams pg_dump -Fc | gpg --encrypt (to the operator's public key) | rclone rcat into
# <remote>/<db>-<UTC timestamp>.dump.gpg: nothing is staged on disk and the cluster can never decrypt it.
# Then uploads <name>.sha256 (of the ciphertext) only if every stage succeeded: an object without its
# .sha256 is an interrupted backup, never restored as latest. It never deletes anything (its key should
# not be able to): retention is the bucket's lifecycle rule. Any failure exits non-zero.
#
# Environment:
#   PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD (or PGPASSFILE)   libpq, the database to dump
#   BACKUP_REMOTE            rclone path "remote:bucket/prefix", e.g. "backup:botfleet-backups/postgres"
#   BACKUP_RECIPIENT         ASCII-armored OpenPGP PUBLIC key the dumps are encrypted to
#   RCLONE_CONFIG_<REMOTE>_* the remote's settings (type s3, endpoint, keys from a Secret)
#   RCLONE                   rclone binary (rclone)
#   TMPDIR                   scratch space for gpg's home and small status files (/tmp), never the dump
set -eu

log() { printf '%s backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() {
  log "FATAL: $*"
  exit 1
}

: "${PGDATABASE:?PGDATABASE must be set}"
: "${BACKUP_REMOTE:?BACKUP_REMOTE must be set, e.g. backup:bucket/prefix}"
: "${BACKUP_RECIPIENT:?BACKUP_RECIPIENT must be set to an ASCII-armored OpenPGP public key}"
RCLONE="${RCLONE:-rclone}"
remote="${BACKUP_REMOTE%/}"
case "$BACKUP_RECIPIENT" in
  *"PRIVATE KEY"*) die "BACKUP_RECIPIENT holds a private key; give the Job only the public key" ;;
esac

workdir="$(mktemp -d "${TMPDIR:-/tmp}/pg-backup.XXXXXX")"
trap 'rm -rf "$workdir"' EXIT INT TERM

# gpg with a throwaway home: the recipient is read from a file, never imported into a keyring.
export GNUPGHOME="$workdir/gnupg"
mkdir -m 700 "$GNUPGHOME"
printf '%s\n' "$BACKUP_RECIPIENT" >"$workdir/recipient.asc"
fingerprint="$(gpg --batch --no-tty --with-colons --show-keys "$workdir/recipient.asc" 2>/dev/null |
  awk -F: '$1 == "fpr" { print $10; exit }')"
[ -n "$fingerprint" ] || die "BACKUP_RECIPIENT is not an OpenPGP public key gpg can read"

# Millisecond UTC timestamps sort lexically in time order; "restore latest" relies on that.
name="$PGDATABASE-$(date -u +%Y%m%dT%H%M%S%3NZ).dump.gpg"
case "$name" in *%3N*) die "date does not support %N (needs GNU date)" ;; esac

# A stream cannot be taken back once rcat has started it (and the key cannot delete): fail on a wrong
# password or an unreachable server before anything is uploaded.
psql -X -q -A -t --no-password -d "$PGDATABASE" -c 'SELECT 1' >/dev/null ||
  die "cannot connect to $PGDATABASE on ${PGHOST:-local}:${PGPORT:-5432}; nothing uploaded"

if "$RCLONE" lsf "$remote/$name" 2>/dev/null | grep -q .; then
  die "$remote/$name already exists; refusing to overwrite"
fi

# POSIX sh has no pipefail: each stage writes its exit status to a file (`|| rc=$?`, so set -e does not end
# the stage before it does), and the checksum of what was uploaded is taken from a fifo beside the upload.
mkfifo "$workdir/tap"
sha256sum <"$workdir/tap" >"$workdir/sha" &
summer=$!
log "dumping $PGDATABASE from ${PGHOST:-local}:${PGPORT:-5432}, encrypting to $fingerprint, streaming to $remote/$name"
{
  rc=0
  pg_dump --format=custom --compress=6 --no-password "$PGDATABASE" || rc=$?
  echo "$rc" >"$workdir/pg_dump.rc"
} | {
  # pg_dump already compressed: gpg only encrypts. --trust-model always: the key came from the stack config.
  rc=0
  gpg --batch --no-tty --quiet --trust-model always --compress-algo none \
    --recipient-file "$workdir/recipient.asc" --encrypt || rc=$?
  echo "$rc" >"$workdir/gpg.rc"
} | {
  rc=0
  tee "$workdir/tap" || rc=$?
  echo "$rc" >"$workdir/tee.rc"
} | {
  rc=0
  "$RCLONE" rcat "$remote/$name" || rc=$?
  echo "$rc" >"$workdir/rcat.rc"
}
wait "$summer" || die "sha256sum of the stream failed"

# Downstream first: when the upload fails, every stage before it dies of a broken pipe.
for stage in rcat tee gpg pg_dump; do
  rc="$(cat "$workdir/$stage.rc" 2>/dev/null || echo missing)"
  # The object may be in the bucket, but without its .sha256 no restore takes it; the lifecycle rule expires it.
  [ "$rc" = 0 ] || die "$stage failed (exit $rc); $remote/$name is incomplete and has no .sha256"
done

sha="$(cut -d' ' -f1 "$workdir/sha")"
printf '%s  %s\n' "$sha" "$name" | "$RCLONE" rcat "$remote/$name.sha256" ||
  die "cannot upload $remote/$name.sha256"
log "uploaded $remote/$name (sha256 $sha, encrypted to $fingerprint)"
printf '%s\n' "$name"
