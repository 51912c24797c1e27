#!/usr/bin/env bash
# Installs the dependencies, builds, and launches the studio (until the studio exists: the CLI's help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
if [ -x build/ui/fractalmidi-studio ]; then
  exec build/ui/fractalmidi-studio "$@"
fi
echo "The studio is not built yet; here is the command-line tool:"
exec build/app/fractalmidi/fractalmidi --help
