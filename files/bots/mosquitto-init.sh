#!/bin/sh
# Builds mosquitto's hashed password file from the plain "user:password" line in a Secret.
# The Secret mount is read-only and mosquitto_passwd -U rewrites in place, so hash a private copy.
set -eu

plain=${PLAIN_USERS_FILE:-/mqtt-secret/passwd}
auth_dir=${AUTH_DIR:-/mosquitto/auth}
mosquitto_passwd=${MOSQUITTO_PASSWD:-mosquitto_passwd}

if [ ! -s "$plain" ]; then
  echo "mosquitto-init: $plain is missing or empty" >&2
  exit 1
fi
mkdir -p "$auth_dir"
umask 077
cp -L "$plain" "$auth_dir/passwd"
chmod 600 "$auth_dir/passwd"
"$mosquitto_passwd" -U "$auth_dir/passwd"
if grep -q '^[^:]*:[^$]' "$auth_dir/passwd"; then
  echo "mosquitto-init: a password was left unhashed" >&2
  exit 1
fi
echo "mosquitto-init: password file ready"
