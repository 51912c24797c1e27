#!/usr/bin/env bash
# fuzz.sh — build and run the libFuzzer target for the MIDI reader (tests/fuzz/fuzz_midi_reader.cpp).
#
#   scripts/fuzz.sh                    # 1,000,000 executions
#   scripts/fuzz.sh 50000000           # more
#   scripts/fuzz.sh 1000000 -jobs=2    # extra arguments go to libFuzzer
#
# Configures its own build folder (build-fuzz, or $FM_FUZZ_BUILD) with clang, -DFRACTALMIDI_FUZZ=ON and no GUI,
# model or tests; seeds build-fuzz/corpus from ../shared/data/test_midi_files (or $FRACTALMIDI_DATA) when present
# plus a few small files made here; runs with -max_len=65536 -timeout=10 -rss_limit_mb=2048. Crashing, hanging
# or memory-hungry inputs land in build-fuzz/artifacts/. Exits non-zero on a finding.
# Needs clang and libclang-rt-14-dev (Debian: apt-get install -y clang libclang-rt-14-dev).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FM_FUZZ_BUILD:-$root/build-fuzz}
runs=${1:-1000000}
[[ $# -gt 0 ]] && shift
case $runs in (*[!0-9]*|'') echo "usage: $0 [runs] [libFuzzer arguments...]" >&2; exit 2;; esac

export CC=${CC:-clang} CXX=${CXX:-clang++}
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DFRACTALMIDI_FUZZ=ON -DFRACTALMIDI_BUILD_GUI=OFF -DFRACTALMIDI_BUILD_MODEL=OFF -DFRACTALMIDI_BUILD_TESTS=OFF
fi
cmake --build "$build" --target fuzz_midi_reader -j "${FM_BUILD_JOBS:-2}"
fuzzer=$build/tests/fuzz/fuzz_midi_reader

corpus=$build/corpus
artifacts=$build/artifacts
mkdir -p "$corpus" "$artifacts"
data=${FRACTALMIDI_DATA:-$root/../shared/data}/test_midi_files
if [[ -d $data ]]; then
  cp -n "$data"/*.mid "$corpus"/ 2>/dev/null || true
  echo "corpus seeded from $data"
else
  echo "no $data: seeding with the built-in files only"
fi
# Small seeds of our own: header + one track each (printf's \x escapes; lengths written out by hand).
seed() { printf "$2" > "$corpus/seed-$1.mid"; }
hdr='MThd\x00\x00\x00\x06'
seed empty-track      "${hdr}\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x04\x00\xff\x2f\x00"
seed one-note         "${hdr}\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x0c\x00\x90\x3c\x64\x60\x80\x3c\x40\x00\xff\x2f\x00"
seed running-status   "${hdr}\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x18\x00\xff\x51\x03\x07\xa1\x20\x00\x90\x3c\x64\x30\x3c\x00\x00\x3e\x50\x30\x3e\x00\x00\xff\x2f\x00"
seed drums-and-cc     "${hdr}\x00\x01\x00\x02\x01\xe0MTrk\x00\x00\x00\x04\x00\xff\x2f\x00MTrk\x00\x00\x00\x14\x00\x99\x24\x7f\x00\xc0\x00\x00\x90\x40\x40\x83\x60\xb0\x7b\x00\x00\xff\x2f\x00"
seed format2          "${hdr}\x00\x02\x00\x02\x00\x60MTrk\x00\x00\x00\x0c\x00\x90\x3c\x64\x60\x80\x3c\x40\x00\xff\x2f\x00MTrk\x00\x00\x00\x0c\x00\x91\x3e\x64\x60\x81\x3e\x40\x00\xff\x2f\x00"
seed smpte            "${hdr}\x00\x00\x00\x01\xe7\x28MTrk\x00\x00\x00\x0c\x00\x90\x3c\x64\x60\x80\x3c\x40\x00\xff\x2f\x00"
seed sysex-truncated  "${hdr}\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x10\x00\xf0\x05\x7e\x7f\x09\x01\xf7\x00\x90\x3c"
seed rmid             "RIFF\x2e\x00\x00\x00RMIDdata\x22\x00\x00\x00${hdr}\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x0c\x00\x90\x3c\x64\x60\x80\x3c\x40\x00\xff\x2f\x00"

echo "fuzzing: $fuzzer -runs=$runs ($(ls "$corpus" | wc -l) corpus files)"
status=0
"$fuzzer" -runs="$runs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -dict="$root/tests/fuzz/midi.dict" -artifact_prefix="$artifacts/" "$@" "$corpus" || status=$?
if [[ $status -ne 0 ]]; then
  echo "FUZZ FINDING (exit $status): see $artifacts/ and the report above" >&2
  exit "$status"
fi
echo "no finding in $runs runs"
