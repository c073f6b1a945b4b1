#!/bin/sh
# botfleet Redis ACL reload (a sidecar of the redis container): `acl-reload.sh` runs the loop,
# `acl-reload.sh alive` is its probe (the loop went round within 3 intervals). The kubelet refreshes the mounted
# users.acl when `redis-auth` changes (a bot added or removed, a password rotated); Redis reads it only
# at start or on `ACL LOAD`. This loop runs `ACL LOAD` whenever the file differs from the one last
# loaded (the entrypoint records the checksum of the file Redis started with). Redis checks the whole
# file first and keeps its users on any error. ACL LOAD disconnects the clients of every user once
# (Redis 7.2 acl.c replaces all users): clients and replicas reconnect by themselves.
#
#   REDIS_SECRET_DIR       where users.acl is mounted                (/opt/botfleet/secret)
#   REDIS_RUN_DIR          where the entrypoint records its checksum (/run/botfleet)
#   REDIS_TEMPLATE_DIR     redis.conf template, for the port         (/opt/botfleet/conf)
#   REDIS_ADMIN_USER       the user that may run ACL LOAD            (botfleet-admin)
#   REDISCLI_AUTH          its password
#   REDIS_ACL_RELOAD_SECONDS  seconds between checks                 (10)
#   REDIS_ACL_HEARTBEAT    the loop's heartbeat file                 (/tmp/acl-reload.heartbeat)
set -u
set -f

acl="${REDIS_SECRET_DIR:-/opt/botfleet/secret}/users.acl"
loaded_file="${REDIS_RUN_DIR:-/run/botfleet}/users.acl.sha256"
port=$(awk '$1 == "port" { print $2; exit }' "${REDIS_TEMPLATE_DIR:-/opt/botfleet/conf}/redis.conf")
admin_user="${REDIS_ADMIN_USER:-botfleet-admin}"
interval="${REDIS_ACL_RELOAD_SECONDS:-10}"
heartbeat="${REDIS_ACL_HEARTBEAT:-/tmp/acl-reload.heartbeat}"

if [ "${1:-}" = "alive" ]; then
	beat=$(cat "$heartbeat" 2>/dev/null)
	case "$beat" in
	"" | *[!0-9]*) echo "acl-reload: no heartbeat in $heartbeat" >&2 && exit 1 ;;
	esac
	age=$(($(date +%s) - beat))
	[ "$age" -le $((3 * interval + 5)) ] && exit 0
	echo "acl-reload: last heartbeat ${age}s ago" >&2
	exit 1
fi

log() { printf '%s botfleet-acl-reload: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
checksum() { sha256sum <"$acl" 2>/dev/null | cut -d' ' -f1; }

# Stop at once on SIGTERM (the pod is going away) rather than after the current sleep.
trap 'exit 0' TERM INT

loaded=""
while :; do
	if [ -z "$loaded" ] && [ -r "$loaded_file" ]; then
		loaded=$(cat "$loaded_file")
		log "watching $acl (Redis started with $loaded)"
	fi
	current=$(checksum)
	if [ -n "$loaded" ] && [ -n "$current" ] && [ "$current" != "$loaded" ]; then
		reply=$(timeout 5 redis-cli -h 127.0.0.1 -p "$port" --user "$admin_user" ACL LOAD 2>&1 | head -n 1)
		if [ "$reply" = "OK" ]; then
			log "users.acl changed: loaded ($current)"
			loaded=$current
		else
			log "users.acl changed but ACL LOAD failed: ${reply:-no reply}; retrying"
		fi
	fi
	date +%s >"$heartbeat"
	sleep "$interval" &
	wait $!
done
