// MIDI <-> roll: tempo maps, grid phase, formats, drums, overlaps, export. Every file is built here.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/midi_roll.h"
#include "core/track_rolls.h"
#include "support/test_support.h"

using fmtest::TrackBuilder;

namespace {

fm::MidiRoll import(const fm::SmfFile& smf, fm::ImportOptions opt = {}) {
    // Through bytes, as from a file.
    const auto bytes = fm::write_smf(smf);
    return fm::midi_to_roll(fm::read_smf(bytes.data(), bytes.size()), opt);
}

int vel(const fm::Roll& r, int p, int t) { return int(std::lround(r.at(p, t) * 127)); }

}  // namespace

TEST(MidiToRoll, Format0QuarterNotesLandOnFourSteps) {
    const int tpq = 96;
    TrackBuilder t;
    t.note(0, tpq, 60, 100).note(tpq, 2 * tpq, 62, 80).note(2 * tpq, 2 * tpq + tpq / 4, 64, 1);
    const auto m = import(fmtest::make_smf(0, tpq, {t.build()}));
    EXPECT_EQ(m.format, 0);
    EXPECT_EQ(m.roll.width, 9);   // 2 quarters + a sixteenth
    EXPECT_EQ(m.phase_ticks, 0.0);
    for (int s = 0; s < 4; ++s) EXPECT_EQ(vel(m.roll, 60, s), 100) << s;
    for (int s = 4; s < 8; ++s) EXPECT_EQ(vel(m.roll, 62, s), 80) << s;
    EXPECT_EQ(vel(m.roll, 64, 8), 1);
    EXPECT_EQ(m.roll.at(60, 4), 0.0f);
    EXPECT_EQ(m.notes.size(), 3u);
}

TEST(MidiToRoll, Format1TracksMergeAndTempoMapComesFromAnyTrack) {
    const int tpq = 480;
    TrackBuilder meta, a, b;
    meta.tempo(0, 90).tempo(4 * tpq, 120);
    a.note(0, 2 * tpq, 48, 70);
    b.note(tpq, 5 * tpq, 72, 110);
    const auto m = import(fmtest::make_smf(1, tpq, {meta.build(), a.build(), b.build()}));
    EXPECT_EQ(m.tracks, 3);
    EXPECT_EQ(vel(m.roll, 48, 0), 70);
    EXPECT_EQ(vel(m.roll, 72, 4), 110);
    EXPECT_EQ(vel(m.roll, 72, 19), 110);
    ASSERT_EQ(m.tempo.size(), 2u);
    EXPECT_NEAR(m.tempo[0].bpm(), 90, 0.01);
    EXPECT_DOUBLE_EQ(m.tempo[1].step, 16.0);
    EXPECT_NEAR(m.tempo[1].bpm(), 120, 0.01);
    // 4 quarters at 90 bpm + 1 quarter at 120 bpm.
    EXPECT_NEAR(fm::steps_to_seconds(m.tempo, 20), 4 * 60.0 / 90 + 60.0 / 120, 1e-5);   // tempo in whole microseconds
}

TEST(MidiToRoll, NoTempoMeans120Bpm) {
    TrackBuilder t;
    t.note(0, 480, 60, 64);
    const auto m = import(fmtest::make_smf(1, 480, {t.build()}));
    ASSERT_EQ(m.tempo.size(), 1u);
    EXPECT_EQ(m.tempo[0].us_per_quarter, 500000u);
}

TEST(MidiToRoll, GridPhaseIsFoundAndSubtracted) {
    // Every onset 37 ticks late (tpq 480: a step is 120 ticks), with +-10 ticks of human jitter.
    const int tpq = 480, phase = 37;
    TrackBuilder t;
    const int jitter[] = {0, 8, -9, 3, -4, 10, -10, 5};
    for (int i = 0; i < 32; ++i) {
        int64_t on = int64_t(i) * 2 * 120 + phase + jitter[i % 8];
        t.note(on, on + 110, 60 + (i % 5), 64);
    }
    const auto m = import(fmtest::make_smf(1, tpq, {t.build()}));
    EXPECT_NEAR(m.phase_ticks, phase, 6);
    for (int i = 0; i < 32; ++i) EXPECT_GT(m.roll.at(60 + (i % 5), 2 * i), 0.0f) << "onset " << i;
    // Onsets 55 ticks late with +-10 of jitter straddle the half step (60): without the phase some round up and
    // some down; with it, all land on even steps.
    auto jittered = [&] {
        TrackBuilder late;
        for (int i = 0; i < 16; ++i) late.note(int64_t(i) * 240 + 55 + jitter[i % 8], int64_t(i) * 240 + 180, 60, 64);
        return fmtest::make_smf(1, tpq, {late.build()});
    };
    fm::ImportOptions raw;
    raw.estimate_phase = false;
    const auto with = import(jittered());
    const auto without = import(jittered(), raw);
    EXPECT_NEAR(with.phase_ticks, 55, 6);
    int odd_with = 0, odd_without = 0;
    for (const auto& n : with.notes) odd_with += n.start % 2;
    for (const auto& n : without.notes) odd_without += n.start % 2;
    EXPECT_EQ(odd_with, 0);
    EXPECT_GT(odd_without, 0);
    EXPECT_LT(odd_without, 16);
}

TEST(MidiToRoll, EarlyPhaseIsNegativeAndTheFirstNoteStaysAtZero) {
    TrackBuilder t;
    for (int i = 1; i < 20; ++i) t.note(int64_t(i) * 120 - 20, int64_t(i) * 120 + 90, 60 + (i % 2), 64);
    const auto m = import(fmtest::make_smf(1, 480, {t.build()}));
    EXPECT_NEAR(m.phase_ticks, -20, 1);
    EXPECT_GT(m.roll.at(61, 1), 0.0f);
}

TEST(MidiToRoll, EstimateGridPhaseIgnoresOutliers) {
    std::vector<int64_t> onsets;
    for (int i = 0; i < 100; ++i) onsets.push_back(i * 120 + 15);
    for (int i = 0; i < 10; ++i) onsets.push_back(i * 120 + 60 + 15);   // off-grid eighths of a triplet feel
    EXPECT_NEAR(fm::estimate_grid_phase(onsets, 120), 15, 1);
    EXPECT_EQ(fm::estimate_grid_phase({}, 120), 0.0);
    EXPECT_NEAR(fm::estimate_grid_phase({7, 25 + 7, 50 + 7}, 25), 7, 0.5);   // tpq 100
}

TEST(MidiToRoll, VelocityZeroNoteOnEndsTheNote) {
    TrackBuilder t;
    t.note_on(0, 60, 90).note_on(240, 60, 0);
    const auto m = import(fmtest::make_smf(0, 480, {t.end(960).build()}));
    EXPECT_GT(m.roll.at(60, 1), 0.0f);
    EXPECT_EQ(m.roll.at(60, 2), 0.0f);
    EXPECT_EQ(m.roll.width, 8);   // End of Track at 2 quarters
}

TEST(MidiToRoll, UnmatchedNotesEndAtTrackEndAndStrayOffsAreIgnored) {
    TrackBuilder t;
    t.note_off(0, 50).note_on(120, 61, 77).note(0, 120, 62, 50).end(1200);
    const auto m = import(fmtest::make_smf(0, 480, {t.build()}));
    EXPECT_EQ(m.roll.width, 10);
    EXPECT_EQ(vel(m.roll, 61, 9), 77);
    EXPECT_EQ(m.roll.at(50, 0), 0.0f);
}

TEST(MidiToRoll, OverlappingSamePitchNotesMatchFirstInFirstOut) {
    // on A (vel 100) at 0, on B (vel 50) at 4 steps, off at 6 steps (ends A), off at 12 steps (ends B).
    TrackBuilder t;
    t.note_on(0, 60, 100).note_on(480, 60, 50).note_off(720, 60).note_off(1440, 60);
    const auto m = import(fmtest::make_smf(0, 480, {t.build()}));
    // A: steps 0..6, struck again at 4 -> ends at 3 (gap at 3); B: 4..12.
    EXPECT_EQ(vel(m.roll, 60, 2), 100);
    EXPECT_EQ(m.roll.at(60, 3), 0.0f);
    EXPECT_EQ(vel(m.roll, 60, 4), 50);
    EXPECT_EQ(vel(m.roll, 60, 11), 50);
}

TEST(MidiToRoll, AllNotesOffControllerEndsSoundingNotes) {
    TrackBuilder t;
    t.note_on(0, 60, 90).note_on(0, 64, 90);
    fm::SmfEvent cc;
    cc.tick = 240, cc.status = 0xB0, cc.data1 = 123, cc.data2 = 0;
    t.track.events.push_back(cc);
    const auto m = import(fmtest::make_smf(0, 480, {t.end(1920).build()}));
    EXPECT_GT(m.roll.at(64, 1), 0.0f);
    EXPECT_EQ(m.roll.at(64, 2), 0.0f);
    EXPECT_EQ(m.roll.at(60, 5), 0.0f);
}

TEST(MidiToRoll, DrumsAreLeftOutUnlessKept) {
    TrackBuilder t;
    t.note(0, 120, 36, 100, 9).note(0, 120, 60, 100, 0);
    const auto smf = fmtest::make_smf(0, 480, {t.build()});
    const auto m = import(smf);
    EXPECT_EQ(m.dropped_drum_notes, 1);
    EXPECT_EQ(m.roll.at(36, 0), 0.0f);
    fm::ImportOptions keep;
    keep.keep_drums = true;
    const auto k = import(smf, keep);
    EXPECT_GT(k.roll.at(36, 0), 0.0f);
    EXPECT_EQ(k.dropped_drum_notes, 0);
}

TEST(MidiToRoll, AllPitchesAndVelocitiesSurvive) {
    TrackBuilder t;
    for (int p = 0; p < 128; ++p) t.note(p * 120, p * 120 + 120, p, 1 + (p * 7) % 127);
    const auto m = import(fmtest::make_smf(1, 480, {t.build()}));
    for (int p = 0; p < 128; ++p) EXPECT_EQ(vel(m.roll, p, p), 1 + (p * 7) % 127) << p;
}

TEST(MidiToRoll, Format2TracksPlayOneAfterAnother) {
    TrackBuilder a, b;
    a.note(0, 480, 60, 100).end(960);
    b.note(0, 480, 67, 100).end(960);
    const auto m = import(fmtest::make_smf(2, 480, {a.build(), b.build()}));
    EXPECT_GT(m.roll.at(60, 0), 0.0f);
    EXPECT_EQ(m.roll.at(67, 0), 0.0f);
    EXPECT_GT(m.roll.at(67, 8), 0.0f);   // second track starts after the first's 2 quarters
    EXPECT_EQ(m.roll.width, 16);
}

TEST(MidiToRoll, TooLongFilesAreRefusedClearly) {
    TrackBuilder t;
    t.note(0, 120, 60, 100).note(int64_t(fm::kMaxImportSteps) * 120, int64_t(fm::kMaxImportSteps) * 120 + 120, 60, 100);
    try {
        import(fmtest::make_smf(0, 480, {t.build()}));
        FAIL() << "expected fm::Error";
    } catch (const fm::Error& e) {
        EXPECT_NE(std::string(e.what()).find("at most"), std::string::npos) << e.what();
    }
}

TEST(RollToMidi, RoundTripIsExactForRollsMadeFromNotes) {
    // Random notes (overlaps, re-strikes, repeated sixteenths) -> roll -> .mid -> roll: identical cells.
    std::vector<fm::StepNote> notes;
    uint32_t s = 7;
    auto rnd = [&](int n) { s = s * 1103515245u + 12345u; return int((s >> 16) % uint32_t(n)); };
    for (int i = 0; i < 400; ++i) {
        int p = 40 + rnd(20), t = rnd(60);
        notes.push_back({p, t, t + 1 + rnd(4), 1 + rnd(127)});
    }
    const fm::Roll r = fm::notes_to_roll(notes, 64);
    const auto bytes = fm::write_smf(fm::roll_to_smf(r));
    const fm::SmfFile back = fm::read_smf(bytes.data(), bytes.size());
    EXPECT_EQ(back.format, 1);
    EXPECT_EQ(back.tracks.size(), 2u);
    const auto m = fm::midi_to_roll(back);
    EXPECT_EQ(m.phase_ticks, 0.0);
    EXPECT_EQ(m.roll, r);
}

TEST(RollToMidi, TouchingRunsOfDifferentValuesAreSeparateStrikes) {
    // A generated roll may hold 3 steps at 64 then 2 at 80: two notes in the export.
    fm::Roll r(8);
    for (int t = 0; t < 3; ++t) r.at(60, t) = 64 / 127.0f;
    for (int t = 3; t < 5; ++t) r.at(60, t) = 80 / 127.0f;
    const auto smf = fm::roll_to_smf(r);
    std::vector<std::pair<int64_t, int>> ons;
    for (const auto& ev : smf.tracks[1].events)
        if (ev.is_note_on()) ons.push_back({ev.tick, ev.data2});
    EXPECT_EQ(ons, (std::vector<std::pair<int64_t, int>>{{0, 64}, {360, 80}}));
}

TEST(RollToMidi, TempoMapIsWrittenAndLengthInSecondsKept) {
    TrackBuilder meta, notes;
    meta.tempo(0, 72).tempo(960, 144).tempo(1900, 100);   // the last one is off the step grid
    for (int i = 0; i < 24; ++i) notes.note(i * 120, i * 120 + 100, 60 + i % 12, 80);
    const auto smf = fmtest::make_smf(1, 480, {meta.build(), notes.end(2880).build()});
    const auto m = import(smf);
    const auto bytes = fm::write_smf(fm::roll_to_smf(m.roll, m.tempo));
    const auto back = fm::read_smf(bytes.data(), bytes.size());
    const auto map = fm::tempo_map_ticks(back);
    ASSERT_EQ(map.size(), 3u);
    EXPECT_EQ(map[1].first, 960);
    EXPECT_NEAR(60e6 / map[2].second, 100, 0.01);
    const double src = fm::ticks_to_seconds(fm::tempo_map_ticks(smf), 480, 2880);
    const double out = fm::ticks_to_seconds(map, 480, double(fm::last_event_tick(back)));
    EXPECT_NEAR(out, src, src * 0.001);
}

TEST(RollToMidi, FoldedRollIsUnfoldedAndWindowTempoStartsAtItsOffset) {
    fm::Roll r(512);
    r.at(60, 300) = 64 / 127.0f;
    const auto smf = fm::roll_to_smf(fm::fold(r));
    const auto m = fm::midi_to_roll(smf);
    EXPECT_EQ(m.roll.width, 512);
    EXPECT_EQ(m.roll.at(60, 300), r.at(60, 300));
    const std::vector<fm::TempoChange> tempo = {{0, 500000}, {10.5, 400000}, {40, 300000}};
    const auto w = fm::tempo_window(tempo, 16, 16);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].us_per_quarter, 400000u);
    const auto w2 = fm::tempo_window(tempo, 8, 64);
    ASSERT_EQ(w2.size(), 3u);
    EXPECT_DOUBLE_EQ(w2[1].step, 2.5);
    EXPECT_EQ(w2[0].us_per_quarter, 500000u);
}

TEST(RollToMidi, StrikesStayVisibleAfterExport) {
    // Repeated legato notes and repeated sixteenths: each strike is a note-on in the export.
    TrackBuilder t;
    for (int i = 0; i < 4; ++i) t.note(i * 480, (i + 1) * 480, 60, 90);     // legato quarters
    for (int i = 0; i < 8; ++i) t.note(i * 120, (i + 1) * 120, 72, 90);     // legato sixteenths
    const auto m = import(fmtest::make_smf(0, 480, {t.build()}));
    const auto back = fm::roll_to_smf(m.roll, m.tempo);
    int ons60 = 0, ons72 = 0;
    for (const auto& ev : back.tracks[1].events)
        if (ev.is_note_on()) (ev.data1 == 60 ? ons60 : ons72) += ev.data1 == 60 || ev.data1 == 72;
    EXPECT_EQ(ons60, 4);
    EXPECT_EQ(ons72, 8);
}

TEST(LoadMidi, ErrorsNameTheFile) {
    const std::string dir = fmtest::temp_dir("load");
    try {
        fm::load_midi(dir + "/missing.mid");
        FAIL();
    } catch (const fm::Error& e) {
        EXPECT_EQ(e.file(), dir + "/missing.mid");
        EXPECT_EQ(e.reason(), "no such file");
    }
}

// A file that starts three 16ths before its first beat (a pickup): chords held on the beats, short notes between. The
// beat estimator names step 3; align_beats starts the roll one silent step later, so the beats fall on the quarters,
// and moves everything with it: notes (each track's too), tempo changes, key signatures, the roll's end.
TEST(MidiToRoll, AlignBeatsPutsAFileThatStartsOffTheBeatOnTheQuarters) {
    const int64_t s = 120, phase = 20;   // ticks a step (480 per quarter), and a grid phase on every event
    TrackBuilder chords, melody;
    melody.note(phase, phase + s, 72, 90);   // the pickup, at tick 0
    for (int beat = 0; beat < 16; ++beat) {
        const int64_t on = phase + (3 + 4 * beat) * s;
        chords.note(on, on + 3 * s, 48, 70).note(on, on + 3 * s, 55, 70);
        melody.note(on + s, on + 2 * s, 74 + beat % 3, 90).note(on + 2 * s, on + 3 * s, 72, 90);
    }
    chords.tempo(0, 100).tempo(phase + 19 * s, 120).key_signature(phase + 19 * s, 1, false).end(phase + 70 * s);
    const fm::SmfFile smf = fmtest::make_smf(1, 480, {chords.build(), melody.build()});
    const auto plain = import(smf);
    EXPECT_EQ(fm::estimate_beat_phase(plain.notes), 3);
    EXPECT_EQ(plain.beat_shift, 0);
    EXPECT_GT(plain.roll.at(48, 3), 0.0f);

    fm::ImportOptions opt;
    opt.align_beats = true;
    const auto aligned = import(smf, opt);
    EXPECT_EQ(aligned.beat_shift, 1);
    EXPECT_EQ(fm::estimate_beat_phase(aligned.notes), 0);
    EXPECT_NEAR(aligned.phase_ticks, plain.phase_ticks - s, 1e-9);
    ASSERT_EQ(aligned.notes.size(), plain.notes.size());
    for (size_t i = 0; i < plain.notes.size(); ++i) {   // the same notes, a step later
        EXPECT_EQ(aligned.notes[i].start, plain.notes[i].start + 1) << i;
        EXPECT_EQ(aligned.notes[i].end, plain.notes[i].end + 1) << i;
        EXPECT_EQ(aligned.notes[i].pitch, plain.notes[i].pitch) << i;
        EXPECT_EQ(aligned.notes[i].velocity, plain.notes[i].velocity) << i;
    }
    EXPECT_EQ(aligned.roll.width, plain.roll.width + 1);
    EXPECT_EQ(aligned.roll.at(72, 0), 0.0f);   // the silent step
    EXPECT_GT(aligned.roll.at(72, 1), 0.0f);   // the pickup
    for (int beat = 0; beat < 16; ++beat) EXPECT_GT(aligned.roll.at(48, 4 + 4 * beat), 0.0f) << beat;
    ASSERT_EQ(aligned.tempo.size(), 2u);
    EXPECT_NEAR(aligned.tempo[1].step, plain.tempo[1].step + 1, 1e-9);
    ASSERT_EQ(aligned.key_signatures.size(), 1u);
    EXPECT_EQ(aligned.key_signatures[0].step, plain.key_signatures[0].step + 1);

    fm::TrackRolls tracks = fm::midi_to_tracks(smf, fm::parse_track_map("auto"), opt);   // per track alike
    ASSERT_EQ(tracks.tracks.size(), 2u);
    EXPECT_EQ(tracks.tracks[0].width, aligned.roll.width);
    EXPECT_GT(tracks.tracks[0].at(48, 4), 0.0f);
    EXPECT_EQ(tracks.tracks[0].at(48, 3), 0.0f);
}

// A file already on the beat is left as it is; music with no pulse to find (equal weights) keeps step 0.
TEST(MidiToRoll, AlignBeatsLeavesAFileOnTheBeatAlone) {
    TrackBuilder t;
    for (int beat = 0; beat < 8; ++beat) t.note(beat * 480, beat * 480 + 360, 60, 80).note(beat * 480 + 360, beat * 480 + 480, 67, 80);
    const fm::SmfFile smf = fmtest::make_smf(0, 480, {t.build()});
    fm::ImportOptions opt;
    opt.align_beats = true;
    const auto aligned = import(smf, opt), plain = import(smf);
    EXPECT_EQ(aligned.beat_shift, 0);
    EXPECT_EQ(aligned.notes, plain.notes);
    EXPECT_EQ(fm::estimate_beat_phase({}), 0);
    std::vector<fm::StepNote> even;
    for (int k = 0; k < 16; ++k) even.push_back({60, k, k + 1, 64});   // a 16th on every step
    EXPECT_EQ(fm::estimate_beat_phase(even), 0);
    EXPECT_EQ(fm::estimate_beat_phase({{60, -3, 5, 64}}), 1);   // a note before step 0 (an edit's): its step mod 4
}
