#!/usr/bin/env bash
# Reproduces the figures in docs/PERFORMANCE.md: one JSON line per configuration into OUT (default
# build/bench.jsonl). Run it on an idle machine, in the same session as the Python original
# (scripts/bench-vs-python.sh runs both). Two threads, as the original is timed.
#   scripts/bench.sh [OUT] [CHECKPOINT]      # CHECKPOINT (gated runs): default resources/models/default-128.safetensors
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/bench.jsonl}
ckpt=${2:-resources/models/default-128.safetensors}
bin=build/app/fractalmidi/fractalmidi
: > "$out"
for precision in fp32 bf16; do
  # The original's default model (all MAR, 8,4,2), ungated as it is: one sample, widths for linearity, training at batch 8.
  "$bin" bench --model base --target_width 128,512 --no_gate --threads 2 --repeats 3 --precision $precision --json | tee -a "$out"
  # Its small model, all MAR and with an AR first level (column-major).
  "$bin" bench --model small --target_width 128 --no_gate --threads 2 --repeats 3 --precision $precision --json | tee -a "$out"
  "$bin" bench --model small --generator_types ar,mar,mar,mar --scan_order column_major --target_width 128 --no_gate --no_train \
      --threads 2 --precision $precision --json | tee -a "$out"
  # The shipped model, gated (as generate and the studio run it), 8 and 32 bars.
  if [ -f "$ckpt" ]; then
    # at the generation default schedule (GenerateParams: 8,2,4), not the original's 8,4,2
    "$bin" bench --checkpoint "$ckpt" --target_width 128,512 --gate --no_train --threads 2 --repeats 5 --precision $precision \
        --num_iter_list 8,2,4 --json | tee -a "$out"
  fi
done
