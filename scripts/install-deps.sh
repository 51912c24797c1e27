#!/usr/bin/env bash
# Installs everything FractalMIDI Studio needs to build, test and run on Debian 12 (as root, or with sudo).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libcli11-dev nlohmann-json3-dev libstb-dev libgtest-dev
  libtorch-dev libopenblas0-openmp          # LibTorch; OpenBLAS (openmp): reference BLAS is ~18x slower
  qt6-base-dev qt6-charts-dev               # the studio
  libfluidsynth-dev librtmidi-dev timgm6mb-soundfont   # playback and MIDI out; a small GM soundfont
  clang libclang-rt-14-dev                  # libFuzzer and sanitizers (scripts/fuzz.sh)
  xvfb                                      # a virtual X server for GUI tests and screenshots
  help2man lintian desktop-file-utils appstream   # the Debian package: man page, checks (scripts/package.sh)
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
