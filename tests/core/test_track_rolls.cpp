// Multi-track rolls: tracks kept apart on import (by name, by channel, by the user's rules), one named MIDI track per
// roll track on export, and POP909's three roles through a round trip.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <set>
#include <tuple>

#include "core/error.h"
#include "core/midi_roll.h"
#include "core/notes.h"
#include "core/track_rolls.h"
#include "support/test_support.h"

namespace fs = std::filesystem;

namespace {

constexpr int kStep = 120;   // ticks a step at 480 per quarter

// Track 0: tempo. "Vocal" (flute, channel 1): a line. "Keys" (piano, channel 2): chords, one of whose notes strikes the
// vocal's pitch at the vocal's onset. "Strings": one long note, no program change.
fm::SmfFile band() {
    fmtest::TrackBuilder meta;
    meta.tempo(0, 100).end(64 * kStep);
    fmtest::TrackBuilder vocal;
    vocal.name("Vocal").program(0, 73, 0);
    for (int i = 0; i < 8; ++i) vocal.note(i * 4 * kStep, (i * 4 + 3) * kStep, 72 + i % 5, 90, 0);
    fmtest::TrackBuilder keys;
    keys.name("Keys").program(0, 0, 1);
    for (int bar = 0; bar < 4; ++bar)
        for (int p : {48, 55, 64}) keys.note(bar * 16 * kStep, (bar * 16 + 15) * kStep, p + bar, 60, 1);
    keys.note(0, 2 * kStep, 72, 50, 1);   // the vocal's first pitch and onset, on another track
    fmtest::TrackBuilder strings;
    strings.name("Strings").note(8 * kStep, 40 * kStep, 40, 70, 2);
    return fmtest::make_smf(1, 480, {meta.build(), vocal.build(), keys.build(), strings.build()});
}

std::set<std::tuple<int, int>> onsets(const fm::Roll& r) {
    std::set<std::tuple<int, int>> out;
    for (const fm::StepNote& n : fm::roll_to_notes(r)) out.insert({n.pitch, n.start});
    return out;
}

}  // namespace

TEST(TrackRolls, AutoKeepsEveryNamedTrackApartWithItsProgram) {
    const fm::TrackRolls t = fm::midi_to_tracks(band(), {});
    ASSERT_EQ(t.tracks.size(), 3u);
    EXPECT_EQ(t.info[0].name, "Vocal");
    EXPECT_EQ(t.info[1].name, "Keys");
    EXPECT_EQ(t.info[2].name, "Strings");
    EXPECT_EQ(t.info[0].program, 73);
    EXPECT_EQ(t.info[1].program, 0);
    EXPECT_EQ(t.width(), 64);
    EXPECT_EQ(fm::count_notes(t.tracks[0]), 8);
    EXPECT_EQ(fm::count_notes(t.tracks[1]), 13);
    EXPECT_EQ(fm::count_notes(t.tracks[2]), 1);
    EXPECT_GT(t.tracks[0].at(72, 0), 0.0f);   // both tracks strike pitch 72 at step 0, each in its own roll
    EXPECT_GT(t.tracks[1].at(72, 0), 0.0f);
    EXPECT_NEAR(t.tempo.front().bpm(), 100.0, 0.01);
    EXPECT_EQ(t.unmapped_notes, 0);
    EXPECT_EQ(t.find("keys"), 1);
    EXPECT_EQ(t.find("drums"), -1);
    // All tracks merged are the one-track import (the same notes in the same order: the same re-strike choices).
    EXPECT_EQ(fm::merge_tracks(t), fm::midi_to_roll(band()).roll);
}

TEST(TrackRolls, AFileWithOneTrackIsSplitByChannel) {
    fmtest::TrackBuilder all;
    all.tempo(0, 120).note(0, 4 * kStep, 60, 80, 0).note(0, 4 * kStep, 64, 80, 3).note(4 * kStep, 8 * kStep, 65, 80, 3).end(16 * kStep);
    const fm::TrackRolls t = fm::midi_to_tracks(fmtest::make_smf(0, 480, {all.build()}), {});
    ASSERT_EQ(t.tracks.size(), 2u);
    EXPECT_EQ(t.info[0].name, "Channel 1");
    EXPECT_EQ(t.info[1].name, "Channel 4");
    EXPECT_EQ(fm::count_notes(t.tracks[0]), 1);
    EXPECT_EQ(fm::count_notes(t.tracks[1]), 2);
}

TEST(TrackRolls, RulesSendSourcesToRolesInTheRulesOrder) {
    // By name (any case), by track number, by channel; what no rule takes is left out and counted.
    fm::TrackRolls t = fm::midi_to_tracks(band(), fm::parse_track_map("keys=accompaniment, #1=melody"));
    ASSERT_EQ(t.tracks.size(), 2u);
    EXPECT_EQ(t.info[0].name, "accompaniment");
    EXPECT_EQ(t.info[1].name, "melody");
    EXPECT_EQ(t.info[1].program, 73);   // the source's program goes with it
    EXPECT_EQ(fm::count_notes(t.tracks[0]), 13);
    EXPECT_EQ(fm::count_notes(t.tracks[1]), 8);
    EXPECT_EQ(t.unmapped_notes, 1);     // the strings

    t = fm::midi_to_tracks(band(), fm::parse_track_map("ch1=melody,*=accompaniment"));
    ASSERT_EQ(t.tracks.size(), 2u);
    EXPECT_EQ(fm::count_notes(t.tracks[0]), 8);
    EXPECT_EQ(fm::count_notes(t.tracks[1]), 14);
    EXPECT_EQ(t.unmapped_notes, 0);

    // A role the file has no notes for is still a (silent) track, where the rules put it.
    t = fm::midi_to_tracks(band(), fm::parse_track_map("Lead=melody,*=accompaniment"));
    ASSERT_EQ(t.tracks.size(), 2u);
    EXPECT_EQ(fm::count_notes(t.tracks[0]), 0);
    EXPECT_EQ(t.tracks[0].width, 64);
}

TEST(TrackRolls, BadTrackMapsAreRefusedNamingTheRule) {
    EXPECT_TRUE(fm::parse_track_map("auto").rules.empty());
    EXPECT_EQ(fm::parse_track_map("pop909").rules.size(), 3u);
    for (const char* bad : {"melody", "=melody", "MELODY=", "#a=x", "ch17=x", "ch0=x", "a=b,,c=d"}) {
        try {
            fm::parse_track_map(bad);
            ADD_FAILURE() << bad << " was accepted";
        } catch (const fm::Error& e) {
            EXPECT_NE(std::string(e.what()).find("track map"), std::string::npos) << e.what();
        }
    }
}

TEST(TrackRolls, ExportWritesOneNamedTrackPerRollTrackOnItsOwnChannel) {
    const std::string dir = fmtest::temp_dir("tracks");
    const fm::TrackRolls t = fm::midi_to_tracks(band(), {});
    fm::save_midi_tracks(dir + "/band.mid", t);
    const fm::SmfFile smf = fm::read_smf_file(dir + "/band.mid");
    ASSERT_EQ(smf.tracks.size(), 4u);   // tempo + three
    EXPECT_EQ(fm::smf_track_names(smf), (std::vector<std::string>{"", "Vocal", "Keys", "Strings"}));
    for (size_t k = 1; k < smf.tracks.size(); ++k) {
        std::set<int> channels;
        int program = -1;
        for (const fm::SmfEvent& ev : smf.tracks[k].events) {
            if (ev.status >= 0x80 && ev.status < 0xF0) channels.insert(ev.channel());
            if (ev.kind() == 0xC0) program = ev.data1;
        }
        EXPECT_EQ(channels, std::set<int>{int(k) - 1}) << "track " << k;
        EXPECT_EQ(program, t.info[k - 1].program) << "track " << k;
    }
    const fm::TrackRolls back = fm::load_midi_tracks(dir + "/band.mid", {});
    ASSERT_EQ(back.tracks.size(), 3u);
    for (size_t k = 0; k < 3; ++k) {
        EXPECT_EQ(back.info[k].name, t.info[k].name);
        EXPECT_EQ(back.info[k].program, t.info[k].program);
        EXPECT_EQ(back.tracks[k], t.tracks[k]) << "track " << k;
    }
    EXPECT_NEAR(back.tempo.front().bpm(), 100.0, 0.01);

    // Eleven tracks: channel 10 (index 9) is the drums', skipped.
    fm::TrackRolls many;
    for (int k = 0; k < 11; ++k) {
        many.tracks.push_back(fm::Roll(16));
        many.tracks.back().at(60 + k, 0) = 0.5f;
        many.info.push_back({"t" + std::to_string(k), k});
    }
    const fm::SmfFile m = fm::tracks_to_smf(many);
    std::set<int> used;
    for (size_t k = 1; k < m.tracks.size(); ++k)
        for (const fm::SmfEvent& ev : m.tracks[k].events)
            if (ev.is_note_on()) used.insert(ev.channel());
    EXPECT_EQ(used.size(), 11u);
    EXPECT_EQ(used.count(9), 0u);
    many.info.pop_back();
    EXPECT_THROW(fm::tracks_to_smf(many), fm::Error);   // a roll without a name
}

TEST(TrackRolls, OneTrackOfAStackedRollIsReadAndReplacedInPlace) {
    const fm::TrackRolls t = fm::midi_to_tracks(band(), {});
    fm::Roll stacked = fm::stack_tracks(t);
    for (int k = 0; k < 3; ++k) EXPECT_EQ(fm::track_of(stacked, k), t.tracks[size_t(k)]) << "track " << k;
    fm::Roll other(t.width());
    other.at(40, 3) = 0.25f;
    fm::set_track(stacked, 1, other);
    EXPECT_EQ(fm::track_of(stacked, 1), other);
    EXPECT_EQ(fm::track_of(stacked, 0), t.tracks[0]);   // the others untouched
    EXPECT_EQ(fm::track_of(stacked, 2), t.tracks[2]);
    EXPECT_THROW(fm::track_of(stacked, 3), fm::Error);
    EXPECT_THROW(fm::set_track(stacked, -1, other), fm::Error);
    EXPECT_THROW(fm::set_track(stacked, 0, fm::Roll(t.width() + 4)), fm::Error);   // another width
}

// POP909: every song imports as melody, bridge and piano, and exports with the same (track, pitch, onset) notes as the
// source file's tracks hold, quantised on the same grid.
TEST(TrackRolls, Pop909KeepsItsThreeTracksThroughARoundTrip) {
    FM_REQUIRE_SHARED_DATA("pop909");
    const std::string dir = fmtest::temp_dir("tracks");
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(fmtest::shared_data_dir() + "/pop909"))
        if (e.path().extension() == ".mid") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    const fm::TrackMapping pop = fm::parse_track_map("pop909");
    size_t source_notes = 0, kept = 0;
    for (const fs::path& f : files) {
        const fm::TrackRolls t = fm::load_midi_tracks(f.string(), pop);
        ASSERT_EQ(t.tracks.size(), 3u) << f;
        EXPECT_EQ(t.info[0].name, "melody");
        EXPECT_GT(fm::count_notes(t.tracks[0]), 0) << f << ": no melody";
        EXPECT_GT(fm::count_notes(t.tracks[2]), 0) << f << ": no piano";
        // The source's notes by role, on the import's grid.
        const fm::SmfFile smf = fm::read_smf_file(f.string());
        const fm::MidiRoll merged = fm::midi_to_roll(smf);
        const auto names = fm::smf_track_names(smf);
        std::set<std::tuple<std::string, int, int>> want, got;
        for (const fm::MidiNote& n : fm::collect_notes(smf, false)) {
            std::string role = names[size_t(n.track)];
            for (char& c : role) c = char(std::tolower(static_cast<unsigned char>(c)));
            want.insert({role, n.pitch, int(fm::quantise_tick(double(n.start), merged.phase_ticks, smf.ticks_per_quarter / 4.0))});
        }
        const std::string out = dir + "/" + f.filename().string();
        fm::save_midi_tracks(out, t);
        const fm::TrackRolls back = fm::load_midi_tracks(out, {});
        ASSERT_EQ(back.tracks.size(), 3u) << out;
        for (size_t k = 0; k < back.tracks.size(); ++k)
            for (const auto& [pitch, onset] : onsets(back.tracks[k])) got.insert({back.info[k].name, pitch, onset});
        source_notes += want.size();
        for (const auto& n : want) kept += got.count(n);
    }
    const double share = double(kept) / double(std::max<size_t>(1, source_notes));
    std::fprintf(stderr, "POP909, %zu files: %zu of %zu (track, pitch, onset) notes back after export (%.3f %%)\n", files.size(), kept,
                 source_notes, 100 * share);
    EXPECT_GE(share, 0.99);
}
