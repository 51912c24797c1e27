#!/usr/bin/env bash
# Data-parallel overhead on one machine: the same run as 2 ranks x 1 thread (`train --nproc_per_node 2`) and as
# 1 rank x 2 threads, printing each one's steps/s and final loss. On one machine the ranks split the same cores, so the
# ratio is the cost of the collectives, not a speed-up. Run it alone on the machine.
#
#   scripts/dp-throughput.sh [FRACTALMIDI] [DATA]     # defaults: build/app/fractalmidi/fractalmidi, 40 Nottingham tunes
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
fm=${1:-$here/build/app/fractalmidi/fractalmidi}
data=${2:-}
work=$(mktemp -d /tmp/fm-dp.XXXXXX)
trap 'rm -rf "$work"' EXIT
if [ -z "$data" ]; then
  src=$here/../shared/data/nottingham
  [ -d "$src" ] || { echo "no $src: give a data folder or list" >&2; exit 2; }
  find "$src" -name '*.mid' | sort | sed -n 1,40p > "$work/songs.txt"
  data=$work/songs.txt
fi
common=(train --train_data "$data" --output_dir "$work/run" --model small --train_batch_size 8 --max_steps 30
        --eval_every 30 --val_crops 4 --precision fp32 --device cpu --seed 7)
measure() {   # label, extra args...
  local label=$1; shift
  rm -rf "$work/run"
  local out; out=$("$fm" "${common[@]}" "$@" 2>/dev/null)
  local last; last=$(grep '^step ' <<<"$out" | tail -1)
  printf '%-22s %s\n' "$label" "$(sed -E 's/.*loss ([0-9.]+) bits\/cell.* ([0-9.]+) steps\/s.*val ([0-9.]+).*/\2 steps\/s  loss \1  val \3/' <<<"$last")"
}
measure "2 ranks x 1 thread" --nproc_per_node 2 --threads 1
measure "1 rank x 2 threads" --threads 2
