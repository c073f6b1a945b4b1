#!/bin/sh
# botfleet Redis entrypoint: `entrypoint.sh redis` or `entrypoint.sh sentinel`.
#
# Assembles the final config in an emptyDir from the rendered template (ConfigMap, no secrets) and the
# password file (Secret), decides this pod's role, then execs the server so SIGTERM reaches it.
# With Sentinel: the primary is the one most reachable Sentinels report; when none knows one yet, it
# is the initial primary (ordinal 0). Everything pod-specific comes from the environment, so the same
# script runs in a pod and in the tests (hosts mapped to 127.0.0.1 ports).
#
#   REDIS_TEMPLATE_DIR     redis.conf and sentinel.conf templates   (/opt/botfleet/conf)
#   REDIS_RUN_DIR          where the final config is written        (/run/botfleet)
#   REDIS_PASSWORD_FILE    the password                             (/opt/botfleet/secret/password)
#   REDIS_SENTINELS        "host:port,host:port" of every Sentinel; empty: standalone Redis
#   REDIS_ANNOUNCE_HOST    this pod's stable name (required with Sentinel)
#   REDIS_INITIAL_PRIMARY  "host:port" of ordinal 0 (required with Sentinel)
#   REDIS_QUERY_TIMEOUT    seconds to wait for each Sentinel        (3)
set -eu
set -f

mode="${1:-}"
template_dir="${REDIS_TEMPLATE_DIR:-/opt/botfleet/conf}"
run_dir="${REDIS_RUN_DIR:-/run/botfleet}"
password_file="${REDIS_PASSWORD_FILE:-/opt/botfleet/secret/password}"
sentinels="${REDIS_SENTINELS:-}"
announce_host="${REDIS_ANNOUNCE_HOST:-}"
initial_primary="${REDIS_INITIAL_PRIMARY:-}"
query_timeout="${REDIS_QUERY_TIMEOUT:-3}"

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

# primary_from_sentinels MASTER: prints "host port" of the primary most reachable Sentinels agree
# on, nothing when no Sentinel answers with one.
primary_from_sentinels() {
	answers=""
	old_ifs=$IFS
	IFS=,
	for sentinel in $sentinels; do
		IFS=$old_ifs
		host=${sentinel%:*}
		port=${sentinel##*:}
		reply=$(REDISCLI_AUTH="$password" timeout "$query_timeout" \
			redis-cli -h "$host" -p "$port" --raw SENTINEL get-master-addr-by-name "$1" 2>/dev/null) || continue
		primary_host=$(printf '%s\n' "$reply" | sed -n 1p)
		primary_port=$(printf '%s\n' "$reply" | sed -n 2p)
		case "$primary_port" in
		"" | *[!0-9]*) continue ;; # nil (no primary known yet) or an error reply
		esac
		answers="$answers$primary_host $primary_port
"
	done
	IFS=$old_ifs
	[ -n "$answers" ] || return 0
	printf '%s' "$answers" | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2, $3 }'
}

# find_primary: sets primary_host, primary_port and primary_source.
find_primary() {
	[ -n "$announce_host" ] || die "REDIS_ANNOUNCE_HOST must be set with Sentinel"
	[ -n "$initial_primary" ] || die "REDIS_INITIAL_PRIMARY must be set with Sentinel"
	check_host "$announce_host"
	found=$(primary_from_sentinels "$(master_name)")
	if [ -n "$found" ]; then
		primary_host=${found% *}
		primary_port=${found##* }
		primary_source="reported by Sentinel"
	else
		primary_host=${initial_primary%:*}
		primary_port=${initial_primary##*:}
		primary_source="initial primary: no Sentinel knows one yet"
	fi
	check_host "$primary_host"
	case "$primary_port" in
	"" | *[!0-9]*) die "not a port: \"$primary_port\"" ;;
	esac
}

[ -r "$password_file" ] || die "password file $password_file is not readable"
password=$(cat "$password_file")
[ -n "$password" ] || die "password file $password_file is empty"
case "$password" in
*[!A-Za-z0-9_.+=~-]*) die "the password holds characters that cannot be written safely into a config file" ;;
esac

# The final config holds the password: readable by this user only.
umask 077
mkdir -p "$run_dir"

case "$mode" in
redis)
	template="$template_dir/redis.conf"
	conf="$run_dir/redis.conf"
	port=$(conf_value "$template" port)
	{
		cat "$template"
		printf 'requirepass "%s"\nmasterauth "%s"\n' "$password" "$password"
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
	exec redis-server "$conf"
	;;
sentinel)
	[ -n "$sentinels" ] || die "REDIS_SENTINELS must list the Sentinels"
	template="$template_dir/sentinel.conf"
	conf="$run_dir/sentinel.conf"
	port=$(conf_value "$template" port)
	find_primary
	log "monitoring $primary_host:$primary_port ($primary_source)"
	# Sentinel rewrites its config at run time, so it is regenerated on every start from what the
	# other Sentinels know now.
	{
		sed -e "s/@PRIMARY_HOST@/$primary_host/" -e "s/@PRIMARY_PORT@/$primary_port/" "$template"
		printf 'sentinel announce-ip %s\nsentinel announce-port %s\n' "$announce_host" "$port"
		printf 'requirepass "%s"\nsentinel auth-pass %s "%s"\n' "$password" "$(master_name)" "$password"
	} >"$conf.tmp"
	mv "$conf.tmp" "$conf"
	exec redis-sentinel "$conf"
	;;
*)
	die "usage: entrypoint.sh redis|sentinel"
	;;
esac
