#!/bin/sh
# botfleet Redis preStop hook (HA only). When this pod is the primary it hands over before it stops, so
# that a rolling update or a node drain loses no acknowledged write and costs about a second of
# paused writes instead of `down-after-milliseconds` of refused ones:
#   1. CLIENT PAUSE WRITE: clients' writes wait (reads go on), so nothing new lands only here;
#   2. wait until a replica has replicated everything (its offset equals ours);
#   3. SENTINEL FAILOVER, then wait until Sentinel reports another primary.
# The kubelet then sends SIGTERM; paused clients are disconnected and retry on the new primary.
# Never fails the shutdown: on any problem it logs, unpauses, and Sentinel's own detection remains.
#
#   REDIS_TEMPLATE_DIR     where redis.conf / sentinel.conf are     (/opt/botfleet/conf)
#   REDIS_SENTINELS        "host:port,..." of every Sentinel
#   REDIS_ANNOUNCE_HOST    this pod's stable name
#   REDIS_ADMIN_USER       the Redis user that may pause clients    (botfleet-admin)
#   REDISCLI_AUTH          its password (the container's env, from the Secret)
#   REDIS_SENTINEL_AUTH    Sentinel's own password (SENTINEL FAILOVER)
#   REDIS_PRESTOP_TIMEOUT  seconds the whole handover may take      (20, below the grace period)
set -u
set -f

template_dir="${REDIS_TEMPLATE_DIR:-/opt/botfleet/conf}"
sentinels="${REDIS_SENTINELS:-}"
announce_host="${REDIS_ANNOUNCE_HOST:-}"
timeout_seconds="${REDIS_PRESTOP_TIMEOUT:-20}"
admin_user="${REDIS_ADMIN_USER:-botfleet-admin}"

log() { printf '%s botfleet-prestop: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }

port=$(awk '$1 == "port" { print $2; exit }' "$template_dir/redis.conf")
master=$(awk '$1 == "sentinel" && $2 == "monitor" { print $3; exit }' "$template_dir/sentinel.conf" 2>/dev/null)
local_cli() { timeout 3 redis-cli -h 127.0.0.1 -p "$port" --user "$admin_user" --raw "$@" 2>/dev/null; }
# sentinel_cli HOST:PORT COMMAND...
sentinel_cli() {
	address=$1
	shift
	REDISCLI_AUTH="${REDIS_SENTINEL_AUTH:-}" timeout 3 redis-cli -h "${address%:*}" -p "${address##*:}" --raw "$@" 2>/dev/null
}

[ -n "$sentinels" ] && [ -n "$master" ] || exit 0
[ "$(local_cli ROLE | head -n 1)" = "master" ] || exit 0

# Seconds since the hook started, in tenths (0.1 s polls), so every wait shares one deadline.
ticks=0
limit=$((timeout_seconds * 10))
tick() {
	sleep 0.1
	ticks=$((ticks + 1))
	[ "$ticks" -lt "$limit" ]
}
give_up() {
	log "$*; shutting down as primary"
	local_cli CLIENT UNPAUSE >/dev/null
	exit 0
}

# A replica has everything once its acknowledged offset equals ours (writes are paused, so ours stops).
replica_caught_up() {
	local_cli INFO replication | tr -d '\r' | awk -F'[:,=]' '
		$1 == "master_repl_offset" { mine = $2 }
		$1 ~ /^slave[0-9]+$/ { for (i = 2; i < NF; i++) if ($i == "offset") offsets[++n] = $(i + 1) }
		END { for (i = 1; i <= n; i++) if (offsets[i] == mine) found = 1; exit found ? 0 : 1 }'
}

[ "$(local_cli CLIENT PAUSE $((timeout_seconds * 1000)) WRITE)" = "OK" ] || give_up "CLIENT PAUSE failed"
log "writes paused; waiting for a replica to catch up"
until replica_caught_up; do tick || give_up "no replica caught up within ${timeout_seconds}s"; done

requested=""
old_ifs=$IFS
IFS=,
for sentinel in $sentinels; do
	IFS=$old_ifs
	reply=$(sentinel_cli "$sentinel" SENTINEL FAILOVER "$master" | head -n 1)
	if [ "$reply" = "OK" ]; then
		requested=$sentinel
		break
	fi
	log "Sentinel $sentinel refused the failover: ${reply:-no reply}"
done
IFS=$old_ifs
[ -n "$requested" ] || give_up "no Sentinel accepted a failover"

log "failover requested from $requested; waiting for another primary"
until
	primary=$(sentinel_cli "$requested" SENTINEL get-master-addr-by-name "$master" | tr '\n' ':')
	[ -n "$primary" ] && [ "$primary" != "$announce_host:$port:" ]
do
	tick || give_up "Sentinel still reports this pod as primary after ${timeout_seconds}s"
done
log "handed over to ${primary%:} after $((ticks / 10)).$((ticks % 10))s"
exit 0
