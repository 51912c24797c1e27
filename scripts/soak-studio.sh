#!/usr/bin/env bash
# scripts/soak-studio.sh [--generate 200] [--train 20] [--checkpoint FILE] [--data DIR] — one studio process, many cycles:
# generate/cancel from the main window with the shipped default model (or --checkpoint), then training start/stop
# from the Training dialog (tiny runs on 24 POP909 files). Prints VmRSS at the start, after the first tenth of each
# phase and at the end, and fails when a cycle fails or memory grew by more than 64 MB after the first tenth.
# Offscreen: no display needed. Needs a build (scripts/build.sh) and ../shared/data/pop909 (or --data DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
gen=200 train=20 data=${FRACTALMIDI_DATA:-$PWD/../shared/data}/pop909 args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --generate) gen=$2; shift 2 ;;
    --train) train=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --checkpoint) args+=(--checkpoint "$2"); shift 2 ;;
    *) echo "usage: scripts/soak-studio.sh [--generate N] [--train M] [--checkpoint FILE] [--data DIR]" >&2; exit 2 ;;
  esac
done
cmake --build build --target fm_studio_soak > /dev/null
if ! ls "$data"/*.mid > /dev/null 2>&1; then echo "soak-studio: no MIDI files in $data (give --data DIR)" >&2; exit 2; fi
work=$(mktemp -d /tmp/fm-soak-studio.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data"
for f in $(ls "$data"/*.mid | head -24); do ln -sf "$(realpath "$f")" "$work/data/"; done
export QT_QPA_PLATFORM=offscreen FRACTALMIDI_RESOURCES=${FRACTALMIDI_RESOURCES:-$PWD/resources}
t0=$SECONDS
build/tests/ui/fm_studio_soak cycles --generate "$gen" --train "$train" --data "$work/data" --out "$work/runs" "${args[@]}" \
  2> >(grep -v -e 'XDG_RUNTIME_DIR' -e 'does not support' >&2)
echo "soak-studio: passed in $(( SECONDS - t0 )) s"
