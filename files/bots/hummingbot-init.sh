#!/bin/sh
# Prepares a hummingbot pod's writable conf/ before the bot starts (runs as the bot's non-root uid).
#
# ConfigMap volumes are read-only and hummingbot rewrites conf/conf_client.yml at run time, so the
# rendered config is copied into a writable volume on every start (config is code: the stack wins).
# ConfigMap mounts hold "..data" symlinks and timestamped dirs: copy only the visible entries, and
# dereference them so the copies are plain files.
set -eu

readonly_conf=${READONLY_CONF:-/readonly-conf}
conf=${CONF_DIR:-/conf}
secrets=${BOT_KEYS_DIR:-/bot-secrets}
state=${STATE_DIR:-}
mqtt_auth_dir=${MQTT_AUTH_DIR:-}
password_file=$secrets/config_password
python=${PYTHON:-python3}

if [ ! -d "$readonly_conf" ]; then
  echo "hummingbot-init: $readonly_conf is missing" >&2
  exit 1
fi
mkdir -p "$conf"

for entry in "$readonly_conf"/*; do
  [ -e "$entry" ] || continue
  cp -RL "$entry" "$conf/"
done
mkdir -p "$conf/connectors" "$conf/strategies" "$conf/scripts" "$conf/controllers"

# Live bots: the encrypted connector keys and the password check file come from the bot's Secret.
if [ -d "$secrets/connectors" ]; then
  for f in "$secrets/connectors"/*.yml; do
    [ -e "$f" ] || continue
    cp -L "$f" "$conf/connectors/"
  done
fi
# Hummingbot opens conf/.password_verification at every login and stops when it is missing or does not
# decrypt with CONFIG_PASSWORD. A live bot brings the one its connector keys were encrypted with; any
# other bot gets one made from its config password, the way hummingbot makes it.
if [ -f "$secrets/password_verification" ]; then
  cp -L "$secrets/password_verification" "$conf/.password_verification"
else
  if [ ! -s "$password_file" ]; then
    echo "hummingbot-init: $password_file is missing or empty: cannot make conf/.password_verification" >&2
    exit 4
  fi
  "$python" "$(dirname "$0")/hummingbot-verification-file.py" "$password_file" "$conf/.password_verification"
fi
chmod -R u+rwX,go-rwx "$conf"

# The MQTT password never sits in a ConfigMap: it is written into conf_client.yml here.
if [ -n "$mqtt_auth_dir" ]; then
  mqtt_password_file="$mqtt_auth_dir/password"
  client="$conf/conf_client.yml"
  if [ ! -f "$mqtt_password_file" ] || [ ! -f "$client" ]; then
    echo "hummingbot-init: need $mqtt_password_file and $client to set the MQTT password" >&2
    exit 1
  fi
  # awk reads the password from the file, so it never appears in argv or the environment.
  awk -v pwfile="$mqtt_password_file" '
    BEGIN {
      if ((getline pw < pwfile) <= 0 || pw == "") { empty = 1; exit }
      gsub(/\047/, "\047\047", pw)
    }
    /^[ \t]+mqtt_password:/ {
      match($0, /^[ \t]+/)
      print substr($0, 1, RLENGTH) "mqtt_password: \047" pw "\047"
      done = 1
      next
    }
    { print }
    END {
      if (empty) { print "hummingbot-init: empty MQTT password" > "/dev/stderr"; exit 2 }
      if (!done) { print "hummingbot-init: no mqtt_password line in conf_client.yml" > "/dev/stderr"; exit 3 }
    }
  ' "$client" > "$client.tmp"
  mv "$client.tmp" "$client"
  chmod 600 "$client"
fi

# Trade DB and logs live on the state volume; the bot container mounts these as subPaths.
if [ -n "$state" ]; then
  mkdir -p "$state/logs" "$state/data"
fi

echo "hummingbot-init: conf ready in $conf"
