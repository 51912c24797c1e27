// test_support.h — helpers shared by the tests: the shared data folder, temporary folders, MIDI builders.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/midi_file.h"

namespace fmtest {

// ../shared/data (or $FRACTALMIDI_DATA); empty when it is absent.
std::string shared_data_dir();
// A fresh empty folder under the system temp dir, removed at exit.
std::string temp_dir(const std::string& tag);

// Builds SMF files event by event: ticks are absolute; write_smf sorts nothing, so add in time order.
struct TrackBuilder {
    fm::SmfTrack track;
    TrackBuilder& note_on(int64_t tick, int pitch, int velocity, int channel = 0);
    TrackBuilder& note_off(int64_t tick, int pitch, int channel = 0);
    TrackBuilder& note(int64_t start, int64_t end, int pitch, int velocity, int channel = 0);   // on + off, kept sorted
    TrackBuilder& tempo(int64_t tick, double bpm);
    TrackBuilder& key_signature(int64_t tick, int sharps, bool minor);   // FF 59: sharps (negative: flats)
    TrackBuilder& end(int64_t tick);
    TrackBuilder& name(const std::string& text);              // FF 03 at tick 0
    TrackBuilder& program(int64_t tick, int program, int channel = 0);   // Cn
    fm::SmfTrack build();   // sorts by tick (stable, offs before ons at one tick)
};

fm::SmfFile make_smf(int format, int ticks_per_quarter, std::vector<fm::SmfTrack> tracks);
// Four songs of 4 bars in `dir` (song0.mid .. song3.mid), two named tracks each: "Lead" (a line of quarter notes,
// channel 1) and "Pad" (a triad a bar, channel 2). For the multi-track tests.
void write_lead_pad_songs(const std::string& dir, double bpm = 120);

// Writes `smf` to `dir/name` and returns the path.
std::string write_midi(const std::string& dir, const std::string& name, const fm::SmfFile& smf);

}  // namespace fmtest

// Skips the current test with a message when the shared data (or a folder in it) is absent.
#define FM_REQUIRE_SHARED_DATA(sub)                                                                  \
    do {                                                                                             \
        if (fmtest::shared_data_dir().empty() || !fmtest_exists(fmtest::shared_data_dir() + "/" + sub)) \
            GTEST_SKIP() << "shared data folder " << sub << " not found (../shared/data or $FRACTALMIDI_DATA)"; \
    } while (0)

bool fmtest_exists(const std::string& path);
