// Keys and chords: names round-trip, bad symbols are refused with the symbol named, the estimators find the keys
// and chords of rolls built from them (every root and quality), and on real files the key estimate agrees with the
// key signatures that the files declare (skips without ../shared/data).
#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "core/harmony.h"
#include "core/midi_roll.h"
#include "support/test_support.h"

namespace {

// The chord voiced as a pianist's left hand might: root (or slash bass) in octave 3, the tones in octave 4,
// sounding for `steps` from `at`.
void paint_chord(fm::Roll& r, const fm::Chord& c, int at, int steps) {
    const int bass = 48 + (c.bass >= 0 ? c.bass : c.root);
    for (int t = at; t < at + steps; ++t) {
        r.at(bass, t) = 0.6f;
        for (int p = 0; p < 12; ++p)
            if (fm::chord_pitch_classes(c) >> ((c.root + p) % 12) & 1u) r.at(60 + (c.root + p) % 12, t) = 0.6f;
    }
}

// Each bad text is refused with an fm::Error that quotes it.
template <typename Parse>
void expect_refused_naming_it(Parse parse, std::initializer_list<const char*> bad_texts) {
    for (const char* bad : bad_texts) {
        try {
            parse(bad);
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const fm::Error& e) {
            EXPECT_NE(std::string(e.what()).find(std::string("'") + bad + "'"), std::string::npos) << e.what();
        }
    }
}

}  // namespace

TEST(Harmony, KeyNamesRoundTripAndCommonSpellingsParse) {
    for (int minor = 0; minor < 2; ++minor)
        for (int tonic = 0; tonic < 12; ++tonic) {
            const fm::Key k{tonic, minor == 1, 0};
            EXPECT_EQ(fm::parse_key(fm::key_name(k)), k) << fm::key_name(k);
        }
    EXPECT_EQ(fm::parse_key("A minor"), (fm::Key{9, true, 0}));
    EXPECT_EQ(fm::parse_key("Am"), (fm::Key{9, true, 0}));
    EXPECT_EQ(fm::parse_key("a"), (fm::Key{9, true, 0}));
    EXPECT_EQ(fm::parse_key("A"), (fm::Key{9, false, 0}));
    EXPECT_EQ(fm::parse_key(" f# Major "), (fm::Key{6, false, 0}));
    EXPECT_EQ(fm::parse_key("Bbm"), (fm::Key{10, true, 0}));
    EXPECT_EQ(fm::parse_key("Eb min"), (fm::Key{3, true, 0}));
    EXPECT_EQ(fm::parse_key("Cb"), (fm::Key{11, false, 0}));
    expect_refused_naming_it([](const char* t) { return fm::parse_key(t); }, {"", "H major", "C dorian", "minor", "Am7"});
    EXPECT_EQ(fm::key_of_signature(0, false), fm::parse_key("C major"));
    EXPECT_EQ(fm::key_of_signature(3, true), fm::parse_key("F# minor"));
    EXPECT_EQ(fm::key_of_signature(-2, false), fm::parse_key("Bb major"));
    EXPECT_EQ(fm::key_of_signature(-3, true), fm::parse_key("C minor"));
    EXPECT_EQ(__builtin_popcount(fm::key_scale(fm::parse_key("E major"))), 7);
    EXPECT_TRUE(fm::key_scale(fm::parse_key("E major")) >> 8 & 1u);   // G#
}

TEST(Harmony, ChordNamesRoundTripAliasesParseAndBadSymbolsAreNamed) {
    for (const char* name : {"C", "Am", "Bdim", "Ebaug", "Gsus2", "Dsus4", "G7", "Fmaj7", "Em7", "Bm7b5", "C#dim7", "C/E",
                             "Am/G", "F#m", "N.C."})
        EXPECT_EQ(fm::chord_name(fm::parse_chord(name)), name);
    EXPECT_EQ(fm::parse_chord("CM7"), fm::parse_chord("Cmaj7"));
    EXPECT_EQ(fm::parse_chord("C-7"), fm::parse_chord("Cm7"));
    EXPECT_EQ(fm::parse_chord("Bø"), fm::parse_chord("Bm7b5"));
    EXPECT_EQ(fm::parse_chord("B°7"), fm::parse_chord("Bdim7"));
    EXPECT_EQ(fm::parse_chord("C+"), fm::parse_chord("Caug"));
    EXPECT_EQ(fm::parse_chord("Csus"), fm::parse_chord("Csus4"));
    EXPECT_EQ(fm::parse_chord("Bbm"), (fm::Chord{10, fm::ChordQuality::minor, -1}));
    EXPECT_EQ(fm::parse_chord("C/C"), fm::parse_chord("C"));
    const auto list = fm::parse_chords("Am F | C, G7");
    ASSERT_EQ(list.size(), 4u);
    EXPECT_EQ(fm::chord_name(list[3]), "G7");
    expect_refused_naming_it([](const char* t) { return fm::parse_chord(t); }, {"H7", "Cmaj9", "C/X", "Cm/", "7"});
    EXPECT_THROW(fm::parse_chords(" , "), fm::Error);
}

TEST(Harmony, EveryRootAndQualityIsFoundFromItsVoicing) {
    using Q = fm::ChordQuality;
    for (Q q : {Q::major, Q::minor, Q::diminished, Q::augmented, Q::sus2, Q::sus4, Q::dominant7, Q::major7, Q::minor7,
                Q::half_diminished7, Q::diminished7})
        for (int root = 0; root < 12; ++root) {
            fm::Roll r(32);
            const fm::Chord c{root, q, -1};
            paint_chord(r, c, 16, 16);
            EXPECT_EQ(fm::estimate_chord(r, 16, 32), c) << fm::chord_name(c) << " read as "
                                                         << fm::chord_name(fm::estimate_chord(r, 16, 32));
            EXPECT_EQ(fm::estimate_chord(r, 0, 16), fm::no_chord());   // the silent first bar
        }
    fm::Roll r(16);
    paint_chord(r, fm::parse_chord("C/E"), 0, 16);
    EXPECT_EQ(fm::chord_name(fm::estimate_chord(r, 0, 16)), "C/E");
}

TEST(Harmony, KeysOfScalesAndCadencesInEveryTonic) {
    for (int tonic = 0; tonic < 12; ++tonic)
        for (int minor = 0; minor < 2; ++minor) {
            // The scale up (harmonic minor: the raised seventh), then i-iv-V-i (I-IV-V-I) as block chords.
            const int major_steps[7] = {0, 2, 4, 5, 7, 9, 11}, minor_steps[7] = {0, 2, 3, 5, 7, 8, 11};
            fm::Roll r(128);
            for (int i = 0; i < 7; ++i) r.at(60 + tonic + (minor ? minor_steps : major_steps)[i], i * 2) = 0.7f;
            const fm::ChordQuality q = minor ? fm::ChordQuality::minor : fm::ChordQuality::major;
            const fm::Chord cadence[4] = {{tonic, q, -1}, {(tonic + 5) % 12, q, -1}, {(tonic + 7) % 12, fm::ChordQuality::major, -1},
                                          {tonic, q, -1}};
            for (int b = 0; b < 4; ++b) paint_chord(r, cadence[b], 16 + b * 16, 16);
            const fm::Key k = fm::estimate_key(r);
            EXPECT_EQ(k, (fm::Key{tonic, minor == 1, 0})) << "asked " << fm::key_name({tonic, minor == 1, 0}) << ", read "
                                                        << fm::key_name(k);
            EXPECT_GT(k.score, 0.5);
        }
    EXPECT_EQ(fm::estimate_key(fm::Roll(64)).score, 0.0);
}

// On files that declare a key signature, how often the estimate agrees (Nottingham's and the chorales' signatures
// come from their scores). The relative major/minor counts apart: a signature names one key of two.
TEST(Harmony, KeyEstimatesAgreeWithDeclaredKeySignatures) {
    FM_REQUIRE_SHARED_DATA("nottingham");
    int files = 0, same = 0, same_signature = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(fmtest::shared_data_dir() + "/nottingham")) {
        if (e.path().extension() != ".mid" || files >= 300) continue;
        const fm::MidiRoll m = fm::load_midi(e.path().string());
        if (m.key_signatures.empty() || m.notes.empty()) continue;
        const fm::KeySignature& ks = m.key_signatures.front();
        const fm::Key declared = fm::key_of_signature(ks.sharps, ks.minor);
        const fm::Key estimated = fm::estimate_key(m.roll);
        ++files;
        same += estimated == declared;
        same_signature += fm::key_scale(estimated) == fm::key_scale(declared);   // natural minor: its relative major's
    }
    ASSERT_GT(files, 100);
    std::printf("Nottingham: %d files with a key signature; the estimate names it in %.1f %%, the same signature "
                "(or its relative key) in %.1f %%\n", files, 100.0 * same / files, 100.0 * same_signature / files);
    EXPECT_GT(double(same_signature) / files, 0.8);
}
