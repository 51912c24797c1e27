#!/usr/bin/env bash
# The package's acceptance test (scripts/test.sh runs it after ctest, so CI does): builds the package
# (scripts/package.sh), installs it with apt, runs both installed programs from a folder outside the source tree on
# the installed default model, then removes the package and checks that its files are gone.
# As root (or with sudo): it installs fractalmidi-studio system-wide and removes it again, an earlier install included.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
step() { echo "== package test: $* (${SECONDS} s)"; }

scripts/package.sh
deb=$(realpath "${FM_BUILD_DIR:-build}"/fractalmidi-studio_*_amd64.deb)

step "install $deb"
work=$(mktemp -d)
cleanup() {
  if dpkg-query -W -f='${Status}' fractalmidi-studio 2>/dev/null | grep -q "install ok installed"; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -qq fractalmidi-studio >/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --reinstall --no-install-recommends "$deb"
if command -v update-desktop-database >/dev/null; then   # desktop-file-utils' trigger fills the MIME cache
  grep -q "^audio/midi=.*fractalmidi-studio.desktop" /usr/share/applications/mimeinfo.cache
  echo "audio/midi opens with fractalmidi-studio.desktop"
fi

# Outside the source tree, with no resource override and a scratch HOME: only the installed files can be used.
cd "$work"
unset FRACTALMIDI_RESOURCES
export HOME=$work

step "fractalmidi --version"
version=$(/usr/bin/fractalmidi --version)
echo "$version"
[[ $version == "fractalmidi "* ]]

step "fractalmidi generate with the installed default model"
/usr/bin/fractalmidi generate --output_dir "$work/out" --num_samples 1 --seed 1 > generate.log 2>&1 || { cat generate.log; exit 1; }
grep -E "^(using the default model|wrote) " generate.log
grep -q "^using the default model /usr/share/fractalmidi/models/" generate.log
[ -s "$work/out/sample_000.mid" ]
/usr/bin/fractalmidi info "$work/out/sample_000.mid"

step "fractalmidi-studio --version and --smoke-test (offscreen)"
/usr/bin/fractalmidi-studio --version
QT_QPA_PLATFORM=offscreen /usr/bin/fractalmidi-studio --smoke-test | tee smoke.log
grep -q "model /usr/share/fractalmidi/models/" smoke.log

step "remove"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -qq fractalmidi-studio
for f in /usr/bin/fractalmidi /usr/bin/fractalmidi-studio /usr/share/fractalmidi /usr/share/applications/fractalmidi-studio.desktop; do
  if [ -e "$f" ]; then echo "still there after removal: $f" >&2; exit 1; fi
done
step "passed"
