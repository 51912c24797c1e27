#!/usr/bin/env bash
# Installs the dependencies, builds, runs every test (unit, integration, sanitizer) through CTest, then builds the
# Debian package and tries it installed (scripts/package-test.sh: installs and removes it system-wide).
# Prints how long each part took. scripts/clean-root-test.sh runs this in a fresh Debian root (that is what CI does).
set -euo pipefail
cd "$(dirname "$0")/.."
times=()
part() {   # part NAME COMMAND...: runs it and records its time
  local name=$1 t0=$SECONDS; shift
  echo "== test.sh: $name"
  "$@"
  times+=("$(printf '%-14s %4d s' "$name" $(( SECONDS - t0 )))")
}
part install-deps scripts/install-deps.sh
part build scripts/build.sh
part ctest ctest --test-dir build --output-on-failure -j"$(nproc)"
part package-test scripts/package-test.sh
echo "== test.sh: passed; time per part:"
printf '   %s\n' "${times[@]}"
