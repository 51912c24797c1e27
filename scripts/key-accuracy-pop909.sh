#!/usr/bin/env bash
# How often the key estimator (fractalmidi info) names a POP909 song's annotated key. POP909's MIDI files declare none;
# its own repository (github.com/music-x-lab/POP909-Dataset) annotates each song's keys from the audio, in
# POP909/NNN/key_audio.txt (start and end in seconds, then e.g. "Gb:maj"). The song's key is the one held longest there.
#   scripts/key-accuracy-pop909.sh POP909-Dataset/POP909 ../shared/data/pop909
#     -> "POP909: 640 of 909 songs (70.4 %) ... same scale (or the relative key) ..."
set -euo pipefail
cd "$(dirname "$0")/.."
ANN=${1:?usage: scripts/key-accuracy-pop909.sh ANNOTATIONS_FOLDER MIDI_FOLDER}
MIDI=${2:?usage: scripts/key-accuracy-pop909.sh ANNOTATIONS_FOLDER MIDI_FOLDER}
FM=${FM:-build/app/fractalmidi/fractalmidi}   # FM=other/fractalmidi: another build's estimator
for f in "$MIDI"/*.mid; do
  n=$(basename "$f" .mid)
  [ -f "$ANN/$n/key_audio.txt" ] || continue
  printf '%s\t%s\n' "$ANN/$n/key_audio.txt" "$("$FM" info --json "$f" 2>/dev/null || echo '{}')"
done | python3 -c '
import json, sys
NAMES = {"C": 0, "B#": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "Fb": 4, "F": 5, "E#": 5, "F#": 6, "Gb": 6,
         "G": 7, "G#": 8, "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11, "Cb": 11}
def annotated(path):   # the key held longest: (tonic, minor)
    held = {}
    for line in open(path):
        parts = line.split()
        if len(parts) < 3 or ":" not in parts[2]: continue
        tonic, mode = parts[2].split(":")
        if tonic not in NAMES: continue
        k = (NAMES[tonic], mode.startswith("min"))
        held[k] = held.get(k, 0.0) + float(parts[1]) - float(parts[0])
    return max(held, key=held.get) if held else None
def estimated(text):   # "F# major"
    parts = text.split()
    return (NAMES[parts[0]], parts[1] == "minor") if len(parts) == 2 and parts[0] in NAMES else None
def scale(k):   # a minor key has the scale of its relative major
    return (k[0] + 3) % 12 if k[1] else k[0]
n = same = same_scale = 0
for line in sys.stdin:
    path, js = line.rstrip("\n").split("\t", 1)
    a, e = annotated(path), estimated(json.loads(js).get("key", ""))
    if a is None or e is None: continue
    n += 1; same += a == e; same_scale += scale(a) == scale(e)
print(f"POP909: {same} of {n} songs ({100.0 * same / max(1, n):.1f} %) estimated in their annotated key; "
      f"{same_scale} ({100.0 * same_scale / max(1, n):.1f} %) in its scale (or the relative key)")
'
