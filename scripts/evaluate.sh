#!/usr/bin/env bash
# Reproduces docs/EVALUATION.md: bits/cell and music metrics of the shipped models on the POP909 songs they were not
# trained on, and sample pictures. Usage: scripts/evaluate.sh [OUT_DIR] [DATA_DIR]
#   OUT_DIR   where the JSON and text reports and the sample pictures go (default: out/evaluation)
#   DATA_DIR  POP909 (default: ../shared/data/pop909)
# The held-out songs are the trainer's own split (seed 0: 10 % of the files, by a hash of their path), which
# `fractalmidi train` writes as val_files.txt; docs/pop909-heldout.txt keeps that list relative to the data folder.
# About 15 minutes on 2 CPU cores.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/evaluation}
DATA=${2:-../shared/data/pop909}
FM=build/app/fractalmidi/fractalmidi
M128=resources/models/default-128.safetensors
M512=resources/models/default-512.safetensors
mkdir -p "$OUT"
HELD="$OUT/heldout.txt" TRAIN="$OUT/train.txt"
sed "s|^|$(realpath "$DATA")/|" docs/pop909-heldout.txt > "$HELD"
# The ceiling row and the marginal baseline use the training songs only (every file of DATA not held out).
find "$(realpath "$DATA")" -iname '*.mid' | sort | grep -vxF -f "$HELD" > "$TRAIN"

# bits/cell (the sampling schedule 8,4,2)
"$FM" eval --checkpoint "$M128" --data "$HELD" --crops 64 --orders 2 --json > "$OUT/bits-128.json"
"$FM" eval --checkpoint "$M512" --data "$HELD" --crops 32 --orders 1 --json > "$OUT/bits-512.json"
# music metrics with the generation defaults, and 8 bars with 8,16,16 iterations
"$FM" eval --checkpoint "$M128" --data "$HELD" --crops 2 --orders 1 --reference "$HELD" --train_data "$TRAIN" --samples 128 > "$OUT/music-128.txt"
"$FM" eval --checkpoint "$M128" --data "$HELD" --crops 2 --orders 1 --reference "$HELD" --train_data "$TRAIN" --samples 32 \
  --num_iter_list 8,16,16 > "$OUT/music-128-81616.txt"
"$FM" eval --checkpoint "$M512" --data "$HELD" --crops 2 --orders 1 --reference "$HELD" --train_data "$TRAIN" --samples 64 > "$OUT/music-512.txt"
# sample pictures, uncurated: seeds 1-4 for 8 bars, seed 1 for 32 bars (docs/evaluation/sample-*-seed*.png)
for seed in 1 2 3 4; do
  "$FM" generate --checkpoint "$M128" --num_samples 1 --seed $seed --save_images --output_dir "$OUT/samples-128-seed$seed" > /dev/null
done
"$FM" generate --checkpoint "$M512" --num_samples 1 --seed 1 --save_images --output_dir "$OUT/samples-512-seed1" > /dev/null
echo "reports in $OUT"
