#!/usr/bin/env bash
# Rewrites PublicAPI.Unshipped.txt of every library that tracks its public API (a PublicAPI.Shipped.txt beside its
# .csproj) from what the code declares public now, minus PublicAPI.Shipped.txt. Run it after changing public API
# (the build fails with RS0016/RS0017 until then) and review the diff. At a release, move the lines to Shipped.
#   scripts/public-api.sh            all of them
#   scripts/public-api.sh src/X      one project folder
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -gt 0 ]]; then
  projects=("$@")
else
  mapfile -t projects < <(find src Migrations -name PublicAPI.Shipped.txt -printf '%h\n' | sort)
fi

for project in "${projects[@]}"; do
  csproj=$(ls "$project"/*.csproj)
  echo "== $csproj"
  printf '#nullable enable\n' > "$project/PublicAPI.Unshipped.txt"
  # The analyzer's own code fix (RS0016: "add to public API") run over the whole project.
  dotnet format analyzers "$csproj" --diagnostics RS0016 --severity warn --verbosity quiet
  # Sorted, as the code fix writes them one at a time.
  { head -n 1 "$project/PublicAPI.Unshipped.txt"; tail -n +2 "$project/PublicAPI.Unshipped.txt" | LC_ALL=C sort -u; } > "$project/PublicAPI.Unshipped.txt.new"
  mv "$project/PublicAPI.Unshipped.txt.new" "$project/PublicAPI.Unshipped.txt"
done
git --no-pager diff --stat -- '*PublicAPI.Unshipped.txt'
