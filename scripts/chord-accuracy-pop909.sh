#!/usr/bin/env bash
# How often the chord estimator (fractalmidi info, one chord per bar) names the chord POP909's annotators heard. Its
# repository (github.com/music-x-lab/POP909-Dataset) marks each song's chords in MIDI time, in POP909/NNN/chord_midi.txt
# (start, end in seconds, e.g. "A:min7/b3"). Judged are the roll's bars (16 steps from the file's first grid step, so
# a song with a pickup has them across its own bars) that one annotated chord fills for at least three quarters: many
# bars hold two chords, which a chord per bar cannot name. Songs whose tempo changes by more than 1 % are left out. Two figures: the root, and root with major/minor (a seventh counts as its triad; bars
# annotated sus, dim or aug are left out of the second, as MIREX's "majmin" does).
#   scripts/chord-accuracy-pop909.sh POP909-Dataset/POP909 ../shared/data/pop909
set -euo pipefail
cd "$(dirname "$0")/.."
ANN=${1:?usage: scripts/chord-accuracy-pop909.sh ANNOTATIONS_FOLDER MIDI_FOLDER}
MIDI=${2:?usage: scripts/chord-accuracy-pop909.sh ANNOTATIONS_FOLDER MIDI_FOLDER}
FM=${FM:-build/app/fractalmidi/fractalmidi}
for f in "$MIDI"/*.mid; do
  n=$(basename "$f" .mid)
  [ -f "$ANN/$n/chord_midi.txt" ] || continue
  printf '%s\t%s\n' "$ANN/$n" "$("$FM" info --json "$f" 2>/dev/null || echo '{}')"
done | python3 -c '
import json, sys
NAMES = {"C": 0, "B#": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "Fb": 4, "F": 5, "E#": 5, "F#": 6, "Gb": 6,
         "G": 7, "G#": 8, "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11, "Cb": 11}
def annotated(label):   # "A:min7/b3" -> (root, "maj" | "min" | "other"); None for N
    if ":" not in label: return None
    root, q = label.split(":", 1)
    q = q.split("/")[0]
    if root not in NAMES: return None
    if q.startswith("min"): fam = "min"
    elif q.startswith("maj") or q[:1].isdigit(): fam = "maj"
    else: fam = "other"   # sus, dim, hdim, aug
    return NAMES[root], fam
def estimated(symbol):   # "Ebm7/Bb" -> (root, family); None for N.C.
    s = symbol.split("/")[0]
    root = s[:2] if s[1:2] in ("#", "b") else s[:1]
    if root not in NAMES: return None
    q = s[len(root):]
    fam = "min" if q in ("m", "m7") else "maj" if q in ("", "7", "maj7") else "other"
    return NAMES[root], fam
bars = root_ok = mm_bars = mm_ok = songs = 0
for line in sys.stdin:
    folder, js = line.rstrip("\n").split("\t", 1)
    info = json.loads(js)
    if not info.get("chords") or info["tempo_min_bpm"] < 0.99 * info["tempo_max_bpm"]: continue
    bpm = 0.5 * (info["tempo_min_bpm"] + info["tempo_max_bpm"]); beat = 60.0 / bpm
    t0 = info["grid_phase_ticks"] / info["ticks_per_quarter"] * beat
    spans = []
    for l in open(folder + "/chord_midi.txt"):
        p = l.split()
        if len(p) >= 3: spans.append((float(p[0]), float(p[1]), p[2]))
    songs += 1
    for k, symbol in enumerate(info["chords"]):
        a, b = t0 + 4 * beat * k, t0 + 4 * beat * (k + 1)
        held = {}
        for s, e, label in spans:
            o = min(b, e) - max(a, s)
            if o > 0: held[label] = held.get(label, 0.0) + o
        if not held: continue
        label = max(held, key=held.get)
        if held[label] < 0.75 * (b - a): continue
        want, got = annotated(label), estimated(symbol)
        if want is None: continue
        bars += 1
        root_ok += got is not None and got[0] == want[0]
        if want[1] != "other":
            mm_bars += 1
            mm_ok += got is not None and got == want
print(f"POP909: {songs} songs of one tempo, {bars} bars with one annotated chord: root {100.0 * root_ok / max(1, bars):.1f} %; "
      f"root and major/minor {100.0 * mm_ok / max(1, mm_bars):.1f} % of {mm_bars}")
'
