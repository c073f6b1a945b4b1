#!/bin/sh
# botfleet Redis probe: `probe.sh readiness|liveness PORT [USER]`. Pings 127.0.0.1:PORT with redis-cli
# as USER (none: the default user, as on Sentinel); the password comes from REDISCLI_AUTH in the
# environment (never `-a`, which shows in `ps`).
# Readiness wants PONG. Liveness also accepts LOADING (replaying the AOF) and MASTERDOWN (a replica
# waiting for its primary): restarting the pod would not help either.
set -u

kind="${1:-}"
port="${2:-6379}"
user="${3:-}"
reply=$(timeout "${PROBE_TIMEOUT_SECONDS:-4}" redis-cli -h 127.0.0.1 -p "$port" ${user:+--user "$user"} ping 2>&1 | head -n 1)

case "$kind:$reply" in
readiness:PONG | liveness:PONG) exit 0 ;;
liveness:LOADING* | liveness:MASTERDOWN*) exit 0 ;;
readiness:* | liveness:*) ;;
*)
	echo "usage: probe.sh readiness|liveness PORT [USER]" >&2
	exit 2
	;;
esac
echo "$kind probe on port $port failed: ${reply:-no reply}" >&2
exit 1
