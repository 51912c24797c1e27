#!/usr/bin/env bash
# scripts/soak-train.sh — crash safety of training: SIGKILL at random moments, resume, and nothing is lost.
#
#   scripts/soak-train.sh [--kills 20] [--studio_kills 5] [--steps 400] [--data DIR] [--work DIR] [--keep]
#
# 1. A reference run of --steps steps of the tiny model on 24 POP909 files (checkpoints every 5 steps), uninterrupted.
# 2. The same run through `fractalmidi train --resume`, killed with SIGKILL --kills times: at random moments, and every
#    third time as soon as a checkpoint write has begun (its temporary file exists). After each kill, every
#    checkpoint in the folder must load (`fractalmidi info`: digest and finite weights), and the step of
#    last.safetensors must never go back. Then it runs to the end, and its last.safetensors must hold exactly the
#    reference's tensors (same digest: weights, optimiser state, moving average).
# 3. The same through the studio's Training dialog (fm_studio_soak train: New Run…, then Open Run… › Resume after
#    each kill), --studio_kills times, against a reference run made by the dialog too.
# Prints the figures (kills, kills inside a write, resumes, lost steps) and exits 1 on the first failed check.
# Needs a build (scripts/build.sh) and ../shared/data/pop909 (or --data DIR of MIDI files).
set -euo pipefail
cd "$(dirname "$0")/.."
kills=20 studio_kills=5 steps=400 data=${FRACTALMIDI_DATA:-$PWD/../shared/data}/pop909 work= keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --kills) kills=$2; shift 2 ;;
    --studio_kills) studio_kills=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: scripts/soak-train.sh [--kills N] [--studio_kills M] [--steps S] [--data DIR] [--work DIR] [--keep]" >&2; exit 2 ;;
  esac
done
FM=$PWD/build/app/fractalmidi/fractalmidi
SOAK=$PWD/build/tests/ui/fm_studio_soak
targets=(fractalmidi)
[ "$studio_kills" -gt 0 ] && targets+=(fm_studio_soak)
cmake --build build --target "${targets[@]}" > /dev/null
if ! ls "$data"/*.mid > /dev/null 2>&1; then echo "soak-train: no MIDI files in $data (give --data DIR)" >&2; exit 2; fi
work=${work:-$(mktemp -d /tmp/fm-soak-train.XXXXXX)}
[ "$keep" = 1 ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data"
for f in $(ls "$data"/*.mid | head -24); do ln -sf "$(realpath "$f")" "$work/data/"; done
export QT_QPA_PLATFORM=offscreen OMP_NUM_THREADS=1

die() { echo "soak-train: FAILED: $*" >&2; exit 1; }
json_field() { grep -o "\"$2\":[^,}]*" <<< "$1" | head -1 | cut -d: -f2- | tr -d '"'; }
# Every checkpoint of a run folder loads; prints the step of last.safetensors (0 when there is none yet).
check_folder() {
  local dir=$1 step=0 f out
  for f in "$dir"/last.safetensors "$dir"/best.safetensors; do
    [ -e "$f" ] || continue
    out=$("$FM" info "$f" --json 2>&1) || die "$f does not load after a kill: $out"
    [ "$(json_field "$out" verified)" = true ] || die "$f has no digest"
    [ "$f" = "$dir/last.safetensors" ] && step=$(json_field "$out" step)
  done
  echo "$step"
}
random_delay() { printf '%d.%03d\n' $(( RANDOM % 3 )) $(( 500 + RANDOM % 500 )); }   # 0.5 to 3 s (a start takes ~0.6 s)

# soak NAME KILLS START_COMMAND...: kills the command KILLS times, checking the folder after each, then finishes it.
soak() {
  local name=$1 n=$2; shift 2
  local dir=$work/$name prev=0 in_write=0 before_start=0 finished_early=0 step pid k
  for (( k = 1; k <= n; k++ )); do
    "$@" "$dir" >> "$work/$name.log" 2>&1 &
    pid=$!
    if (( k % 3 == 0 )); then   # aim at a checkpoint write: kill once its temporary file appears
      until compgen -G "$dir/*.safetensors.tmp*" > /dev/null || ! kill -0 "$pid" 2> /dev/null; do :; done   # spins: a write lasts milliseconds
    else
      sleep "$(random_delay)"
    fi
    if kill -9 "$pid" 2> /dev/null; then :; else finished_early=$(( finished_early + 1 )); fi
    wait "$pid" 2> /dev/null || true
    compgen -G "$dir/*.safetensors.tmp*" > /dev/null && in_write=$(( in_write + 1 ))
    step=$(check_folder "$dir")
    [ -e "$dir/last.safetensors" ] || before_start=$(( before_start + 1 ))
    (( step >= prev )) || die "$name: after kill $k the last checkpoint is of step $step, before $prev: steps were lost"
    prev=$step
    echo "  $name kill $k: last checkpoint at step $step"
  done
  ("$@" "$dir") >> "$work/$name.log" 2>&1 || die "$name: the final resume failed (log: $work/$name.log)"
  step=$(check_folder "$dir")
  [ "$step" = "$steps" ] || die "$name: ended at step $step of $steps"
  compgen -G "$dir/*.safetensors.tmp*" > /dev/null && die "$name: partial files left after the resume"
  # metrics.jsonl: one line per step, 1 to the end, in order (the resumes trimmed what they trained again).
  local expected actual
  expected=$(seq 1 "$steps" | tr '\n' ' ')
  actual=$(grep -o '"step":[0-9]*' "$dir/metrics.jsonl" | cut -d: -f2 | tr '\n' ' ')
  [ "$actual" = "$expected" ] || die "$name: metrics.jsonl does not hold steps 1 to $steps once each"
  echo "$name: $n kills ($in_write inside a checkpoint write, $before_start before the first checkpoint, $finished_early after the end), $n resumes, lost steps: 0"
}

common=(--train_data "$work/data" --model tiny --crop_length 64 --train_batch_size 2 --plan_batch 4 --val_crops 2
        --eval_every 5 --warmup_steps 2 --max_steps "$steps" --threads 1 --device cpu --seed 0)
# exec: the background job is the program itself, so that SIGKILL reaches it (not a subshell around it).
cli_run() { exec "$FM" train "${common[@]}" --resume --output_dir "$1"; }
studio_run() { exec "$SOAK" train --data "$work/data" --out "$1" --steps "$steps" --eval_every 5; }
same_weights() {   # same_weights NAME REFERENCE_DIR DIR
  local a b
  a=$(json_field "$("$FM" info "$2/last.safetensors" --json)" digest)
  b=$(json_field "$("$FM" info "$3/last.safetensors" --json)" digest)
  [ -n "$a" ] && [ "$a" = "$b" ] || die "$1: the final weights differ from the uninterrupted run's ($b against $a)"
  echo "$1: final last.safetensors equals the uninterrupted run's ($a)"
}

echo "== the command line: $kills kills over $steps steps (work folder $work)"
("$FM" train "${common[@]}" --output_dir "$work/cli-reference") > "$work/cli-reference.log" 2>&1 || die "reference run failed"
soak cli "$kills" cli_run
same_weights cli "$work/cli-reference" "$work/cli"

if [ "$studio_kills" -gt 0 ]; then
  echo "== the studio's Training dialog: $studio_kills kills over $steps steps"
  (studio_run "$work/studio-reference") > "$work/studio-reference.log" 2>&1 || die "studio reference run failed (log: $work/studio-reference.log)"
  soak studio "$studio_kills" studio_run
  same_weights studio "$work/studio-reference" "$work/studio"
fi
echo "soak-train: passed"
