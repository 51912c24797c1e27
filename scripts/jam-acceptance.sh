#!/usr/bin/env bash
# The Jam figures of docs/JAM.md: every mode at 120 and 180 bpm over 32 bars, the answer's key over 20 held-out POP909
# excerpts, and 10 minutes of endless play (memory per bar). Run it on an otherwise idle machine (about 25 minutes).
#   scripts/jam-acceptance.sh [OUT] [POP909 folder]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/jam}
DATA=$(realpath "${2:-../shared/data/pop909}")
FM=$(realpath build/app/fractalmidi/fractalmidi)
mkdir -p "$OUT"
sed "s|^|$DATA/|" docs/pop909-heldout.txt > "$OUT/heldout.txt"
song=$(sed -n 3p "$OUT/heldout.txt")
for bpm in 120 180; do
  "$FM" jam --mode endless --bars 32 --tempo $bpm --threads 2 --json --out "$OUT/endless-$bpm.mid" > "$OUT/endless-$bpm.jsonl"
  "$FM" jam --mode answer --input "$song" --offset 8 --bars 32 --tempo $bpm --threads 2 --json --out "$OUT/answer-$bpm.mid" > "$OUT/answer-$bpm.jsonl"
  "$FM" jam --mode accompany --input "$song" --melody_only --offset 8 --bars 32 --tempo $bpm --threads 2 --json \
    --out "$OUT/accompany-$bpm.mid" > "$OUT/accompany-$bpm.jsonl"
done
# The answer's key: 20 held-out songs from bar 9, a call of 4 bars and its answer (240 bpm, to save time).
: > "$OUT/keys.jsonl"
for i in $(seq 1 20); do
  "$FM" jam --mode answer --input "$(sed -n ${i}p "$OUT/heldout.txt")" --offset 8 --bars 8 --tempo 240 --threads 2 --seed $i --json \
    | tail -1 >> "$OUT/keys.jsonl"
done
"$FM" jam --mode endless --bars 300 --tempo 120 --threads 2 --json --out "$OUT/endless-10min.mid" > "$OUT/endless-10min.jsonl"
python3 - "$OUT" <<'PY'
import json, sys, glob, os
out = sys.argv[1]
for f in sorted(glob.glob(os.path.join(out, "*.jsonl"))):
    if f.endswith("keys.jsonl"):
        rows = [json.loads(l) for l in open(f)]
        print(f"answer key = call key: {sum(r['same_key'] for r in rows)} of {len(rows)}")
        continue
    s = json.loads(open(f).read().splitlines()[-1])
    print(os.path.basename(f), {k: s[k] for k in ("model_bars", "late_bars", "worst_margin_s", "p99_margin_s", "degraded",
                                                 "rss_start_mb", "rss_end_mb") if k in s},
          {k: s[k] for k in ("input_notes", "input_notes_kept", "same_key") if k in s})
PY
