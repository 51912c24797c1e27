#!/usr/bin/env bash
# How often the beat estimator (fractalmidi info's "beats") names the step where POP909's annotators put the beat, and
# how many songs start off the beat. The dataset's repository (github.com/music-x-lab/POP909-Dataset) marks each song's
# beats and downbeats in MIDI time, in POP909/NNN/beat_midi.txt; songs whose tempo changes by more than 1 % are left out.
#   scripts/beat-accuracy-pop909.sh POP909-Dataset/POP909 ../shared/data/pop909
set -euo pipefail
cd "$(dirname "$0")/.."
ANN=${1:?usage: scripts/beat-accuracy-pop909.sh ANNOTATIONS_FOLDER MIDI_FOLDER}
MIDI=${2:?usage: scripts/beat-accuracy-pop909.sh ANNOTATIONS_FOLDER MIDI_FOLDER}
FM=${FM:-build/app/fractalmidi/fractalmidi}
for f in "$MIDI"/*.mid; do
  n=$(basename "$f" .mid)
  [ -f "$ANN/$n/beat_midi.txt" ] || continue
  printf '%s\t%s\n' "$ANN/$n/beat_midi.txt" "$("$FM" info --json "$f" 2>/dev/null || echo '{}')"
done | python3 -c '
import json, sys
songs = right = off_beat = on_bar = 0
for line in sys.stdin:
    path, js = line.rstrip("\n").split("\t", 1)
    info = json.loads(js)
    if "beat_phase" not in info or info["tempo_min_bpm"] < 0.99 * info["tempo_max_bpm"]: continue
    beat = 60.0 / (0.5 * (info["tempo_min_bpm"] + info["tempo_max_bpm"]))
    t0 = info["grid_phase_ticks"] / info["ticks_per_quarter"] * beat   # the roll step 0, in seconds
    rows = [l.split() for l in open(path) if len(l.split()) >= 3]
    first = float(rows[0][0])                                              # the first annotated beat
    down = next((float(r[0]) for r in rows if float(r[2]) == 1.0), first)  # and downbeat
    step = round((first - t0) / (beat / 4)) % 4
    songs += 1; right += step == info["beat_phase"]; off_beat += step != 0
    on_bar += round((down - t0) / (beat / 4)) % 16 == 0
print(f"POP909: {songs} songs of one tempo; {off_beat} ({100.0 * off_beat / max(1, songs):.1f} %) have their beats off the "
      f"roll quarters; the estimator names the beat step of {right} ({100.0 * right / max(1, songs):.1f} %); "
      f"{on_bar} ({100.0 * on_bar / max(1, songs):.1f} %) have their downbeats on the roll bar lines")
'
