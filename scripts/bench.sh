#!/usr/bin/env bash
# The macro benchmark: builds tests/McpSessions.EF.Benchmarks in Release, starts its own PostgreSQL and Redis (like
# scripts/test.sh, installing them with apt-get when missing), runs the harness, stops what it started.
#
#   ./scripts/bench.sh                          every configuration (sqlite, postgres, postgres+redis) at concurrency
#                                               1 and 32, N = 2000, 3 runs, and list all ids over 1,000,000 rows
#   ./scripts/bench.sh --json out.json          also write the results as JSON
#   ./scripts/bench.sh --n 50 --runs 1 --million-rows 0 --config sqlite    a quick smoke run
#   ./scripts/bench.sh --help                   every option
#   ./scripts/bench.sh --startup [--runs N]     startup: hyperfine (warmup 1, N runs, default 10) over `mcp-sessions list`
#                                               on a migrated SQLite file, and over a process whose first store call
#                                               (AddMcpSessions, CreateAsync, GetAsync) times itself; no servers. Each
#                                               twice: as built (IL, what `dotnet run` and the tests run) and as
#                                               published ReadyToRun for this machine's RID (the CLI: the files of its
#                                               RID-specific tool package, run through the apphost as the installed
#                                               tool is; the probe: published as a host app would be). The floor beside
#                                               them: a .NET process that returns at once, and --help.
#                                               Where the first call's time goes: dotnet <probe> --startup-probe FILE --phases
#   ./scripts/bench.sh --micro '*Hot*' [BDN options]   BenchmarkDotNet micro-benchmarks whose names match the filter,
#                                               with the servers started: '*Hot*' is the library's hot paths through
#                                               its public API (SQLite get, SQLite list of 20, cache-hit get over
#                                               RedisCache) in a short run with allocations; '*Store*', '*Cache*' put
#                                               the same paths beside raw baselines. Options after the filter go to
#                                               BenchmarkDotNet (e.g. --inProcess).
#
# Each phase measures the library and a raw baseline (Npgsql prepared statements, Microsoft.Data.Sqlite under the
# same pragmas, Redis HMGET / HSET+EXPIRE through the same client) back to back on the same table; the table it prints
# has ops/s, p50, p99 and KB allocated per operation per phase and the ratio to the baseline. In the same runs: SQLite
# get ÷ a prepared raw get (open connection, command prepared once); with postgres+redis, create/update/delete ÷ the
# library without the cache, and the floors (raw work only): a hit's two HMGETs at once + AES-GCM of the entry's
# secrets ÷ one HMGET, a cached write's raw write + HSET+EXPIRE ÷ the raw write, a list's, a prepared SQLite get's and a PostgreSQL get's
# raw read + AES-GCM of every stored secret ÷ the raw read, a PostgreSQL create's and update's raw write with its secrets
# serialized and AES-GCM-encrypted per call ÷ the raw write. The targets table at the end puts each target beside its floor. The machine is shared: compare ratios from one run,
# not absolute numbers across runs. Set MCPSESSIONS_TEST_POSTGRES / MCPSESSIONS_TEST_REDIS to use servers of your own.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Paths given relative to where the script was started from stay so.
args=()
help=0
startup=0
startup_runs=10
micro=""
while [ $# -gt 0 ]; do
  case "$1" in
    --micro) [ $# -ge 2 ] || { echo "--micro needs a filter, e.g. '*Hot*'" >&2; exit 2; }; micro="$2"; shift 2; args=("$@"); break ;;
    --json) [ $# -ge 2 ] || { echo "--json needs a file name" >&2; exit 2; }; args+=(--json "$(realpath -m "$2")"); shift 2 ;;
    -h|--help) help=1; shift ;;
    --startup) startup=1; shift ;;
    --runs) [ $# -ge 2 ] || { echo "--runs needs a number" >&2; exit 2; }; startup_runs="$2"; args+=(--runs "$2"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done

cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ "$startup" -eq 1 ]; then
  command -v hyperfine >/dev/null || { echo "--startup needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
  work="$(mktemp -d "${TMPDIR:-/tmp}/mcpsessions-startup.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  for project in src/McpSessions.EF.Cli tests/McpSessions.EF.Benchmarks; do
    if ! dotnet build "$project" -c Release -nologo -clp:ErrorsOnly >"$work/build.log" 2>&1; then
      cat "$work/build.log" >&2
      exit 1
    fi
  done
  # ReadyToRun needs a RID: this machine's. The CLI's publish output for it is what its tool package for that RID
  # holds (src/McpSessions.EF.Cli/McpSessions.EF.Cli.csproj); the probe is published R2R as a host app would be.
  rid="$(dotnet --info | awk '$1 == "RID:" { print $2; exit }')"
  if ! dotnet publish src/McpSessions.EF.Cli -c Release -r "$rid" --self-contained false -o "$work/cli-r2r" -nologo -clp:ErrorsOnly >"$work/build.log" 2>&1 \
    || ! dotnet publish tests/McpSessions.EF.Benchmarks -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -o "$work/probe-r2r" -nologo -clp:ErrorsOnly >"$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    exit 1
  fi
  cli="$root/src/McpSessions.EF.Cli/bin/Release/net10.0/McpSessions.EF.Cli.dll"
  probe="$root/tests/McpSessions.EF.Benchmarks/bin/Release/net10.0/McpSessions.EF.Benchmarks.dll"
  cli_r2r="$work/cli-r2r/McpSessions.EF.Cli"
  probe_r2r="$work/probe-r2r/McpSessions.EF.Benchmarks"
  db="$work/sessions.db"
  MCP_TS_STORAGE_SQLITE_PATH="$db" dotnet "$cli" migrate >/dev/null
  echo "[bench] load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; ReadyToRun for $rid" >&2
  # Each IL benchmark next to its ReadyToRun twin, so the two see much the same load.
  MCP_TS_STORAGE_SQLITE_PATH="$db" hyperfine --style basic --warmup 1 --runs "$startup_runs" --export-json "$work/hyperfine.json" \
    -n floor "dotnet $probe --startup-floor" \
    -n help "dotnet $cli --help" \
    -n help-r2r "$cli_r2r --help" \
    -n list "dotnet $cli list" \
    -n list-r2r "$cli_r2r list" \
    -n probe "dotnet $probe --startup-probe $db >>$work/probe.txt" \
    -n probe-r2r "$probe_r2r --startup-probe $db >>$work/probe-r2r.txt" >&2
  jq -r '.results[] | "\(.command)\t\(.median * 1000)\t\(.min * 1000)\t\(.max * 1000)\t\((.user + .system) * 1000)"' "$work/hyperfine.json" >"$work/wall.tsv"
  python3 - "$work/wall.tsv" "$work/probe.txt" "$work/probe-r2r.txt" <<'PY'
import statistics, sys
wall = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()]
# CPU (user + system, mean) beside the wall: on a shared machine it moves less than the wall does.
print(f"{'measurement':<52}{'median ms':>10}{'min ms':>10}{'max ms':>10}{'cpu ms':>10}")
names = {
    "floor": "floor: a .NET process that returns at once",
    "help": "mcp-sessions --help, as built (IL)",
    "help-r2r": "mcp-sessions --help, tool package (R2R)",
    "list": "mcp-sessions list, SQLite, as built (IL)",
    "list-r2r": "mcp-sessions list, SQLite, tool package (R2R)",
    "probe": "probe process, as built (IL)",
    "probe-r2r": "probe process, published R2R",
}
for name, median, low, high, cpu in wall:
    print(f"{names[name]:<52}{float(median):>10.0f}{float(low):>10.0f}{float(high):>10.0f}{float(cpu):>10.0f}")
for path, kind in [(sys.argv[2], "IL"), (sys.argv[3], "R2R")]:
    # The probe's own line per run (the warm-up's included: it is a new process too).
    runs = [dict(kv.split("=") for kv in line.split()) for line in open(path).read().splitlines()]
    for key, label in [("first-call-ms", "first store call (in process)"), ("first-call-cpu-ms", "first store call, CPU (in process)"), ("second-call-ms", "second store call (in process)"), ("setup-ms", "AddMcpSessions + resolve store")]:
        values = [float(r[key]) for r in runs]
        print(f"{f'probe ({kind}): {label}':<52}{statistics.median(values):>10.1f}{min(values):>10.1f}{max(values):>10.1f}")
PY
  exit 0
fi

# shellcheck source=lib/servers.sh
source "$root/scripts/lib/servers.sh"
trap servers_stop EXIT

project=tests/McpSessions.EF.Benchmarks
build_log="$(mktemp "${TMPDIR:-/tmp}/mcpsessions-bench-build.XXXXXX")"
if ! dotnet build "$project" -c Release -nologo -clp:ErrorsOnly >"$build_log" 2>&1; then
  cat "$build_log" >&2
  rm -f "$build_log"
  exit 1
fi
rm -f "$build_log"
harness="$root/$project/bin/Release/net10.0/McpSessions.EF.Benchmarks.dll"

if [ "$help" -eq 1 ]; then
  dotnet "$harness" macro --help
  exit 0
fi

if [ -n "$micro" ]; then
  servers_start
  echo "[bench] load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
  dotnet "$harness" --filter "$micro" "${args[@]}"
  exit 0
fi
# Arguments are checked before any server starts.
dotnet "$harness" macro --check "${args[@]}"

servers_start
echo "[bench] load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
dotnet "$harness" macro "${args[@]}"
