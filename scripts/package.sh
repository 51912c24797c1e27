#!/usr/bin/env bash
# Builds the Debian package from build/ and checks it:
#   scripts/package.sh        # -> build/fractalmidi-studio_<version>_amd64.deb
# Validates the desktop entry and the AppStream metainfo, brings build/ up to date (configuring it first with
# scripts/build.sh when there is none), packs it with CPack (packaging/CMakeLists.txt), prints the control fields,
# and runs lintian: any error fails; warnings and infos are listed. Needs scripts/install-deps.sh's packages.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${FM_BUILD_DIR:-build}   # the build folder (FM_BUILD_DIR overrides it)
[ -f "$build/CMakeCache.txt" ] || scripts/build.sh

desktop-file-validate packaging/fractalmidi-studio.desktop
# The project has no domain of its own yet, so its AppStream id cannot be reverse-DNS and it has no homepage: those
# hints are not failures. AppStream 1.0 (Debian 13) warns of the missing homepage; 0.16 (Debian 12) has no such tag.
# (appstreamcli takes one --override, with a comma-separated list.)
overrides=cid-desktopapp-is-not-rdns=info
if appstreamcli --version | grep -qE 'version: (0\.1[7-9]|[1-9])'; then overrides+=,url-homepage-missing=info; fi
appstreamcli validate --no-net --override="$overrides" packaging/fractalmidi-studio.metainfo.xml

cmake --build "$build" -j"$(nproc)"
rm -f "$build"/fractalmidi-studio_*_amd64.deb
(cd "$build" && cpack -G DEB)
deb=$(ls "$build"/fractalmidi-studio_*_amd64.deb)
dpkg-deb --info "$deb"
echo "lintian $deb (errors fail; warnings and infos are listed):"
status=0
report=$(lintian --fail-on error --display-info "$deb" 2>&1) || status=$?
printf '%s\n' "$report" | grep -v 'running with root privileges' || echo "(no tags)"
[ "$status" -eq 0 ] || { echo "lintian failed (exit $status)" >&2; exit 1; }
echo "package: $deb ($(du -h "$deb" | cut -f1))"
