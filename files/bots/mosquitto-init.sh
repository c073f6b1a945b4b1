#!/bin/sh
# Installs mosquitto's password file from the broker's Secret, which holds only "user:$7$..." hashes
# (made by the program, components/bots/mqtt-auth.ts). The Secret mount is root-owned and shared by
# the kubelet's symlinks; mosquitto wants a plain file only its own user can read, so copy it.
set -eu

hashed=${PASSWD_FILE:-/mqtt-secret/passwd}
auth_dir=${AUTH_DIR:-/mosquitto/auth}

if [ ! -s "$hashed" ]; then
  echo "mosquitto-init: $hashed is missing or empty" >&2
  exit 1
fi
# Every line must be "user:$7$<iterations>$<salt>$<hash>": a plain password is refused, not hashed here.
# shellcheck disable=SC2016 # the $ signs are literal
if grep -v -q '^[^:][^:]*:\$7\$[0-9][0-9]*\$[A-Za-z0-9+/=]*\$[A-Za-z0-9+/=]*$' "$hashed"; then
  echo "mosquitto-init: $hashed has a line that is not user:\$7\$ hash; the Secret must hold hashes only" >&2
  exit 1
fi
mkdir -p "$auth_dir"
umask 077
cp -L "$hashed" "$auth_dir/passwd"
chmod 600 "$auth_dir/passwd"
echo "mosquitto-init: password file ready ($(wc -l < "$auth_dir/passwd") users)"
