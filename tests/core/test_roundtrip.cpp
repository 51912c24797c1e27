// Real music round-trips: a sample of POP909 through MIDI -> roll -> .mid file -> compare (skips without data).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "core/midi_roll.h"
#include "core/roundtrip.h"
#include "support/test_support.h"

namespace fs = std::filesystem;

TEST(RoundTrip, Pop909SampleKeepsNotesDurationsAndLength) {
    FM_REQUIRE_SHARED_DATA("pop909");
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(fmtest::shared_data_dir() + "/pop909"))
        if (e.path().extension() == ".mid") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    ASSERT_GT(files.size(), 100u);
    const std::string out_dir = fmtest::temp_dir("roundtrip");
    long long source = 0, kept = 0, exported = 0, extra = 0, within = 0;
    int checked = 0;
    for (size_t i = 0; i < files.size(); i += 16) {   // ~52 songs
        const fm::SmfFile src = fm::read_smf_file(files[i]);
        const fm::MidiRoll m = fm::midi_to_roll(src);
        const std::string out = out_dir + "/" + fs::path(files[i]).filename().string();
        fm::save_midi(out, m.roll, m.tempo);
        const fm::RoundTrip r = fm::compare_roundtrip(src, fm::read_smf_file(out));
        EXPECT_LE(r.length_error(), 0.01) << files[i];
        EXPECT_EQ(r.shift, 0) << files[i];
        source += r.source_notes, kept += r.kept, exported += r.exported_notes, extra += r.extra;
        within += r.durations_within_one;
        ++checked;
    }
    ASSERT_GT(checked, 40);
    EXPECT_GE(double(kept) / source, 0.99);
    EXPECT_GE(double(within) / kept, 0.95);
    EXPECT_LE(double(extra) / exported, 0.01);
}

TEST(RoundTrip, CompareSeesLostAndAddedNotes) {
    // The measure itself must be able to fail: drop one note and add two, and it says so.
    fmtest::TrackBuilder a, b;
    for (int i = 0; i < 10; ++i) a.note(i * 120, i * 120 + 100, 60 + i, 80);
    for (int i = 1; i < 10; ++i) b.note(i * 120, i * 120 + 100, 60 + i, 80);
    b.note(0, 480, 40, 80).note(120, 600, 41, 80);
    const auto r = fm::compare_roundtrip(fmtest::make_smf(1, 480, {a.build()}), fmtest::make_smf(1, 480, {b.build()}));
    EXPECT_EQ(r.source_notes, 10);
    EXPECT_EQ(r.kept, 9);
    EXPECT_EQ(r.extra, 2);
    EXPECT_EQ(r.exported_notes, 11);
}

TEST(RoundTrip, ConstantShiftIsAllowed) {
    fmtest::TrackBuilder a, b;
    for (int i = 0; i < 10; ++i) a.note(i * 240, i * 240 + 100, 60, 80);
    for (int i = 0; i < 10; ++i) b.note(i * 240 + 120, i * 240 + 220, 60, 80);
    fm::ImportOptions no_phase;
    no_phase.estimate_phase = false;
    const auto r = fm::compare_roundtrip(fmtest::make_smf(1, 480, {a.build()}), fmtest::make_smf(1, 480, {b.build()}), no_phase);
    EXPECT_EQ(r.shift, 1);
    EXPECT_EQ(r.kept, 10);
}
