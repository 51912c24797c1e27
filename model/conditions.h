// conditions.h — what a user may ask of a sample besides its known cells (no torch here): a key, chords per bar, a
// tempo, a note density per bar and a style. Each is optional; the model's bar plan (model/bar_plan.h) is drawn
// given those asked, and every level below follows the plan.
//
//   fm::Conditions c;
//   c.key = fm::key_code(fm::parse_key("A minor"));
//   c.chords = fm::parse_chords("Am F C G");       // bar after bar, repeated over a longer roll
//   c.tempo = 90;  c.density = {0.6};  c.style = fm::parse_style("jsb");
//
// Each condition becomes a small code the plan prior embeds (0: not asked). Training labels every crop with its own
// (the estimated key, each bar's estimated chord and density, the file's tempo and corpus) and drops each at random,
// so the same model samples with any subset given, and classifier-free guidance compares it with none given.
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/harmony.h"
#include "core/roll.h"

namespace fm {

// The corpora the default models learnt from, by their musical style.
enum class Style { any = -1, pop = 0, classical = 1, folk = 2, chorale = 3 };
constexpr int kStyles = 4;
// "pop" (or "pop909"), "classical" ("asap"), "folk" ("nottingham"), "chorale" ("jsb", "bach"); "" or "any": none.
// fm::Error lists the names.
Style parse_style(const std::string& name);
const char* style_name(Style s);   // "pop", "classical", "folk", "chorale"; "any"
// The corpus a training file comes from, by a folder in its path (pop909, asap, nottingham, jsb...); any: unknown.
Style style_of_path(const std::string& path);

constexpr int kKeyCodes = 24;         // tonic + 12 when minor
constexpr int kTempoBins = 8;         // below 66, 66-79, 80-95, 96-111, 112-127, 128-143, 144-167, 168+ bpm
constexpr int kChordQualities = 11;   // fm::ChordQuality's values
constexpr int kDensityBins = 10;      // notes starting in a bar: 0, 1-2, 3-4, 5-7, 8-11, 12-16, 17-23, 24-32, 33-45, 46+
inline constexpr int kDensityEdges[kDensityBins] = {0, 1, 3, 5, 8, 12, 17, 24, 33, 46};   // each bin's fewest notes

inline int key_code(const Key& k) { return k.tonic + (k.minor ? 12 : 0); }
inline Key key_of_code(int code) { return Key{code % 12, code >= 12, 0}; }
int tempo_bin(double bpm);                 // 0..kTempoBins-1
int density_bin(int onsets);               // 0..kDensityBins-1
// A density in [0, 1] as musicians set it (0 sparse, 1 busy) -> a bar's density bin, 1 (1-2 notes) .. 9 (46+).
int density_bin_of_level(double level);
// 0: no chord asked (or N.C.); else 1 + root * kChordQualities + quality. The bass of a slash chord is not coded.
int chord_code(const Chord& c);

struct Conditions {
    int key = -1;                      // key_code(); -1: not asked
    std::vector<Chord> chords;         // per bar from step 0, repeated when the roll is longer; N.C.: that bar is free
    double tempo = 0;                  // bpm; 0: not asked (a sample's MIDI file then plays at 120)
    std::vector<double> density;       // per bar in [0, 1], repeated like the chords; negative: that bar is free
    Style style = Style::any;
    // The lock on the asked harmony. With a key: the bar plan keeps to its scale (and to the tones of the chords asked),
    // so every generated note does, and the first and last bar of every 4 from bar 0 with no chord asked are its tonic
    // chord (phrases open and close on the tonic). With chords: a bar holds its chord's tones and at most passing_tones
    // other pitch classes. Off: the conditions only steer the plan, as training taught it; an asked chord's tones are
    // still required.
    bool scale_lock = true;
    int passing_tones = 0;             // locked: pitch classes a bar with a chord may hold besides the chord's tones
    bool any() const { return key >= 0 || !chords.empty() || tempo > 0 || !density.empty() || style != Style::any; }
};

// The codes of bar `bar` (from the roll's start): 0 when that condition is not asked for it.
int chord_code_at(const Conditions& c, int bar);
int density_code_at(const Conditions& c, int bar);   // 1 + density bin

// Throws fm::Error naming the flag on values out of range: key outside 0..23, tempo negative or above 400,
// a density above 1.
void check_conditions(const Conditions& c);

// A training crop's own conditions, as a user would have asked for them: its estimated key, each bar's estimated
// chord and density, and the file's tempo and style (passed in). Chords and densities: one per whole bar.
Conditions conditions_of(const Roll& crop, double bpm, Style style);

}  // namespace fm
