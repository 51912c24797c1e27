#!/usr/bin/env bash
# The Tracks picture of docs/TRACKS.md: a multi-track model writing a song's bridge and piano under its kept melody
# (build/tests/ui/fm_studio_screenshot --tracks under Xvfb).
#   scripts/screenshot-tracks.sh MODEL.safetensors SONG.mid [OUT.png]   (SONG: e.g. fractalmidi convert --tracks ...)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${3:-docs/tracks-studio.png}
OMP_NUM_THREADS=2 xvfb-run -a -s "-screen 0 1400x900x24" build/tests/ui/fm_studio_screenshot --tracks "$1" "$2" "$OUT"
echo "wrote $OUT"
