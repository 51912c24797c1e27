#!/usr/bin/env bash
# Installs the dependencies, builds, runs every test (unit, integration, sanitizer) through CTest, then builds the
# Debian package and tries it installed (scripts/package-test.sh: installs and removes it system-wide).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)"
scripts/package-test.sh
