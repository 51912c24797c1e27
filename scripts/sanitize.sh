#!/usr/bin/env bash
# scripts/sanitize.sh [asan|tsan] [ctest arguments...] — the test suite under sanitizers, in its own build folder.
#   asan (default): everything built with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/), every test.
#   tsan: everything built with ThreadSanitizer (build-tsan/), every test: the studio's generation and training
#         workers and the dataset scan (ui/job_thread.h: every hand-over under a std::mutex TSan sees), the audio
#         player's thread, the canvas's threads, cancellation from another thread, the trainer and the engine. Tests
#         run on one intra-op thread (OMP_NUM_THREADS=1, as ctest sets it): libgomp's barriers are futexes TSan cannot
#         see, so LibTorch's own parallel regions would read as races.
# A finding fails its test (UBSan does not recover; ASan and TSan stop at the first report). LibTorch, Qt and
# OpenMP are not instrumented: tests/sanitizers/ holds the suppressions for what happens inside them, each with why.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-asan}
[ $# -gt 0 ] && shift
sup=$PWD/tests/sanitizers
jobs=$(nproc)   # before OMP_NUM_THREADS is set below: nproc honours it
case "$kind" in
  asan)
    dir=build-asan flags=address,undefined tests=()
    # Leaks are checked too (LeakSanitizer at each test's exit); lsan.supp is for leaks inside libraries, if any.
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=0:strict_string_checks=1}
    export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$sup/lsan.supp:print_suppressions=0}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$sup/ubsan.supp}
    ;;
  tsan)
    dir=build-tsan flags=thread tests=()
    export OMP_NUM_THREADS=1
    export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$sup/tsan.supp}
    ;;
  *) echo "usage: scripts/sanitize.sh [asan|tsan] [ctest arguments...]" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFRACTALMIDI_SANITIZE=$flags
cmake --build "$dir" -j"$jobs"
ctest --test-dir "$dir" --output-on-failure -j"$jobs" "${tests[@]}" "$@"
