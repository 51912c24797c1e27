#!/usr/bin/env bash
# scripts/ci-asan.sh DEADLINE — CI's sanitizer step: scripts/sanitize.sh asan (the whole suite under ASan + UBSan),
# if it can finish before DEADLINE (seconds since the epoch). CI has 90 minutes on 2 cores; the two clean-root test
# runs come first, and this step gets what is left. A finding fails CI; running out of time does not (the step says
# it did not fit, so the log never claims a sanitizer run that did not happen).
set -uo pipefail
cd "$(dirname "$0")/.."
deadline=${1:?usage: scripts/ci-asan.sh DEADLINE-EPOCH-SECONDS}
left=$(( deadline - $(date +%s) ))
if [ "$left" -lt 900 ]; then
  echo "== ci-asan: skipped, ${left} s left before CI's deadline (it needs about 35 min cold, less with ccache)"
  exit 0
fi
echo "== ci-asan: scripts/sanitize.sh asan with ${left} s left"
timeout "$left" scripts/sanitize.sh asan   # its own process group: ninja and ctest stop with it
status=$?
if [ "$status" -eq 124 ]; then
  echo "== ci-asan: did not fit in CI's time (stopped after ${left} s); no finding up to there"
  exit 0
fi
exit "$status"
