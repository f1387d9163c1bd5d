#!/usr/bin/env bash
# Regenerates the compiled EF Core models of SessionsDbContext, one per provider, into
# src/McpSessions.EF/Model/Compiled/<Provider>/ with `dotnet ef dbcontext optimize` (the migrations projects are the
# startup projects: their design-time factories build the context without a key ring). The generated classes are made
# internal (they are not API), their model id fixed, and the assembly attribute that would let EF pick one up by itself
# is left out: the library chooses the provider's model (CompiledSessionsModel).
#
#   ./scripts/compiled-models.sh                      rebuild, regenerate, write into src/
#   ./scripts/compiled-models.sh --check --no-build   regenerate into a temporary folder and fail if src/ differs (CI)
#   --configuration C                                 the build to use (default Release)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
check=0 build=1 configuration=Release
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=1; shift ;;
    --no-build) build=0; shift ;;
    --configuration) configuration="$2"; shift 2 ;;
    *) echo "usage: $0 [--check] [--no-build] [--configuration C]" >&2; exit 2 ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work="$(mktemp -d "${TMPDIR:-/tmp}/mcpsessions-compiled.XXXXXX")"
trap 'rm -rf "$work"' EXIT
status=0
for provider in Postgres Sqlite; do
  startup="Migrations/McpSessions.EF.Migrations.$provider"
  if [ "$build" -eq 1 ]; then
    dotnet build "$startup" -c "$configuration" -nologo -clp:ErrorsOnly
  fi
  out="$work/$provider"
  dotnet ef dbcontext optimize --no-build --configuration "$configuration" --project src/McpSessions.EF \
    --startup-project "$startup" --context SessionsDbContext --output-dir "$out" \
    --namespace "McpSessions.EF.Model.Compiled.$provider" >"$work/$provider.log" 2>&1 || { cat "$work/$provider.log" >&2; exit 1; }
  rm -f "$out"/*AssemblyAttributes.cs
  # EF writes a new random model id each time; a fixed one per provider keeps regeneration reproducible.
  model_id="$(python3 -c "import uuid; print(uuid.uuid5(uuid.NAMESPACE_URL, 'mcp-sessions:compiled-model:$provider'))")"
  sed -i -e 's/^    public partial class /    internal partial class /' \
    -e "s/modelId: new Guid(\"[0-9a-f-]*\")/modelId: new Guid(\"$model_id\")/" "$out"/*.cs

  target="src/McpSessions.EF/Model/Compiled/$provider"
  if [ "$check" -eq 1 ]; then
    if ! diff -r "$target" "$out" >"$work/$provider.diff"; then
      cat "$work/$provider.diff" >&2
      echo "The compiled $provider model is not what the model compiles to now: run ./scripts/compiled-models.sh and commit $target." >&2
      status=1
    fi
  else
    rm -rf "$target"
    mkdir -p "$target"
    cp "$out"/*.cs "$target/"
  fi
done
exit "$status"
