#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, on 127.0.0.1 only (Debian's postgresql package).
#
#   scripts/test-postgres.sh start DIR   initialises a cluster in DIR (an empty directory), starts
#                                        it on a free port and prints its URL:
#                                        postgres://postgres@127.0.0.1:PORT/postgres
#   scripts/test-postgres.sh stop DIR    stops it (fast shutdown) and removes DIR
#
# Trust authentication on loopback, fsync off: test data only. PostgreSQL refuses to run as root,
# so as root the cluster belongs to Debian's postgres user.
set -euo pipefail

usage() { sed -n '2,10p' "$0" >&2; exit 2; }
[ $# = 2 ] || usage
action=$1
dir=$2

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/pg_ctl" ] || { echo "test-postgres: no PostgreSQL server (apt install postgresql)" >&2; exit 1; }
as_owner=()
[ "$(id -u)" != 0 ] || as_owner=(runuser -u postgres --)

case "$action" in
  start)
    if [ "$(id -u)" = 0 ]; then
      chmod 755 "$dir"
      chown postgres: "$dir"
    fi
    "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s start \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=300" ||
      { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w -s stop || true
    fi
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
