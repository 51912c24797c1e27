// harmony.h — keys and chords: names a musician types ("A minor", "Am7", "C/E"), and estimates from a roll's notes
// (what `fractalmidi info` prints, and what key and chord conditions are checked against).
//
//   fm::Key k = fm::estimate_key(roll);                      // Albrecht-Shanahan profiles on duration-weighted notes
//   std::printf("%s\n", fm::key_name(k).c_str());            // "A minor"
//   std::vector<fm::Chord> asked = fm::parse_chords("Am F C G7 C/E");   // fm::Error names a bad symbol
//   fm::Chord c = fm::estimate_chord(roll, 16, 32);          // bar 2: "F", or no_chord() when it is silent
//
// Pitch classes are 0..11 from C. Names use sharps for black keys except the flat keys' usual spellings (Bb, Eb,
// Ab). Thread-safety: free functions over values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/roll.h"

namespace fm {

struct Key {
    int tonic = 0;        // pitch class
    bool minor = false;
    double score = 0;     // estimates: the profile's correlation with the notes (-1..1); 0 when parsed
    bool operator==(const Key& o) const { return tonic == o.tonic && minor == o.minor; }
};

std::string key_name(const Key& key);                 // "A minor", "Eb major"
Key parse_key(const std::string& text);               // "A minor", "Am", "a", "F# major", "Bb", "C min"; fm::Error
uint16_t key_scale(const Key& key);
Key key_of_signature(int sharps, bool minor);         // a MIDI key signature: 3 sharps, minor -> F# minor                   // bit p set for the 7 pitch classes of its scale (natural minor)
// The best of the 24 keys for the notes in steps [from, to) (to < 0: the roll's end), each sounding step of a note
// weighing one; score 0 and C major when there is no note.
Key estimate_key(const Roll& roll, int from = 0, int to = -1);

enum class ChordQuality { major, minor, diminished, augmented, sus2, sus4, dominant7, major7, minor7, half_diminished7,
                          diminished7 };

struct Chord {
    int root = -1;        // pitch class; -1: no chord (N.C., a silent bar)
    ChordQuality quality = ChordQuality::major;
    int bass = -1;        // pitch class of a slash chord's bass ("C/E": 4); -1 when the root is the bass
    bool operator==(const Chord& o) const { return root == o.root && quality == o.quality && bass == o.bass; }
};

inline Chord no_chord() { return Chord{}; }
std::string chord_name(const Chord& chord);           // "Am", "G7", "Cmaj7", "Bm7b5", "Bdim7", "Csus4", "C/E", "N.C."
Chord parse_chord(const std::string& symbol);         // the names above, and "Cm", "CM7", "C-7", "Cø7", "C°"; fm::Error
std::vector<Chord> parse_chords(const std::string& list);   // symbols separated by spaces, commas or bars (|)
uint16_t chord_pitch_classes(const Chord& chord);     // bit p set for each of its tones (and a slash chord's bass)
// The chord whose tones best match the notes sounding in steps [from, to): cosine of the duration-weighted chroma
// with each chord's tones, times a prior that favours major and minor triads a little over sevenths and more over
// sus, dim and aug (a melody's passing notes otherwise turn triads into them); the bass is the lowest sounding pitch
// class when it is not the root but a tone of the chord. no_chord() when nothing sounds.
Chord estimate_chord(const Roll& roll, int from, int to);
// estimate_chord of every 16-step bar the roll begins, from step 0 (a final partial bar too).
std::vector<Chord> estimate_bar_chords(const Roll& roll);
// Root and quality equal (the bass is ignored: "C/E" matches "C").
inline bool same_chord(const Chord& a, const Chord& b) { return a.root == b.root && a.quality == b.quality; }

}  // namespace fm
