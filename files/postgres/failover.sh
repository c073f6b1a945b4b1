#!/bin/sh
# Manual failover: promote a streaming replica and repoint the Services. Manual on purpose: a trading
# fleet prefers a human deciding that the primary is really gone over an automatic split brain.
#
#   failover.sh promote                 run INSIDE the replica's postgres container (kubectl exec):
#                                       pg_promote, then check the server left recovery
#   failover.sh status                  prints "primary" or "replica" for the server at $PGHOST
#   failover.sh steps NAMESPACE [REPLICA_POD] [PRIMARY_STATEFULSET] [SCRIPTS_DIR]
#                                       prints the whole runbook, kubectl steps included
#
# The kubectl-free parts are the functions below, so they are tested against real servers. Inside the
# pod the defaults connect over the unix socket as the bootstrap superuser (peer auth).
set -eu

PGHOST="${PGHOST:-/var/run/postgresql}"
PGUSER="${PGUSER:-postgres}"
PGDATABASE="${PGDATABASE:-postgres}"
export PGHOST PGUSER PGDATABASE

die() {
  printf 'failover: FATAL: %s\n' "$*" >&2
  exit 1
}

sql() { psql -X -A -t -v ON_ERROR_STOP=1 --no-password -c "$1"; }

# "replica" while the server replays WAL, "primary" once it accepts writes.
server_role() {
  case "$(sql 'SELECT pg_is_in_recovery()')" in
    t) echo replica ;;
    f) echo primary ;;
    *) die "cannot ask $PGHOST:${PGPORT:-5432} whether it is in recovery" ;;
  esac
}

promote() {
  [ "$(server_role)" = replica ] || die "$PGHOST:${PGPORT:-5432} is not a standby; nothing to promote"
  # wait => true: returns once the promotion finished (or false after wait_seconds).
  [ "$(sql 'SELECT pg_promote(true, 60)')" = t ] || die "pg_promote did not finish within 60s"
  [ "$(server_role)" = primary ] || die "server is still in recovery after pg_promote"
  echo "promoted: $PGHOST:${PGPORT:-5432} now accepts writes"
}

print_steps() {
  ns="${1:?usage: failover.sh steps NAMESPACE [REPLICA_POD] [PRIMARY_STATEFULSET] [SCRIPTS_DIR]}"
  replica="${2:-postgres-replica-0}"
  primary_sts="${3:-postgres-primary}"
  scripts="${4:-/opt/botfleet/postgres}"
  cat <<STEPS
# Manual Postgres failover in namespace $ns (promote $replica)
# 0. Confirm the primary is really down and the replica is streaming or caught up:
kubectl -n $ns get pods -l app.kubernetes.io/name=postgres -L botfleet.io/postgres-role
kubectl -n $ns exec $replica -c postgres -- $scripts/failover.sh status
# 1. Fence the old primary so it can never take writes again (no split brain):
kubectl -n $ns scale statefulset $primary_sts --replicas=0
# 2. Promote the replica (pg_promote, waits until it accepts writes):
kubectl -n $ns exec $replica -c postgres -- $scripts/failover.sh promote
# 3. Repoint the Services: postgres-rw selects botfleet.io/postgres-role=primary, postgres-ro selects
#    botfleet.io/postgres-role=replica. Flip the label on the promoted pod:
kubectl -n $ns label pod $replica botfleet.io/postgres-role=primary --overwrite
# 4. Check that postgres-rw now has exactly the promoted pod as its endpoint:
kubectl -n $ns get endpoints postgres-rw postgres-ro
# 5. Clients reconnect through postgres-rw (the postgres-client Secret is unchanged).
# Afterwards (the label lives on the pod only; a restarted pod gets its template labels back):
#  - Other replicas follow the old timeline's slot: delete their PVCs and pods to re-bootstrap them from
#    the new primary, or leave them stopped until the topology is rebuilt.
#  - The old primary's data is diverged: delete its PVC before it ever runs again; rebuild it as a replica.
#  - Make it permanent with a planned 'pulumi up' (restore from the promoted server or a fresh backup).
STEPS
}

case "${1:-}" in
  promote) promote ;;
  status) server_role ;;
  steps)
    shift
    print_steps "$@"
    ;;
  *) die "usage: failover.sh promote | status | steps NAMESPACE [REPLICA_POD] [PRIMARY_STATEFULSET] [SCRIPTS_DIR]" ;;
esac
