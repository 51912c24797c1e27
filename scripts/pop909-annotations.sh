#!/usr/bin/env bash
# The estimators of `fractalmidi info` against POP909's own annotations. POP909's MIDI files declare no key, chords or
# beats, but the dataset's repository (github.com/music-x-lab/POP909-Dataset; `fetch` it) marks them per song in
# POP909/NNN/: key_audio.txt (keys, from the audio), chord_midi.txt (chords, in MIDI time: start, end in seconds,
# e.g. "A:min7/b3") and beat_midi.txt (beats, with a downbeat flag).
#   scripts/pop909-annotations.sh key    POP909-Dataset/POP909 ../shared/data/pop909
#     the key held longest in key_audio.txt against info's key; and the same scale (the key or its relative)
#   scripts/pop909-annotations.sh chords POP909-Dataset/POP909 ../shared/data/pop909
#     info's chord of each roll bar (16 steps from the first grid step) that one annotated chord fills for at least
#     three quarters (many bars hold two, which a chord per bar cannot name): the root, and root with major/minor (a
#     seventh counts as its triad; bars annotated sus, dim or aug are left out of the second, as MIREX's majmin does)
#   scripts/pop909-annotations.sh beats  POP909-Dataset/POP909 ../shared/data/pop909
#     the step (mod 4) of the first annotated beat against info's beat_phase; how many songs start off the beat, and
#     how many have their first downbeat on a roll bar line
# Chords and beats judge the songs whose tempo varies by 1 % at most. FM=other/fractalmidi: another build's estimators.
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: scripts/pop909-annotations.sh key|chords|beats ANNOTATIONS_FOLDER MIDI_FOLDER"
WHAT=${1:?$usage} ANN=${2:?$usage} MIDI=${3:?$usage}
case "$WHAT" in key) FILE=key_audio.txt ;; chords) FILE=chord_midi.txt ;; beats) FILE=beat_midi.txt ;; *) echo "$usage" >&2; exit 2 ;; esac
FM=${FM:-build/app/fractalmidi/fractalmidi}
for f in "$MIDI"/*.mid; do
  n=$(basename "$f" .mid)
  [ -f "$ANN/$n/$FILE" ] || continue
  printf '%s\t%s\n' "$ANN/$n/$FILE" "$("$FM" info --json "$f" 2>/dev/null || echo '{}')"
done | python3 -c '
import json, sys
NAMES = {"C": 0, "B#": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "Fb": 4, "F": 5, "E#": 5, "F#": 6, "Gb": 6,
         "G": 7, "G#": 8, "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11, "Cb": 11}
def rows(path):
    return [l.split() for l in open(path) if len(l.split()) >= 3]
def pct(a, b):
    return f"{100.0 * a / max(1, b):.1f} %"
def steady(info):   # one tempo, within 1 %: seconds map to steps
    return "tempo_min_bpm" in info and info["tempo_min_bpm"] >= 0.99 * info["tempo_max_bpm"]
def timing(info):   # seconds a beat, and the second at which the roll starts
    beat = 60.0 / (0.5 * (info["tempo_min_bpm"] + info["tempo_max_bpm"]))
    return beat, info["grid_phase_ticks"] / info["ticks_per_quarter"] * beat

def key(songs):
    def annotated(path):   # the key held longest: (tonic, minor)
        held = {}
        for r in rows(path):
            if ":" not in r[2] or r[2].split(":")[0] not in NAMES: continue
            tonic, mode = r[2].split(":")
            k = (NAMES[tonic], mode.startswith("min"))
            held[k] = held.get(k, 0.0) + float(r[1]) - float(r[0])
        return max(held, key=held.get) if held else None
    scale = lambda k: (k[0] + 3) % 12 if k[1] else k[0]   # a minor key has the scale of its relative major
    n = same = same_scale = 0
    for path, info in songs:
        parts = info.get("key", "").split()
        a = annotated(path)
        e = (NAMES[parts[0]], parts[1] == "minor") if len(parts) == 2 and parts[0] in NAMES else None
        if a is None or e is None: continue
        n += 1; same += a == e; same_scale += scale(a) == scale(e)
    print(f"POP909: {same} of {n} songs ({pct(same, n)}) estimated in their annotated key; {same_scale} ({pct(same_scale, n)}) in its scale (or the relative key)")

def chords(songs):
    def family(root, q):   # (root, "maj" | "min" | "other")
        if root not in NAMES: return None
        return NAMES[root], "min" if q.startswith("min") or q in ("m", "m7") else "maj" if q.startswith("maj") or q[:1].isdigit() or q in ("", "7") else "other"
    def annotated(label):   # "A:min7/b3"; None for N
        return family(*label.split("/")[0].split(":", 1)) if ":" in label else None
    def estimated(symbol):  # "Ebm7/Bb"; None for N.C.
        s = symbol.split("/")[0]
        root = s[:2] if s[1:2] in ("#", "b") else s[:1]
        return family(root, s[len(root):])
    n = bars = root_ok = mm_bars = mm_ok = 0
    for path, info in songs:
        if not info.get("chords") or not steady(info): continue
        beat, t0 = timing(info)
        spans = [(float(r[0]), float(r[1]), r[2]) for r in rows(path)]
        n += 1
        for k, symbol in enumerate(info["chords"]):
            a, b = t0 + 4 * beat * k, t0 + 4 * beat * (k + 1)
            held = {}
            for s, e, label in spans:
                if min(b, e) > max(a, s): held[label] = held.get(label, 0.0) + min(b, e) - max(a, s)
            if not held: continue
            label = max(held, key=held.get)
            want, got = annotated(label), estimated(symbol)
            if held[label] < 0.75 * (b - a) or want is None: continue
            bars += 1; root_ok += got is not None and got[0] == want[0]
            if want[1] != "other": mm_bars += 1; mm_ok += got == want
    print(f"POP909: {n} songs of one tempo, {bars} bars with one annotated chord: root {pct(root_ok, bars)}; root and major/minor {pct(mm_ok, mm_bars)} of {mm_bars}")

def beats(songs):
    n = right = off_beat = on_bar = 0
    for path, info in songs:
        if "beat_phase" not in info or not steady(info): continue
        beat, t0 = timing(info)
        r = rows(path)
        first = float(r[0][0])                                         # the first annotated beat
        down = next((float(x[0]) for x in r if float(x[2]) == 1.0), first)   # and downbeat
        step = round((first - t0) / (beat / 4)) % 4
        n += 1; right += step == info["beat_phase"]; off_beat += step != 0
        on_bar += round((down - t0) / (beat / 4)) % 16 == 0
    print(f"POP909: {n} songs of one tempo; {off_beat} ({pct(off_beat, n)}) have their beats off the roll quarters; the estimator "
          f"names the beat step of {right} ({pct(right, n)}); {on_bar} ({pct(on_bar, n)}) have their downbeats on the roll bar lines")

songs = []
for line in sys.stdin:
    path, js = line.rstrip("\n").split("\t", 1)
    songs.append((path, json.loads(js)))
{"key": key, "chords": chords, "beats": beats}[sys.argv[1]](songs)
' "$WHAT"
