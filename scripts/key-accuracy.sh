#!/usr/bin/env bash
# How often the key estimator (fractalmidi info) names the key a MIDI file declares (its first key signature), over a
# folder: the figure of docs/CONTROL.md's key-estimator table for the estimator built here.
#   scripts/key-accuracy.sh ../shared/data/nottingham      -> "Nottingham: 933 of 1034 files that declare a key (90.2 %)"
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: scripts/key-accuracy.sh FOLDER}
FM=build/app/fractalmidi/fractalmidi
find "$DIR" -name '*.mid' -o -name '*.midi' | sort | while read -r f; do
  "$FM" info --json "$f" 2>/dev/null || true
done | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
declared = [r for r in rows if r.get("declared_key")]
same = sum(r["key"] == r["declared_key"] for r in declared)
print(f"{sys.argv[1]}: {same} of {len(declared)} files that declare a key ({100.0 * same / max(1, len(declared)):.1f} %)")
' "$(basename "$DIR")"
