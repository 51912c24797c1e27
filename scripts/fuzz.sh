#!/usr/bin/env bash
# fuzz.sh — build and run the libFuzzer targets for the readers (tests/fuzz/).
#
#   scripts/fuzz.sh [TARGET] [RUNS] [libFuzzer arguments...]
#
#   TARGET          what it reads                                   source
#   midi (default)  Standard MIDI files, import + export round trip tests/fuzz/fuzz_midi_reader.cpp
#   safetensors     safetensors files (decode + header-only read)   tests/fuzz/fuzz_safetensors.cpp
#   dataset_cache   dataset cache files (CacheView, Dataset, crops) tests/fuzz/fuzz_dataset_cache.cpp
#   run_folder      a run's config.json and metrics.jsonl           tests/fuzz/fuzz_run_folder.cpp
#   all             each of the above in turn, RUNS executions each
#   RUNS            executions (default 1,000,000); libFuzzer's -max_total_time=S among the extra arguments
#                   stops earlier
#
#   scripts/fuzz.sh                          # the MIDI reader, 1,000,000 executions
#   scripts/fuzz.sh 50000000                 # the MIDI reader, more (the older form: RUNS first)
#   scripts/fuzz.sh safetensors 1000000 -jobs=2
#   scripts/fuzz.sh all 200000
#
# Configures its own build folder (build-fuzz, or $FM_FUZZ_BUILD) with clang, -DFRACTALMIDI_FUZZ=ON and no GUI,
# model or tests (run_folder is compiled from source without LibTorch). Each target has its corpus in
# build-fuzz/corpus/TARGET, seeded with valid files made by the project's own writers (build-fuzz/.../fuzz_seeds)
# and, for midi and dataset_cache, files from ../shared/data/test_midi_files (or $FRACTALMIDI_DATA) when present.
# Runs with -timeout=10 -rss_limit_mb=2048 (so also no single allocation over 2 GB) and the target's dictionary.
# The readers that take a path read a scratch file rewritten each execution, in /dev/shm (or $FM_FUZZ_TMP).
# Crashing, hanging or memory-hungry inputs land in build-fuzz/artifacts/TARGET/; replay one with
# `build-fuzz/tests/fuzz/fuzz_TARGET FILE` (fuzz_midi_reader for midi). Exits non-zero on a finding.
# Needs clang and libclang-rt-14-dev (Debian: apt-get install -y clang libclang-rt-14-dev).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FM_FUZZ_BUILD:-$root/build-fuzz}
targets=(midi safetensors dataset_cache run_folder)
usage="usage: $0 [midi|safetensors|dataset_cache|run_folder|all] [runs] [libFuzzer arguments...]"

target=midi
case ${1:-} in
  ''|[0-9]*|-*) ;;                             # RUNS first (or nothing): the MIDI reader, as before
  all|midi|safetensors|dataset_cache|run_folder) target=$1; shift;;
  *) echo "$usage" >&2; exit 2;;
esac
runs=1000000
if [[ $# -gt 0 && $1 != -* ]]; then runs=$1; shift; fi
case $runs in (*[!0-9]*|'') echo "$usage" >&2; exit 2;; esac

export CC=${CC:-clang} CXX=${CXX:-clang++}
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DFRACTALMIDI_FUZZ=ON -DFRACTALMIDI_TCMALLOC=OFF -DFRACTALMIDI_BUILD_GUI=OFF -DFRACTALMIDI_BUILD_MODEL=OFF -DFRACTALMIDI_BUILD_TESTS=OFF
fi
binary() { [[ $1 == midi ]] && echo fuzz_midi_reader || echo "fuzz_$1"; }
if [[ $target == all ]]; then selected=("${targets[@]}"); else selected=("$target"); fi
build_targets=(fuzz_seeds)
for t in "${selected[@]}"; do build_targets+=("$(binary "$t")"); done
cmake --build "$build" --target "${build_targets[@]}" -j "${FM_BUILD_JOBS:-2}"
seeds=$build/tests/fuzz/fuzz_seeds
data=${FRACTALMIDI_DATA:-$root/../shared/data}/test_midi_files
# The readers that take a path get their input through a scratch file each execution: on tmpfs when there is one
# (on ext4 it costs ~4x the executions a second); the fuzzer removes its folder on exit, but not after a crash.
scratch=${FM_FUZZ_TMP:-/dev/shm}
[[ -d $scratch && -w $scratch ]] || { scratch=$build/tmp; mkdir -p "$scratch"; }

# Small MIDI seeds of our own: header + one track each (printf's \x escapes; lengths written out by hand).
midi_seeds() {
  local corpus=$1
  if [[ -d $data ]]; then
    cp -n "$data"/*.mid "$corpus"/ 2>/dev/null || true
    echo "corpus seeded from $data"
  else
    echo "no $data: seeding with the built-in files only"
  fi
  seed() { printf "$2" > "$corpus/seed-$1.mid"; }
  local hdr='MThd\x00\x00\x00\x06'
  seed empty-track      "${hdr}\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x04\x00\xff\x2f\x00"
  seed one-note         "${hdr}\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x0c\x00\x90\x3c\x64\x60\x80\x3c\x40\x00\xff\x2f\x00"
  seed running-status   "${hdr}\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x18\x00\xff\x51\x03\x07\xa1\x20\x00\x90\x3c\x64\x30\x3c\x00\x00\x3e\x50\x30\x3e\x00\x00\xff\x2f\x00"
  seed drums-and-cc     "${hdr}\x00\x01\x00\x02\x01\xe0MTrk\x00\x00\x00\x04\x00\xff\x2f\x00MTrk\x00\x00\x00\x14\x00\x99\x24\x7f\x00\xc0\x00\x00\x90\x40\x40\x83\x60\xb0\x7b\x00\x00\xff\x2f\x00"
  seed format2          "${hdr}\x00\x02\x00\x02\x00\x60MTrk\x00\x00\x00\x0c\x00\x90\x3c\x64\x60\x80\x3c\x40\x00\xff\x2f\x00MTrk\x00\x00\x00\x0c\x00\x91\x3e\x64\x60\x81\x3e\x40\x00\xff\x2f\x00"
  seed smpte            "${hdr}\x00\x00\x00\x01\xe7\x28MTrk\x00\x00\x00\x0c\x00\x90\x3c\x64\x60\x80\x3c\x40\x00\xff\x2f\x00"
  seed sysex-truncated  "${hdr}\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x10\x00\xf0\x05\x7e\x7f\x09\x01\xf7\x00\x90\x3c"
  seed rmid             "RIFF\x2e\x00\x00\x00RMIDdata\x22\x00\x00\x00${hdr}\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x0c\x00\x90\x3c\x64\x60\x80\x3c\x40\x00\xff\x2f\x00"
}

# The four smallest test MIDI files (so the cache built from them stays a small seed).
small_midi() {
  [[ -d $data ]] || return 0
  find "$data" -maxdepth 1 -name '*.mid' -printf '%s %p\n' | sort -n | head -4 | cut -d' ' -f2-
}

fuzz_one() {
  local t=$1 fuzzer dict max_len
  shift
  fuzzer=$build/tests/fuzz/$(binary "$t")
  local corpus=$build/corpus/$t artifacts=$build/artifacts/$t
  mkdir -p "$corpus" "$artifacts"
  case $t in
    midi)          dict=midi.dict;          max_len=65536; midi_seeds "$corpus";;
    safetensors)   dict=safetensors.dict;   max_len=16384; "$seeds" safetensors "$corpus";;
    dataset_cache) dict=dataset_cache.dict; max_len=65536
                   mapfile -t midi < <(small_midi)
                   "$seeds" dataset_cache "$corpus" "${midi[@]}";;
    run_folder)    dict=json.dict;          max_len=8192;  "$seeds" run_folder "$corpus";;
  esac
  echo "fuzzing $t: $fuzzer -runs=$runs ($(ls "$corpus" | wc -l) corpus files)"
  local status=0
  TMPDIR=$scratch "$fuzzer" -runs="$runs" -max_len=$max_len -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -dict="$root/tests/fuzz/$dict" -artifact_prefix="$artifacts/" "$@" "$corpus" || status=$?
  if [[ $status -ne 0 ]]; then
    echo "FUZZ FINDING in $t (exit $status): see $artifacts/ and the report above" >&2
    return "$status"
  fi
  echo "$t: no finding in $runs runs"
}

failed=()
for t in "${selected[@]}"; do
  fuzz_one "$t" "$@" || failed+=("$t")
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "findings in: ${failed[*]}" >&2
  exit 1
fi
