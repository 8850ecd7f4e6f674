#!/usr/bin/env bash
# Starts a local PostgreSQL cluster without systemd and creates the test role and database.
# Safe to run again. Prints the URL for FLASHSALE_TEST_PG_URL on stdout (everything else goes
# to stderr), so callers can do: export FLASHSALE_TEST_PG_URL=$(scripts/start-postgres.sh)
set -euo pipefail

role=flashsale
password=flashsale
database=flashsale_test
port=5432

sudo=""
if [[ $(id -u) -ne 0 ]]; then
    sudo="sudo"
fi

if ! command -v pg_lsclusters >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "Installing postgresql" >&2
    $sudo apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends postgresql >&2
fi

# The newest installed major version, unless a cluster already exists on our port.
version=$(pg_lsclusters -h 2>/dev/null | awk -v port="$port" '$3 == port { print $1; exit }')
if [[ -z "$version" ]]; then
    version=$(ls /usr/lib/postgresql | sort -n | tail -1)
    echo "Creating PostgreSQL $version cluster main on port $port" >&2
    $sudo pg_createcluster --port "$port" "$version" main >&2
fi
cluster=$(pg_lsclusters -h | awk -v port="$port" '$3 == port { print $2; exit }')
status=$(pg_lsclusters -h | awk -v port="$port" '$3 == port { print $4; exit }')
if [[ "$status" != online* ]]; then
    echo "Starting PostgreSQL $version/$cluster" >&2
    # With no descriptor but 0-2: the server outlives this script and must not keep the
    # caller's, such as the lock of `flock LOCKFILE scripts/start-postgres.sh`.
    (for fd in /proc/$BASHPID/fd/*; do fd=${fd##*/}; ((fd > 2)) && eval "exec $fd>&-"; done
     exec $sudo pg_ctlcluster "$version" "$cluster" start) >&2
fi

as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        sudo -u postgres -- "$@"
    fi
}
psql_admin() {
    as_postgres psql --port "$port" -v ON_ERROR_STOP=1 -qtA "$@"
}

for _ in $(seq 1 30); do
    psql_admin -c "SELECT 1" >/dev/null 2>&1 && break
    sleep 1
done
if [[ -z $(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$role'") ]]; then
    psql_admin -c "CREATE ROLE $role LOGIN PASSWORD '$password'" >&2
fi
# The scale-out test makes a database of its own per run.
psql_admin -c "ALTER ROLE $role CREATEDB" >&2
if [[ -z $(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$database'") ]]; then
    psql_admin -c "CREATE DATABASE $database OWNER $role" >&2
fi

echo "postgresql://$role:$password@127.0.0.1:$port/$database"
