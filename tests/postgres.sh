#!/usr/bin/env bash
# A private PostgreSQL cluster on loopback for the tests: `start DIR [PORT]` prints its connection string (without a
# port, the first of 55440-55449 it can bind), `stop DIR` stops it and removes DIR. initdb refuses root, so the cluster
# belongs to the postgres user.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
case "$1" in
  start)
    dir=$2
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_postgres "'$bin/initdb' -D '$dir/data' -A trust -U rectify -E UTF8 --locale=C.UTF-8 >'$dir/initdb.log' 2>&1"
    # Two runs starting at once can both see one port free; the one whose bind fails moves on to the next.
    for port in ${3:-$(seq 55440 55449)}; do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
      if as_postgres "'$bin/pg_ctl' -D '$dir/data' -o \"-k '$dir' -h 127.0.0.1 -p $port -c fsync=off -c max_connections=300\" -l '$dir/log' -w start >/dev/null"; then
        echo "Host=127.0.0.1;Port=$port;Username=rectify;Database=postgres;Pooling=true;Maximum Pool Size=50"
        exit 0
      fi
    done
    echo "no PostgreSQL could start on ${3:-55440-55449}; see $dir/log" >&2
    exit 1
    ;;
  stop)
    dir=$2
    [ -d "$dir/data" ] && as_postgres "'$bin/pg_ctl' -D '$dir/data' -m fast -w stop >/dev/null" || true
    rm -rf "$dir"
    ;;
esac
