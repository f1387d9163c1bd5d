#!/usr/bin/env bash
# The soak: two worker processes x 16 tasks of mixed store work (create, get, update, touch, list, delete) on
# PostgreSQL with the Redis cache tier, for --minutes N, while Redis is killed (SIGKILL) and restarted every 20 s and
# PostgreSQL is restarted once (pg_ctl restart) half way. The workers check their invariants as they go (no
# acknowledged write lost, no read through the cache staler than CacheTtl, no decryption failure); resident memory of
# each worker, PostgreSQL connections and Redis clients are sampled every second into samples.csv. At the end it
# prints the summary and exits non-zero on any violation, on memory that keeps growing, or on too many connections.
#
#   ./scripts/soak.sh --minutes 10          (builds tests/McpSessions.EF.Soak first)
#   ./scripts/soak.sh --minutes 1 --no-build --keep DIR
#
# It starts servers of its own (scripts/lib/servers.sh) with the MCPSESSIONS_TEST_* variables unset, since it kills
# and restarts them, and stops them at the end.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

minutes=1 build=1 keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --keep) keep="$2"; shift 2 ;;
    *) echo "usage: $0 [--minutes N] [--no-build] [--keep DIR]" >&2; exit 2 ;;
  esac
done

configuration="${CONFIGURATION:-Release}"
workers=2 tasks=16 seconds=$(( minutes * 60 ))
redis_period=20 redis_down=2

# Servers of our own: never the developer's or the test run's, which this script would otherwise kill.
unset MCPSESSIONS_TEST_POSTGRES MCPSESSIONS_TEST_PGBOUNCER MCPSESSIONS_TEST_REDIS MCPSESSIONS_TEST_REDIS_SERVER
# shellcheck source=lib/servers.sh
source "$root/scripts/lib/servers.sh"

run="$(mktemp -d "${TMPDIR:-/tmp}/mcpsessions-soak.XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  servers_stop
  if [ -n "$keep" ]; then mkdir -p "$keep" && cp -r "$run"/. "$keep"/; fi
  rm -rf "$run"
}
trap cleanup EXIT

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ "$build" -eq 1 ]; then
  dotnet build tests/McpSessions.EF.Soak -c "$configuration" -nologo -clp:ErrorsOnly >&2
fi
worker_dll="$root/tests/McpSessions.EF.Soak/bin/$configuration/net10.0/McpSessions.EF.Soak.dll"
[ -f "$worker_dll" ] || { echo "soak: $worker_dll is not built" >&2; exit 1; }

servers_start
pg_bin=$(servers_pg_bin)
pg_port=$(servers_pg_setting Port "$MCPSESSIONS_TEST_POSTGRES" 5432)
redis_port="${MCPSESSIONS_TEST_REDIS##*:}"
log() { printf '[soak] %s\n' "$*" >&2; }
event() { echo "$(date +%s%3N) $1" >>"$run/events.log"; }

"$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qtAc "CREATE DATABASE soak" >/dev/null
# Each worker's pool is at most 40 connections (the report's bound); a connect attempt while PostgreSQL is down gives up after 5 s.
connection="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=soak;Maximum Pool Size=40;Timeout=5;Command Timeout=15"
key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
dotnet "$worker_dll" migrate --connection "$connection" --key "$key"

redis_start() {
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$SERVERS_REDIS_PIDFILE" --logfile "$SERVERS_DIR/redis.log" --dir "$SERVERS_DIR" >&2
  for _ in $(seq 1 50); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  log "Redis did not come back"; return 1
}

log "$workers workers x $tasks tasks for $minutes min; run directory $run"
for id in $(seq 0 $(( workers - 1 ))); do
  dotnet "$worker_dll" work --id "$id" --connection "$connection" --redis "127.0.0.1:$redis_port" --key "$key" \
    --seconds "$seconds" --tasks "$tasks" --dir "$run" >"$run/worker-$id.log" 2>&1 &
  pids+=($!)
done
worker_pids=("${pids[@]}")

# One row a second: each worker's resident memory, the workers' PostgreSQL connections, Redis's clients (-1: no answer).
sample() {
  local header="unix_ms"
  for id in $(seq 0 $(( workers - 1 ))); do header+=",rss_kb_$id"; done
  echo "$header,pg_connections,redis_clients" >"$run/samples.csv"
  while :; do
    local row
    row="$(date +%s%3N)"
    for pid in "${worker_pids[@]}"; do
      row+=",$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo -1)"
    done
    row+=",$("$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qtAc \
      "SELECT count(*) FROM pg_stat_activity WHERE datname = 'soak' AND application_name = 'McpSessions.EF'" 2>/dev/null || echo -1)"
    row+=",$(redis-cli -p "$redis_port" info clients 2>/dev/null | tr -d '\r' | awk -F: '/^connected_clients:/ {print $2}' || echo -1)"
    echo "$row" >>"$run/samples.csv"
    sleep 1
  done
}
sample &
pids+=($!)

# The faults: Redis killed every 20 s and back 2 s later; PostgreSQL restarted once, half way. None in the last 20 s,
# so the workers' final checks run with both servers up.
started=$(date +%s)
restarted=0
next_kill=$(( started + redis_period ))
while :; do
  now=$(date +%s)
  elapsed=$(( now - started ))
  [ "$elapsed" -ge $(( seconds - 20 )) ] && break
  if [ "$restarted" -eq 0 ] && [ "$elapsed" -ge $(( seconds / 2 )) ]; then
    log "restarting PostgreSQL at ${elapsed}s"
    event postgres-down
    "${SERVERS_AS_POSTGRES[@]}" "'$pg_bin/pg_ctl' -D '$SERVERS_PG_DATA' -l '$SERVERS_DIR/postgres.log' -m fast -w -t 60 restart" >/dev/null
    event postgres-up
    restarted=1
  fi
  if [ "$now" -ge "$next_kill" ]; then
    event redis-down
    kill -9 "$(cat "$SERVERS_REDIS_PIDFILE")"
    sleep "$redis_down"
    redis_start
    event redis-up
    next_kill=$(( next_kill + redis_period ))
  fi
  sleep 0.5
done

# A worker still running two minutes after its end has hung: that fails the soak, and CI must not hang with it.
deadline=$(( started + seconds + 120 ))
status=0
for i in "${!worker_pids[@]}"; do
  pid=${worker_pids[$i]}
  while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "worker $i has not finished 2 minutes after its end: it hung; killing it"
    kill -9 "$pid" 2>/dev/null || true
  fi
  wait "$pid" || status=1
done
for id in $(seq 0 $(( workers - 1 ))); do sed "s/^/[worker $id] /" "$run/worker-$id.log" >&2; done
[ "$status" -eq 0 ] || log "a worker exited with an error"

set +e
dotnet "$worker_dll" report --dir "$run" --workers "$workers" --tasks "$tasks"
report=$?
set -e
[ "$report" -eq 0 ] && [ "$status" -eq 0 ]
