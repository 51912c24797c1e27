// midi_roll.h — MIDI files <-> piano rolls, with the rules of DESIGN.md.
//
//   fm::MidiRoll m = fm::load_midi("song.mid");          // throws fm::Error("song.mid: reason")
//   fm::Roll eight_bars = fm::crop(m.roll, 0, 128);
//   fm::save_midi("out.mid", eight_bars, m.tempo);         // SMF type 1: tempo track + one piano track
//
// Import: all non-drum tracks merged (channel 10 kept with keep_drums), note-on velocity 0 = note-off,
// overlapping notes matched first-in first-out per track/channel/pitch, unmatched note-ons end at their
// track's end, the per-file grid phase subtracted before onsets and offsets are rounded to the 1/16 grid,
// a note lasts >= 1 step, then the re-strike rule of notes.h. Format 2 tracks play one after another.
// Thread-safety: free functions over values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "midi_file.h"
#include "notes.h"
#include "roll.h"

namespace fm {

// Bump when a change to the import rules changes the roll a file yields: caches built under other rules are rebuilt.
constexpr uint32_t kImportRulesVersion = 1;

constexpr int kMaxImportSteps = 1 << 18;   // 16384 bars; longer files are refused (128 MB of roll)

struct TempoChange {
    double step = 0;               // position on the roll's grid (fractional: tempo events need not sit on it)
    uint32_t us_per_quarter = 500000;
    double bpm() const { return 60e6 / us_per_quarter; }
};

struct MidiNote {       // a note in source ticks, before quantisation
    int pitch = 0;
    int64_t start = 0, end = 0;
    int velocity = 0;
    int channel = 0;
    int track = 0;
};

struct ImportOptions {
    bool keep_drums = false;       // keep MIDI channel 10 (percussion)
    bool estimate_phase = true;    // subtract the per-file grid phase before quantising
    // Start the roll 0-3 silent steps later so that the file's beats fall on every 4th step (estimate_beat_phase). The
    // grid phase puts onsets on the 1/16 grid, not beats on the roll's quarters: a file may begin a 16th or three before
    // its first beat. In POP909 (its own beat annotations, the 572 songs of one tempo) 443 do, so a bar's step k is a
    // different place in the beat from song to song. Off: the roll starts at the file's tick 0, as before.
    bool align_beats = false;
};

// A key signature meta event (FF 59): sharps (negative: flats) and the mode flag, at a step of the roll.
struct KeySignature {
    int step = 0;
    int sharps = 0;       // -7..7
    bool minor = false;
};

struct MidiRoll {
    Roll roll;                          // 128 x width; width = the file's end (last note or End of Track), in steps
    std::vector<StepNote> notes;        // the roll's notes (after the re-strike rule)
    std::vector<TempoChange> tempo;     // starts at step 0; 120 bpm when the file has none
    std::vector<KeySignature> key_signatures;   // as the file declares them (often absent, sometimes wrong), by step
    int format = 1;
    int tracks = 0;
    int ticks_per_quarter = 480;
    double phase_ticks = 0;             // ticks subtracted before quantising: the grid phase, in (-step/2, step/2], less
                                        // beat_shift whole steps
    int beat_shift = 0;                 // silent steps put before the file's tick 0 (ImportOptions::align_beats), 0-3
    int source_notes = 0;               // notes read from the file (kept channels)
    int dropped_drum_notes = 0;
    std::vector<std::string> warnings;  // from the reader
};

// Notes of the kept channels in source ticks (format 2 tracks laid end to end). Sorted by start.
std::vector<MidiNote> collect_notes(const SmfFile& smf, bool keep_drums, int* dropped_drums = nullptr);

// The constant tick offset (in (-step/2, step/2]) that best puts the onsets on the grid of `step_ticks`.
// Robust: each onset's distance to the grid counts up to a quarter step. Ties go to the offset nearest 0.
double estimate_grid_phase(const std::vector<int64_t>& onsets, double step_ticks);

// Where the beats of quantised notes fall, 0-3: the step (mod 4) whose onsets weigh most, each by its note's length (a beat
// holds the longer notes: chords, bass). Ties go to the lowest step, so music without a pulse keeps 0. On POP909 it
// names the annotated beat's step in 569 of 572 songs (docs/EVALUATION.md).
int estimate_beat_phase(const std::vector<StepNote>& notes);

// The 1/16 step nearest to `tick` once the grid phase is subtracted (never below 0).
int64_t quantise_tick(double tick, double phase, double step_ticks);

// Tick of the file's last event (End of Track included), format 2 tracks laid end to end.
int64_t last_event_tick(const SmfFile& smf);

// Tempo map in source ticks (first change at tick 0; 120 bpm when the file has none).
std::vector<std::pair<int64_t, uint32_t>> tempo_map_ticks(const SmfFile& smf);
// Seconds at `tick` under a tick tempo map.
double ticks_to_seconds(const std::vector<std::pair<int64_t, uint32_t>>& map, int ticks_per_quarter, double tick);
// Seconds at `step` under a roll tempo map.
double steps_to_seconds(const std::vector<TempoChange>& tempo, double step);

MidiRoll midi_to_roll(const SmfFile& smf, const ImportOptions& options = {});
MidiRoll load_midi(const std::string& path, const ImportOptions& options = {});   // errors name the file

// The tempo map of a window [offset, offset+width): the tempo in force at `offset` moves to step 0.
std::vector<TempoChange> tempo_window(const std::vector<TempoChange>& tempo, int offset, int width);

// SMF type 1 at 480 ticks per quarter: track 0 tempo map (120 bpm when empty) and 4/4; track 1 the notes
// (channel 1, piano) split by the export rule of notes.h. A folded roll is unfolded first.
SmfFile roll_to_smf(const Roll& roll, const std::vector<TempoChange>& tempo = {});
void save_midi(const std::string& path, const Roll& roll, const std::vector<TempoChange>& tempo = {});

}  // namespace fm
