#!/bin/sh
# botfleet Redis entrypoint: `entrypoint.sh redis` or `entrypoint.sh sentinel`.
#
# Assembles the final config from the rendered template (ConfigMap, no secrets) and the files of the
# `redis-auth` Secret, decides this pod's role, then execs the server so SIGTERM reaches it. Redis loads
# its users from users.acl (hashes only) and authenticates to its primary as the replication user;
# Sentinel authenticates to Redis as the sentinel user, guards itself with its own password and adds
# the bots' discovery user (sentinel-users.conf, hashes only).
# With Sentinel: the primary is the one with the highest config epoch among what the reachable
# Sentinels report and what this pod's own Sentinel remembered on the data volume (its sentinel.conf,
# which Sentinel rewrites on every failover); when nobody knows one (first start), it is the initial
# primary (ordinal 0). So after a whole-set restart the primary of the newest epoch, which holds every
# write acknowledged by `WAIT`, stays primary. Everything pod-specific comes from the environment, so
# the same script runs in a pod and in the tests (hosts mapped to 127.0.0.1 ports).
#
#   REDIS_TEMPLATE_DIR     redis.conf and sentinel.conf templates   (/opt/botfleet/conf)
#   REDIS_RUN_DIR          where the final redis.conf is written    (/run/botfleet)
#   REDIS_SENTINEL_CONF    Sentinel's own config, on the data volume (/data/sentinel.conf)
#   REDIS_SECRET_DIR       the Secret's files                       (/opt/botfleet/secret)
#                          redis: users.acl, replication-password, and with Sentinel sentinel-auth-password
#                          sentinel: sentinel-password, sentinel-auth-password, sentinel-users.conf
#   REDIS_REPLICATION_USER the user replicas authenticate as       (replication)
#   REDIS_SENTINEL_USER    the user Sentinel authenticates as       (sentinel)
#   REDIS_SENTINELS        "host:port,host:port" of every Sentinel; empty: standalone Redis
#   REDIS_ANNOUNCE_HOST    this pod's stable name (required with Sentinel)
#   REDIS_INITIAL_PRIMARY  "host:port" of ordinal 0 (required with Sentinel)
#   REDIS_QUERY_TIMEOUT    seconds to wait for each Sentinel        (3)
set -eu
set -f

mode="${1:-}"
template_dir="${REDIS_TEMPLATE_DIR:-/opt/botfleet/conf}"
run_dir="${REDIS_RUN_DIR:-/run/botfleet}"
secret_dir="${REDIS_SECRET_DIR:-/opt/botfleet/secret}"
replication_user="${REDIS_REPLICATION_USER:-replication}"
sentinel_user="${REDIS_SENTINEL_USER:-sentinel}"
sentinels="${REDIS_SENTINELS:-}"
announce_host="${REDIS_ANNOUNCE_HOST:-}"
initial_primary="${REDIS_INITIAL_PRIMARY:-}"
query_timeout="${REDIS_QUERY_TIMEOUT:-3}"
sentinel_conf="${REDIS_SENTINEL_CONF:-/data/sentinel.conf}"

log() { printf '%s botfleet-entrypoint[%s]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$mode" "$*" >&2; }
die() {
	log "$*"
	exit 1
}

# conf_value FILE DIRECTIVE: the first value of DIRECTIVE in FILE.
conf_value() { awk -v k="$2" '$1 == k { print $2; exit }' "$1"; }

master_name() { awk '$1 == "sentinel" && $2 == "monitor" { print $3; exit }' "$template_dir/sentinel.conf"; }

# check_host NAME: only DNS names and IPs go into a config file or a sed expression.
check_host() {
	case "$1" in
	"" | *[!A-Za-z0-9.:-]*) die "not a host name: \"$1\"" ;;
	esac
}

# remembered_primary MASTER: "epoch host port" of the primary this pod's Sentinel last knew (its config
# on the volume), nothing when it has none yet. A config Sentinel never rewrote has epoch 0.
remembered_primary() {
	[ -r "$sentinel_conf" ] || return 0
	awk -v m="$1" '
		$1 == "sentinel" && $2 == "monitor" && $3 == m { host = $4; port = $5 }
		$1 == "sentinel" && $2 == "config-epoch" && $3 == m { epoch = $4 }
		END { if (host != "") print (epoch ~ /^[0-9]+$/ ? epoch : 0), host, port }' "$sentinel_conf"
}

# sentinel_master HOST PORT MASTER: "epoch host port" from one `SENTINEL MASTER` reply (one snapshot),
# "busy" while that Sentinel leads a failover (it shows the new epoch with the old address until the
# failover ends), nothing when it knows no primary or does not answer.
sentinel_master() {
	REDISCLI_AUTH="$sentinel_auth" timeout "$query_timeout" \
		redis-cli -h "$1" -p "$2" --raw SENTINEL MASTER "$3" 2>/dev/null |
		awk 'NR % 2 == 1 { key = $0; next } { value[key] = $0 }
			END {
				if (value["flags"] ~ /failover_in_progress/) print "busy"
				else if (value["port"] ~ /^[0-9]+$/ && value["config-epoch"] ~ /^[0-9]+$/)
					print value["config-epoch"], value["ip"], value["port"]
			}' || true
}

# reported_primaries MASTER: one "epoch host port" line per reachable Sentinel that knows a primary;
# a Sentinel in the middle of a failover is asked again each second, up to 10 times.
reported_primaries() {
	old_ifs=$IFS
	IFS=,
	for sentinel in $sentinels; do
		IFS=$old_ifs
		tries=0
		while answer=$(sentinel_master "${sentinel%:*}" "${sentinel##*:}" "$1") && [ "$answer" = "busy" ]; do
			tries=$((tries + 1))
			[ "$tries" -lt 10 ] || break
			sleep 1
		done
		[ "$answer" = "busy" ] || [ -z "$answer" ] || printf '%s\n' "$answer"
	done
	IFS=$old_ifs
}

# find_primary: sets primary_epoch, primary_host, primary_port and primary_source. The newest config
# epoch wins (a Sentinel or volume that missed a failover knows an older one); within it, the address
# most answers agree on.
find_primary() {
	[ -n "$announce_host" ] || die "REDIS_ANNOUNCE_HOST must be set with Sentinel"
	[ -n "$initial_primary" ] || die "REDIS_INITIAL_PRIMARY must be set with Sentinel"
	check_host "$announce_host"
	master=$(master_name)
	reported=$(reported_primaries "$master")
	remembered=$(remembered_primary "$master")
	log "known primaries (config epoch, host, port): reported [$(printf '%s' "$reported" | tr '\n' ';')] remembered [$remembered]"
	found=$(printf '%s\n%s\n' "$reported" "$remembered" | awk 'NF == 3' | sort | uniq -c |
		sort -k2,2nr -k1,1nr | awk 'NR == 1 { print $2, $3, $4 }')
	if [ -n "$found" ]; then
		primary_epoch=${found%% *}
		primary_port=${found##* }
		primary_host=${found#* }
		primary_host=${primary_host% *}
		if printf '%s\n' "$reported" | grep -qxF "$found"; then
			primary_source="reported by Sentinel, config epoch $primary_epoch"
		else
			primary_source="remembered on this pod's volume, config epoch $primary_epoch"
		fi
	else
		primary_epoch=0
		primary_host=${initial_primary%:*}
		primary_port=${initial_primary##*:}
		primary_source="initial primary: no Sentinel knows one yet"
	fi
	check_host "$primary_host"
	case "$primary_port" in
	"" | *[!0-9]*) die "not a port: \"$primary_port\"" ;;
	esac
}

# secret_file NAME: the path of a Secret file, which must be readable and not empty.
secret_file() {
	[ -r "$secret_dir/$1" ] || die "secret file $secret_dir/$1 is not readable"
	[ -s "$secret_dir/$1" ] || die "secret file $secret_dir/$1 is empty"
	printf '%s' "$secret_dir/$1"
}

# read_password NAME: a password from the Secret, checked to be safe inside double quotes in a config.
read_password() {
	value=$(cat "$(secret_file "$1")") || exit 1
	case "$value" in
	"" | *[!A-Za-z0-9_.+=~-]*) die "$secret_dir/$1 holds characters that cannot be written safely into a config file" ;;
	esac
	printf '%s' "$value"
}

# check_user NAME: a user name goes into a config file unquoted.
check_user() {
	case "$1" in
	"" | *[!A-Za-z0-9_-]*) die "not a user name: \"$1\"" ;;
	esac
}
check_user "$replication_user"
check_user "$sentinel_user"

# Sentinel's own password: the entrypoints ask every Sentinel for the primary with it.
sentinel_auth=""
[ -z "$sentinels" ] || sentinel_auth=$(read_password sentinel-auth-password) || exit 1

# The final configs hold passwords: readable by this user only.
umask 077

case "$mode" in
redis)
	template="$template_dir/redis.conf"
	conf="$run_dir/redis.conf"
	mkdir -p "$run_dir"
	port=$(conf_value "$template" port)
	acl_file=$(secret_file users.acl) || exit 1
	replication_password=$(read_password replication-password) || exit 1
	{
		cat "$template"
		# Users come from the mounted Secret, so `ACL LOAD` picks up rotated passwords without a restart.
		printf 'aclfile "%s"\n' "$acl_file"
		printf 'masteruser %s\nmasterauth "%s"\n' "$replication_user" "$replication_password"
	} >"$conf.tmp"
	if [ -n "$sentinels" ]; then
		find_primary
		printf 'replica-announce-ip %s\nreplica-announce-port %s\n' "$announce_host" "$port" >>"$conf.tmp"
		if [ "$primary_host:$primary_port" = "$announce_host:$port" ]; then
			log "starting as primary ($primary_source)"
		else
			log "starting as replica of $primary_host:$primary_port ($primary_source)"
			printf 'replicaof %s %s\n' "$primary_host" "$primary_port" >>"$conf.tmp"
		fi
	else
		log "starting standalone"
	fi
	mv "$conf.tmp" "$conf"
	# What Redis starts with, for the acl-reload sidecar to tell a later change.
	sha256sum <"$acl_file" | cut -d' ' -f1 >"$run_dir/users.acl.sha256"
	exec redis-server "$conf"
	;;
sentinel)
	[ -n "$sentinels" ] || die "REDIS_SENTINELS must list the Sentinels"
	template="$template_dir/sentinel.conf"
	conf="$sentinel_conf"
	port=$(conf_value "$template" port)
	sentinel_password=$(read_password sentinel-password) || exit 1
	sentinel_users=$(secret_file sentinel-users.conf) || exit 1
	find_primary
	log "monitoring $primary_host:$primary_port ($primary_source)"
	# Settings come from the template on every start; what Sentinel learned (its id, epochs, the other
	# Sentinels, the replicas when the primary is unchanged) is carried over from the config it
	# rewrote on the volume, so a whole-set restart still knows the newest primary and epoch.
	remembered=$(remembered_primary "$(master_name)")
	{
		sed -e "s/@PRIMARY_HOST@/$primary_host/" -e "s/@PRIMARY_PORT@/$primary_port/" "$template"
		printf 'sentinel announce-ip %s\nsentinel announce-port %s\n' "$announce_host" "$port"
		# Clients and the other Sentinels use Sentinel's default user; bots only the discovery user.
		printf 'requirepass "%s"\nsentinel sentinel-pass "%s"\n' "$sentinel_auth" "$sentinel_auth"
		printf 'sentinel auth-user %s %s\nsentinel auth-pass %s "%s"\n' \
			"$(master_name)" "$sentinel_user" "$(master_name)" "$sentinel_password"
		cat "$sentinel_users"
		if [ -r "$conf" ]; then
			awk -v keep_replicas="$([ "$remembered" = "$primary_epoch $primary_host $primary_port" ] && echo 1)" '
				$1 == "sentinel" && ($2 == "myid" || $2 == "leader-epoch" || $2 == "known-sentinel") { print }
				$1 == "sentinel" && $2 == "known-replica" && keep_replicas { print }
				$1 == "sentinel" && $2 == "current-epoch" { current = $3 }
				END { if (current ~ /^[0-9]+$/) print "sentinel current-epoch", current }' "$conf"
		fi
		printf 'sentinel config-epoch %s %s\n' "$(master_name)" "$primary_epoch"
	} >"$conf.tmp"
	mv "$conf.tmp" "$conf"
	exec redis-sentinel "$conf"
	;;
*)
	die "usage: entrypoint.sh redis|sentinel"
	;;
esac
