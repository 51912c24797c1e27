#!/usr/bin/env bash
# Installs everything FractalMIDI Studio needs to build, test and run on Debian 12 (bookworm) or Debian 13
# (trixie), as root or with sudo. Safe to run again: it installs only what is missing.
# scripts/clean-root-test.sh proves this list complete in a fresh root of each release (CI runs it).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libcli11-dev nlohmann-json3-dev libstb-dev libgtest-dev
  libtorch-dev libopenblas0-openmp          # LibTorch; OpenBLAS (openmp): reference BLAS is ~18x slower
  libgloo-dev                               # the headers c10d's Gloo process group needs (data-parallel training)
  libgoogle-perftools-dev                   # tcmalloc: sampling ~20 % faster than with glibc's malloc
  qt6-base-dev qt6-charts-dev               # the studio
  libfluidsynth-dev librtmidi-dev timgm6mb-soundfont   # playback and MIDI out; a small GM soundfont
  clang libclang-rt-dev                     # libFuzzer and sanitizers (scripts/fuzz.sh)
  xvfb                                      # a virtual X server for GUI tests and screenshots
  help2man lintian desktop-file-utils appstream   # the Debian package: man page, checks (scripts/package.sh)
)
case "$codename" in
  bookworm)
    # Qt6ChartsConfig.cmake needs Qt6OpenGL, but bookworm's qt6-charts-dev does not depend on it.
    PACKAGES+=(libqt6opengl6-dev) ;;
  trixie) ;;                                # qt6-base-dev has Qt6OpenGL's CMake files
  *)
    echo "install-deps: this is '${codename:-an unknown system}'; the list is tested on Debian 12 (bookworm) and" \
         "13 (trixie) only, trying the trixie names" >&2 ;;
esac

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing (${codename:-unknown}): ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
