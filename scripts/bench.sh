#!/usr/bin/env bash
# Reproduces the figures in docs/PERFORMANCE.md: one JSON line per configuration into OUT (default
# build/bench.jsonl). Run it on an idle machine; a trained small checkpoint (for gating) is optional:
#   scripts/bench.sh [OUT] [SMALL_CHECKPOINT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/bench.jsonl}
ckpt=${2:-}
bin=build/app/fractalmidi/fractalmidi
: > "$out"
# The original's default model (all MAR, 8,4,2): one sample, a batch of 4, 32 bars, widths for linearity, training.
"$bin" bench --model base --target_width 128,256,512,1024 --no_gate --no_train --json | tee -a "$out"
"$bin" bench --model base --target_width 128 --batch 4 --no_gate --json | tee -a "$out"
# Its small model, all MAR and with an AR first level (column-major).
"$bin" bench --model small --target_width 128 --no_gate --json | tee -a "$out"
"$bin" bench --model small --generator_types ar,mar,mar,mar --scan_order column_major --target_width 128 --no_gate --no_train --json | tee -a "$out"
# Gating on a trained model: the same net with and without.
if [ -n "$ckpt" ]; then
  "$bin" bench --checkpoint "$ckpt" --target_width 128,512 --gate --no_train --repeats 3 --json | tee -a "$out"
  "$bin" bench --checkpoint "$ckpt" --target_width 128,512 --no_gate --no_train --repeats 3 --json | tee -a "$out"
fi
