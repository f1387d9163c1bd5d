#!/usr/bin/env bash
# The macro benchmark: builds tests/McpSessions.EF.Benchmarks in Release, starts its own PostgreSQL and Redis (like
# scripts/test.sh, installing them with apt-get when missing), runs the harness, stops what it started.
#
#   ./scripts/bench.sh                          every configuration (sqlite, postgres, postgres+redis) at concurrency
#                                               1 and 32, N = 2000, 3 runs, and list all ids over 1,000,000 rows
#   ./scripts/bench.sh --json out.json          also write the results as JSON
#   ./scripts/bench.sh --n 50 --runs 1 --million-rows 0 --config sqlite    a quick smoke run
#   ./scripts/bench.sh --help                   every option
#
# Each phase measures the library and a raw baseline (Npgsql prepared statements, Microsoft.Data.Sqlite under the
# same pragmas, Redis GET/SET through the same client) back to back on the same table; the table it prints has
# ops/s, p50 and p99 per phase and the ratio to the baseline. The machine is shared: compare ratios from one run,
# not absolute numbers across runs. Set MCPSESSIONS_TEST_POSTGRES / MCPSESSIONS_TEST_REDIS to use servers of your own.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Paths given relative to where the script was started from stay so.
args=()
help=0
while [ $# -gt 0 ]; do
  case "$1" in
    --json) [ $# -ge 2 ] || { echo "--json needs a file name" >&2; exit 2; }; args+=(--json "$(realpath -m "$2")"); shift 2 ;;
    -h|--help) help=1; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

cd "$root"
# shellcheck source=lib/servers.sh
source "$root/scripts/lib/servers.sh"
trap servers_stop EXIT

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
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
# Arguments are checked before any server starts.
dotnet "$harness" macro --check "${args[@]}"

servers_start
echo "[bench] load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
dotnet "$harness" macro "${args[@]}"
