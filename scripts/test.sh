#!/usr/bin/env bash
# Builds the solution, starts real PostgreSQL and Redis servers (installing them with apt-get when missing), runs
# every test project, then a one-minute soak (scripts/soak.sh, counted as one test), stops what it started, and prints
# "N passed, N failed, N skipped" as its last line.
#
#   ./scripts/test.sh                 everything
#   ./scripts/test.sh --filter EXPR   pass a dotnet test filter through (and no soak)
#
# To use servers of your own, set MCPSESSIONS_TEST_POSTGRES (an Npgsql connection string to a database on a server
# where the tests may create databases) and MCPSESSIONS_TEST_REDIS (host:port); nothing is started then. The cache
# tests also start, kill and restart a redis-server of their own: MCPSESSIONS_TEST_REDIS_SERVER (default: the one on
# PATH, installed when missing).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=lib/servers.sh
source "$root/scripts/lib/servers.sh"

configuration="${CONFIGURATION:-Release}"
extra=()
soak=1
while [ $# -gt 0 ]; do
  case "$1" in
    --filter) extra+=(--filter "$2"); soak=0; shift 2 ;;
    *) echo "usage: $0 [--filter EXPR]" >&2; exit 2 ;;
  esac
done

results="$(mktemp -d "${TMPDIR:-/tmp}/mcpsessions-results.XXXXXX")"
cleanup() {
  servers_stop
  rm -rf "$results"
}
trap cleanup EXIT

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null
dotnet build McpSessions.EF.sln -c "$configuration" -nologo -clp:ErrorsOnly
# The CLI's tool packages are one per runtime identifier (ReadyToRun where it has one): built here, so the packaging
# test can pack without building while other tests run the CLI's build output.
for rid in $(dotnet msbuild src/McpSessions.EF.Cli -getProperty:RuntimeIdentifiers | tr ';' ' '); do
  dotnet build src/McpSessions.EF.Cli -c "$configuration" -r "$rid" -nologo -clp:ErrorsOnly
done

# The model and the migrations of each provider never drift apart.
for provider in Postgres Sqlite; do
  dotnet ef migrations has-pending-model-changes --no-build --configuration "$configuration" \
    --project "Migrations/McpSessions.EF.Migrations.$provider"
done

# Nor do the model and its compiled form: regenerated into a temporary folder and compared with the committed one.
./scripts/compiled-models.sh --check --no-build --configuration "$configuration"

# The Node peer the interop tests run (@mcp-ts/sdk), exactly as tests/node/package-lock.json pins it. No package in
# that lockfile has an install script: --ignore-scripts skips nothing today and keeps a lockfile update from running code.
missing=""
for tool in node npm; do command -v "$tool" >/dev/null || missing+=" $tool"; done
if [ -n "$missing" ]; then
  echo "missing:$missing. The interop tests run @mcp-ts/sdk under Node.js; install it (Debian: apt-get install nodejs npm)." >&2
  exit 1
fi
(cd tests/node && npm ci --no-audit --no-fund --no-update-notifier --ignore-scripts --loglevel=error)
export MCPSESSIONS_TEST_NODE_PROJECT="$root/tests/node"

servers_start

# Every test project in the solution; one TRX file each, counted below.
set +e
dotnet test McpSessions.EF.sln -c "$configuration" --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "${extra[@]}"
status=$?
set -e

passed=0 failed=0 skipped=0 total=0
shopt -s nullglob
trx_files=("$results"/*.trx)
for trx in "${trx_files[@]}"; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  attr() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  total=$(( total + $(attr total) ))
  passed=$(( passed + $(attr passed) ))
  failed=$(( failed + $(attr failed) + $(attr error) + $(attr timeout) + $(attr aborted) ))
  skipped=$(( skipped + $(attr notExecuted) ))
done

# The soak, with servers of its own (it kills and restarts them), counted as one test.
if [ "$soak" -eq 1 ]; then
  if ./scripts/soak.sh --minutes 1 --no-build; then
    passed=$(( passed + 1 ))
    echo "soak (scripts/soak.sh --minutes 1): passed"
  else
    failed=$(( failed + 1 ))
    echo "soak (scripts/soak.sh --minutes 1): FAILED"
  fi
  total=$(( total + 1 ))
fi

if [ ${#trx_files[@]} -eq 0 ] || [ "$total" -eq 0 ]; then
  echo "no test results were produced" >&2
  status=1
  failed=$(( failed > 0 ? failed : 1 ))
fi
if [ "$failed" -gt 0 ]; then
  status=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
