#!/usr/bin/env bash
# Installs the dependencies, builds, and launches the studio (the CLI's help when the studio was not built).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
if [ -x build/app/fractalmidi-studio/fractalmidi-studio ]; then
  exec build/app/fractalmidi-studio/fractalmidi-studio "$@"
fi
echo "The studio is not built yet; here is the command-line tool:"
exec build/app/fractalmidi/fractalmidi --help
