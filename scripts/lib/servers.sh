# Sourced by scripts/test.sh and scripts/bench.sh: installs, starts and stops the PostgreSQL, PgBouncer and Redis
# servers the tests and benchmarks use, on 127.0.0.1, in a temporary directory. It stops only what it started.
#
#   servers_start        sets MCPSESSIONS_TEST_POSTGRES, MCPSESSIONS_TEST_PGBOUNCER (a transaction-mode PgBouncer in
#                        front of that PostgreSQL), MCPSESSIONS_TEST_REDIS and MCPSESSIONS_TEST_REDIS_SERVER (the
#                        redis-server binary) unless they are set already
#   servers_stop         stops what servers_start started (also run from the EXIT trap)

SERVERS_DIR=""
SERVERS_PG_DATA=""
SERVERS_REDIS_PIDFILE=""
SERVERS_PGBOUNCER_PIDFILE=""
SERVERS_AS_POSTGRES=()

servers_log() { printf '[servers] %s\n' "$*" >&2; }

servers_free_port() {
  python3 - <<'PY' 2>/dev/null || echo $(( 20000 + RANDOM % 30000 ))
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

servers_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

servers_install() {
  local missing=()
  [ -n "${MCPSESSIONS_TEST_POSTGRES:-}" ] || [ -x "$(servers_pg_bin)/initdb" ] || missing+=(postgresql)
  # redis-server is needed even with MCPSESSIONS_TEST_REDIS set: the cache tests kill and restart a server of their own.
  [ -n "${MCPSESSIONS_TEST_REDIS_SERVER:-}" ] || command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  [ -n "${MCPSESSIONS_TEST_PGBOUNCER:-}" ] || command -v pgbouncer >/dev/null 2>&1 || missing+=(pgbouncer)
  [ ${#missing[@]} -eq 0 ] && return 0
  servers_log "installing ${missing[*]} with apt-get"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

servers_start() {
  servers_install
  SERVERS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mcpsessions-servers.XXXXXX")
  chmod 755 "$SERVERS_DIR"

  if [ -z "${MCPSESSIONS_TEST_POSTGRES:-}" ]; then
    local bin port
    bin=$(servers_pg_bin)
    port=$(servers_free_port)
    SERVERS_PG_DATA="$SERVERS_DIR/pg"
    mkdir -p "$SERVERS_PG_DATA"
    # PostgreSQL refuses to run as root: run it as the postgres user on a directory it owns.
    if [ "$(id -u)" -eq 0 ]; then
      chown -R postgres:postgres "$SERVERS_DIR"
      SERVERS_AS_POSTGRES=(su postgres -s /bin/sh -c)
    else
      SERVERS_AS_POSTGRES=(sh -c)
    fi
    "${SERVERS_AS_POSTGRES[@]}" "'$bin/initdb' -D '$SERVERS_PG_DATA' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8" >"$SERVERS_DIR/initdb.log" 2>&1 \
      || { cat "$SERVERS_DIR/initdb.log" >&2; return 1; }
    "${SERVERS_AS_POSTGRES[@]}" "'$bin/pg_ctl' -D '$SERVERS_PG_DATA' -l '$SERVERS_DIR/postgres.log' -w -t 60 start -o \"-p $port -k '$SERVERS_PG_DATA' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\"" >&2 \
      || { cat "$SERVERS_DIR/postgres.log" >&2; return 1; }
    export MCPSESSIONS_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    servers_log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
  else
    servers_log "using PostgreSQL from MCPSESSIONS_TEST_POSTGRES"
  fi

  if [ -z "${MCPSESSIONS_TEST_PGBOUNCER:-}" ]; then
    servers_start_pgbouncer || return 1
  else
    servers_log "using PgBouncer from MCPSESSIONS_TEST_PGBOUNCER"
  fi

  if [ -z "${MCPSESSIONS_TEST_REDIS:-}" ]; then
    local rport
    rport=$(servers_free_port)
    SERVERS_REDIS_PIDFILE="$SERVERS_DIR/redis.pid"
    redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --pidfile "$SERVERS_REDIS_PIDFILE" --logfile "$SERVERS_DIR/redis.log" --dir "$SERVERS_DIR" >&2
    for _ in $(seq 1 50); do
      redis-cli -p "$rport" ping >/dev/null 2>&1 && break
      sleep 0.1
    done
    redis-cli -p "$rport" ping >/dev/null 2>&1 || { cat "$SERVERS_DIR/redis.log" >&2; return 1; }
    export MCPSESSIONS_TEST_REDIS="127.0.0.1:$rport"
    servers_log "Redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) on 127.0.0.1:$rport"
  else
    servers_log "using Redis from MCPSESSIONS_TEST_REDIS"
  fi
  # The binary the cache tests start (and kill) servers of their own with.
  MCPSESSIONS_TEST_REDIS_SERVER="${MCPSESSIONS_TEST_REDIS_SERVER:-$(command -v redis-server)}"
  export MCPSESSIONS_TEST_REDIS_SERVER
}

# A transaction-mode PgBouncer in front of MCPSESSIONS_TEST_POSTGRES, the way Supabase's pooler (port 6543) and most
# PgBouncer deployments run: a server connection belongs to a client for one transaction only, and 1.18 keeps no
# prepared statements across transactions. Every database of the server is reachable (the tests create theirs on the
# fly), as any role of the server (auth_user looks roles up, so the row-level-security roles work too) with no
# password (the test cluster trusts loopback). It refuses to run as root.
servers_start_pgbouncer() {
  local dir="$SERVERS_DIR/pgbouncer" pport host pgport user
  pport=$(servers_free_port)
  host=$(servers_pg_setting Host "$MCPSESSIONS_TEST_POSTGRES" 127.0.0.1)
  pgport=$(servers_pg_setting Port "$MCPSESSIONS_TEST_POSTGRES" 5432)
  user=$(servers_pg_setting Username "$MCPSESSIONS_TEST_POSTGRES" postgres)
  mkdir -p "$dir"
  SERVERS_PGBOUNCER_PIDFILE="$dir/pgbouncer.pid"
  printf '"%s" ""\n' "$user" >"$dir/users.txt"
  cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=$host port=$pgport

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $pport
unix_socket_dir =
auth_type = trust
auth_file = $dir/users.txt
admin_users = $user
auth_user = $user
pool_mode = transaction
default_pool_size = 6
max_client_conn = 1000
max_db_connections = 0
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = $dir/pgbouncer.log
pidfile = $SERVERS_PGBOUNCER_PIDFILE
INI
  local as=(sh -c)
  if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres:postgres "$dir"
    as=(su postgres -s /bin/sh -c)
  fi
  "${as[@]}" "pgbouncer -d '$dir/pgbouncer.ini'" >&2 || { cat "$dir/pgbouncer.log" >&2 2>/dev/null; return 1; }
  for _ in $(seq 1 50); do
    [ -s "$SERVERS_PGBOUNCER_PIDFILE" ] && grep -q "listening on 127.0.0.1:$pport" "$dir/pgbouncer.log" 2>/dev/null && break
    sleep 0.1
  done
  grep -q "listening on 127.0.0.1:$pport" "$dir/pgbouncer.log" 2>/dev/null || { cat "$dir/pgbouncer.log" >&2; return 1; }
  export MCPSESSIONS_TEST_PGBOUNCER="Host=127.0.0.1;Port=$pport;Username=$user;Database=postgres"
  servers_log "PgBouncer $(pgbouncer --version | awk 'NR==1 {print $2}') (transaction pooling) on 127.0.0.1:$pport"
}

# One key of an Npgsql connection string (first match, case-insensitive), or the default.
servers_pg_setting() {
  local value
  value=$(printf '%s' "$2" | tr ';' '\n' | awk -F= -v k="$1" 'tolower($1) == tolower(k) {sub(/^[^=]*=/, ""); print; exit}')
  printf '%s' "${value:-$3}"
}

servers_stop() {
  if [ -n "$SERVERS_PGBOUNCER_PIDFILE" ] && [ -f "$SERVERS_PGBOUNCER_PIDFILE" ]; then
    kill "$(cat "$SERVERS_PGBOUNCER_PIDFILE")" 2>/dev/null || true
  fi
  if [ -n "$SERVERS_REDIS_PIDFILE" ] && [ -f "$SERVERS_REDIS_PIDFILE" ]; then
    kill "$(cat "$SERVERS_REDIS_PIDFILE")" 2>/dev/null || true
  fi
  if [ -n "$SERVERS_PG_DATA" ] && [ -f "$SERVERS_PG_DATA/postmaster.pid" ]; then
    "${SERVERS_AS_POSTGRES[@]}" "'$(servers_pg_bin)/pg_ctl' -D '$SERVERS_PG_DATA' -m immediate -w stop" >/dev/null 2>&1 || true
  fi
  if [ -n "$SERVERS_DIR" ]; then
    rm -rf "$SERVERS_DIR"
  fi
  SERVERS_DIR="" SERVERS_PG_DATA="" SERVERS_REDIS_PIDFILE="" SERVERS_PGBOUNCER_PIDFILE=""
}
