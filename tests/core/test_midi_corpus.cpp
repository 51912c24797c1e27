// test_midi_corpus.cpp — the reader and importer against the 72 Jazz-Soft parser test files
// (../shared/data/test_midi_files) and against malformed bytes made here.
//
// Every file is either converted — load_midi, then roll_to_smf + write_smf + read_smf, and the re-read roll
// equals the roll cell by cell — or rejected with an fm::Error that names the file and gives a reason.
// Nothing else may be thrown. Files whose content is known (they say in their text what you must hear)
// are checked note by note. The same source is also built against core compiled with ASan + UBSan
// (test_core_midi_corpus_asan), so a memory error or undefined behaviour fails the test too.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/midi_file.h"
#include "core/midi_roll.h"
#include "core/notes.h"
#include "core/roll.h"
#include "support/test_support.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Generous: the largest file takes milliseconds; a hang or a quadratic blow-up takes far longer.
constexpr double kSecondsPerFile = 20.0;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Both rolls padded to the wider width, compared cell by cell; the first few differences are reported.
::testing::AssertionResult rolls_equal(const fm::Roll& a, const fm::Roll& b) {
    if (a.rows != b.rows)
        return ::testing::AssertionFailure() << "rows differ: " << a.rows << " vs " << b.rows;
    const int w = std::max(a.width, b.width);
    const fm::Roll pa = fm::pad(a, w), pb = fm::pad(b, w);
    int differences = 0;
    std::string first;
    for (int r = 0; r < pa.rows; ++r)
        for (int t = 0; t < w; ++t)
            if (pa.at(r, t) != pb.at(r, t)) {
                if (++differences <= 5)
                    first += " (pitch " + std::to_string(r) + ", step " + std::to_string(t) + ": " +
                             std::to_string(pa.at(r, t)) + " vs " + std::to_string(pb.at(r, t)) + ")";
            }
    if (differences == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << differences << " cell(s) differ (widths " << a.width << " and "
                                         << b.width << "):" << first;
}

// The export path and back: the re-read roll must equal the roll. Returns the problems found (empty: none).
std::string round_trip_problem(const fm::MidiRoll& m) {
    const fm::SmfFile out = fm::roll_to_smf(m.roll, m.tempo);
    const std::vector<uint8_t> bytes = fm::write_smf(out);
    const fm::SmfFile back = fm::read_smf(bytes.data(), bytes.size());
    std::string problem;
    if (!back.warnings.empty()) problem += "our own file reads with warnings: " + back.warnings.front() + "; ";
    const fm::MidiRoll again = fm::midi_to_roll(back);
    const ::testing::AssertionResult same = rolls_equal(m.roll, again.roll);
    if (!same) problem += std::string("the re-read roll differs: ") + same.message() + "; ";
    if (again.notes.size() != m.notes.size())
        problem += std::to_string(m.notes.size()) + " notes became " + std::to_string(again.notes.size()) + "; ";
    return problem;
}

std::vector<fm::StepNote> quarter_notes(const std::vector<int>& pitches, int first_step, int velocity = 127) {
    std::vector<fm::StepNote> out;
    int s = first_step;
    for (int p : pitches) {
        out.push_back({p, s, s + 4, velocity});
        s += 4;
    }
    return out;
}

std::vector<fm::StepNote> sorted(std::vector<fm::StepNote> v) {
    std::sort(v.begin(), v.end(), [](const fm::StepNote& a, const fm::StepNote& b) {
        return a.start != b.start ? a.start < b.start : a.pitch < b.pitch;
    });
    return v;
}

bool any_warning_contains(const std::vector<std::string>& warnings, const std::string& text) {
    return std::any_of(warnings.begin(), warnings.end(), [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

const std::vector<int> kCMajor = {60, 62, 64, 65, 67, 69, 71, 72};        // C5 D E F G A B C6 (in the files' naming)
const std::vector<int> kCSharpMajor = {61, 63, 65, 66, 68, 70, 72, 73};   // the second track of the 2-track files

// What happened to one file.
struct Outcome {
    bool converted = false;
    fm::MidiRoll roll;          // converted, drums dropped (the default)
    fm::MidiRoll with_drums;    // converted, keep_drums
    std::string error;          // rejected: what()
    std::string reason;         // rejected: reason()
    std::string error_file;     // rejected: file()
    std::string problem;        // what went wrong beyond a clean rejection (empty: nothing)
    double seconds = 0;
};

// Converts one file both ways (drums dropped, drums kept) and round-trips each result. Only fm::Error may
// come out of the library; anything else is recorded as a problem (checked by the tests, not here: this
// runs in SetUpTestSuite).
Outcome run_file(const std::string& path) {
    Outcome o;
    const auto t0 = Clock::now();
    try {
        o.roll = fm::load_midi(path);
        fm::ImportOptions keep;
        keep.keep_drums = true;
        o.with_drums = fm::load_midi(path, keep);
        o.converted = true;
        const std::string a = round_trip_problem(o.roll), b = round_trip_problem(o.with_drums);
        if (!a.empty()) o.problem += "round trip (drums dropped): " + a;
        if (!b.empty()) o.problem += "round trip (drums kept): " + b;
    } catch (const fm::Error& e) {
        if (o.converted) o.problem += std::string("the round trip of a converted file threw: ") + e.what();
        o.converted = false;
        o.error = e.what();
        o.reason = e.reason();
        o.error_file = e.file();
    } catch (const std::exception& e) {
        o.problem += std::string("threw a non-fm::Error exception: ") + e.what();
    } catch (...) {
        o.problem += "threw something that is not a std::exception";
    }
    o.seconds = seconds_since(t0);
    return o;
}

class MidiCorpus : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        const std::string root = fmtest::shared_data_dir();
        if (root.empty() || !fmtest_exists(root + "/test_midi_files")) return;
        dir_ = root + "/test_midi_files";
        for (const auto& entry : fs::directory_iterator(dir_))
            if (entry.is_regular_file() && entry.path().extension() == ".mid")
                outcomes_[entry.path().filename().string()] = run_file(entry.path().string());
    }
    static void TearDownTestSuite() { outcomes_.clear(); }

    // The outcome of one file by name; fails the test when the file is not in the folder.
    static const Outcome* get(const std::string& name) {
        auto it = outcomes_.find(name);
        if (it == outcomes_.end()) {
            ADD_FAILURE() << name << " is not in " << dir_;
            return nullptr;
        }
        return &it->second;
    }
    // A converted file's notes in onset order (drums dropped unless `drums`).
    static std::vector<fm::StepNote> notes_of(const std::string& name, bool drums = false) {
        const Outcome* o = get(name);
        if (!o) return {};
        EXPECT_TRUE(o->converted) << name << " was rejected: " << o->error;
        return sorted(drums ? o->with_drums.notes : o->roll.notes);
    }

    static std::string dir_;
    static std::map<std::string, Outcome> outcomes_;
};

std::string MidiCorpus::dir_;
std::map<std::string, Outcome> MidiCorpus::outcomes_;

TEST_F(MidiCorpus, EveryFileIsConvertedOrRejectedWithAReasonNamingTheFile) {
    FM_REQUIRE_SHARED_DATA("test_midi_files");
    EXPECT_EQ(outcomes_.size(), 72u) << "the Jazz-Soft set has 72 .mid files";
    int converted = 0, rejected = 0;
    for (const auto& [name, o] : outcomes_) {
        SCOPED_TRACE(name);
        EXPECT_EQ(o.problem, "") << name;
        EXPECT_LT(o.seconds, kSecondsPerFile) << name << " took " << o.seconds << " s";
        if (o.converted) {
            ++converted;
            EXPECT_EQ(o.roll.roll.rows, fm::kPitches);
            EXPECT_GT(o.roll.roll.width, 0);
            for (const auto& n : o.roll.notes) EXPECT_LE(n.end, o.roll.roll.width) << "a note beyond the roll";
            EXPECT_EQ(fm::count_notes(o.roll.roll), int(o.roll.notes.size()));
            EXPECT_FALSE(o.roll.tempo.empty());
            continue;
        }
        ++rejected;
        EXPECT_NE(o.error.find(name), std::string::npos) << "error does not name the file: " << o.error;
        EXPECT_NE(o.error_file.find(name), std::string::npos) << "fm::Error::file() is '" << o.error_file << "'";
        EXPECT_FALSE(o.reason.empty()) << "empty reason for " << name;
        EXPECT_GT(o.error.size(), o.error_file.size() + 2) << "no reason after the file name: " << o.error;
    }
    // 14 illegal-message files, the empty file and the text file; the 56 others read.
    EXPECT_EQ(rejected, 16);
    EXPECT_EQ(converted, 56);
}

TEST_F(MidiCorpus, IllegalSystemMessagesAreRejectedWithTheStatusByte) {
    FM_REQUIRE_SHARED_DATA("test_midi_files");
    const std::map<std::string, std::string> files = {
        {"test-illegal-message-all.mid", "0xF1"},   // the first illegal byte of the track
        {"test-illegal-message-f1-xx.mid", "0xF1"}, {"test-illegal-message-f2-xx-xx.mid", "0xF2"},
        {"test-illegal-message-f3-xx.mid", "0xF3"}, {"test-illegal-message-f4.mid", "0xF4"},
        {"test-illegal-message-f5.mid", "0xF5"},    {"test-illegal-message-f6.mid", "0xF6"},
        {"test-illegal-message-f8.mid", "0xF8"},    {"test-illegal-message-f9.mid", "0xF9"},
        {"test-illegal-message-fa.mid", "0xFA"},    {"test-illegal-message-fb.mid", "0xFB"},
        {"test-illegal-message-fc.mid", "0xFC"},    {"test-illegal-message-fd.mid", "0xFD"},
        {"test-illegal-message-fe.mid", "0xFE"},
    };
    EXPECT_EQ(files.size(), 14u);
    for (const auto& [name, byte] : files) {
        const Outcome* o = get(name);
        if (!o) continue;
        EXPECT_FALSE(o->converted) << name << " was read; it holds a system message inside a track";
        EXPECT_NE(o->reason.find("status byte " + byte), std::string::npos) << name << ": " << o->error;
        EXPECT_NE(o->reason.find("at byte "), std::string::npos) << name << ": no byte offset: " << o->error;
    }
}

TEST_F(MidiCorpus, EmptyAndNonMidiFilesAreRejected) {
    FM_REQUIRE_SHARED_DATA("test_midi_files");
    if (const Outcome* o = get("test-empty-file.mid")) {
        EXPECT_FALSE(o->converted);
        EXPECT_NE(o->reason.find("empty"), std::string::npos) << o->error;
    }
    if (const Outcome* o = get("test-not-a-midi-file.mid")) {
        EXPECT_FALSE(o->converted);
        EXPECT_NE(o->reason.find("MThd"), std::string::npos) << o->error;
    }
}

TEST_F(MidiCorpus, CMajorScaleGivesEightAscendingQuarterNotes) {
    FM_REQUIRE_SHARED_DATA("test_midi_files");
    // 96 ticks per quarter, each note one quarter: C D E F G A B C at steps 0, 4, ..., 28.
    const auto notes = notes_of("test-c-major-scale.mid");
    EXPECT_EQ(notes, quarter_notes(kCMajor, 0));
    if (const Outcome* o = get("test-c-major-scale.mid")) {
        EXPECT_EQ(o->roll.roll.width, 32);
        EXPECT_EQ(o->roll.ticks_per_quarter, 96);
        EXPECT_TRUE(o->roll.warnings.empty());
        EXPECT_EQ(o->roll.phase_ticks, 0.0);
    }
}

TEST_F(MidiCorpus, DamagedFilesStillGiveTheScaleTheyPromise) {
    FM_REQUIRE_SHARED_DATA("test_midi_files");
    // The last byte (End of Track's length) is missing: the chunk is one byte short; read up to there.
    EXPECT_EQ(notes_of("test-corrupt-file-missing-byte.mid"), quarter_notes(kCMajor, 0));
    if (const Outcome* o = get("test-corrupt-file-missing-byte.mid")) {
        EXPECT_TRUE(any_warning_contains(o->roll.warnings, "declares 246 bytes")) << "no warning about the chunk length";
        EXPECT_TRUE(any_warning_contains(o->roll.warnings, "truncated")) << "no warning about the cut event";
    }
    // One byte after the MTrk chunk: ignored.
    EXPECT_EQ(notes_of("test-corrupt-file-extra-byte.mid"), quarter_notes(kCMajor, 0));
    // A 'Junk' chunk before the MTrk: skipped with a warning.
    EXPECT_EQ(notes_of("test-non-midi-track.mid"), quarter_notes(kCMajor, 0));
    if (const Outcome* o = get("test-non-midi-track.mid")) {
        EXPECT_TRUE(any_warning_contains(o->roll.warnings, "Junk")) << "no warning about the skipped chunk";
        EXPECT_EQ(o->roll.tracks, 1);
    }
}

TEST_F(MidiCorpus, RunningStatusSurvivesMetaAndSysexEvents) {
    FM_REQUIRE_SHARED_DATA("test_midi_files");
    // Note-offs are note-ons of velocity 0 under running status, broken by a text event / a sysex mid-scale.
    EXPECT_EQ(notes_of("test-running-status-metaevent.mid"), quarter_notes(kCMajor, 0));
    EXPECT_EQ(notes_of("test-running-status-sysex.mid"), quarter_notes(kCMajor, 0));
}

TEST_F(MidiCorpus, LongVariableLengthNumbersRead) {
    FM_REQUIRE_SHARED_DATA("test_midi_files");
    // Delta times of 96 padded to 2, 3 and 4 bytes (0x80 0x60, 0x80 0x80 0x60, ...).
    for (const char* name : {"test-vlq-2-byte.mid", "test-vlq-3-byte.mid", "test-vlq-4-byte.mid"})
        EXPECT_EQ(notes_of(name), quarter_notes(kCMajor, 0)) << name;
}

TEST_F(MidiCorpus, TwoTracksPlayTogetherInFormats0And1AndOneAfterTheOtherInFormat2) {
    FM_REQUIRE_SHARED_DATA("test_midi_files");
    // A C major and a C# major scale, each starting one quarter in. Where the two share pitch 65 (E# / F) and 72
    // (B# / C), the earlier note touches the later strike and ends a step early (the re-strike rule).
    std::vector<fm::StepNote> together = quarter_notes(kCMajor, 4);
    for (const auto& n : quarter_notes(kCSharpMajor, 4)) together.push_back(n);
    for (auto& n : together)
        if ((n.pitch == 65 && n.start == 12) || (n.pitch == 72 && n.start == 28)) n.end -= 1;
    EXPECT_EQ(notes_of("test-2-tracks-type-0.mid"), sorted(together));
    EXPECT_EQ(notes_of("test-2-tracks-type-1.mid"), sorted(together));

    // Format 2: track 1 ends at tick 864 (36 steps); track 2 starts there, its scale one quarter later.
    std::vector<fm::StepNote> sequential = quarter_notes(kCMajor, 4);
    for (const auto& n : quarter_notes(kCSharpMajor, 40)) sequential.push_back(n);
    EXPECT_EQ(notes_of("test-2-tracks-type-2.mid"), sorted(sequential));
    if (const Outcome* o = get("test-2-tracks-type-2.mid")) {
        EXPECT_EQ(o->roll.format, 2);
        EXPECT_EQ(o->roll.roll.width, 72);
    }
}

TEST_F(MidiCorpus, PercussionOnlyWithKeepDrums) {
    FM_REQUIRE_SHARED_DATA("test_midi_files");
    const Outcome* o = get("test-all-gm-percussion.mid");
    if (!o) return;
    ASSERT_TRUE(o->converted) << o->error;
    EXPECT_TRUE(o->roll.notes.empty()) << "drums dropped by default, yet " << o->roll.notes.size() << " notes";
    EXPECT_EQ(fm::count_notes(o->roll.roll), 0);
    EXPECT_GT(o->roll.dropped_drum_notes, 100);
    EXPECT_EQ(o->with_drums.source_notes, o->roll.dropped_drum_notes);
    EXPECT_EQ(o->with_drums.dropped_drum_notes, 0);
    EXPECT_FALSE(o->with_drums.notes.empty());
    for (const auto& n : o->with_drums.notes) {   // GM (and GM2) percussion keys 27..87
        EXPECT_GE(n.pitch, 27);
        EXPECT_LE(n.pitch, 87);
    }
}

TEST_F(MidiCorpus, VelocitiesAndSilenceFiles) {
    FM_REQUIRE_SHARED_DATA("test_midi_files");
    // Nine strikes of C at velocities 1, 16, ..., 112, 127.
    std::vector<int> velocities;
    for (const auto& n : notes_of("test-note-on-velocity.mid")) velocities.push_back(n.velocity);
    EXPECT_EQ(velocities, (std::vector<int>{1, 16, 32, 48, 64, 80, 96, 112, 127}));
    // Files without notes give a silent roll.
    for (const char* name : {"test-empty.mid", "test-silence-all-notes-off.mid", "test-silence-end-of-track.mid",
                             "test-silence-text-metaevent.mid"}) {
        EXPECT_TRUE(notes_of(name).empty()) << name;
        if (const Outcome* o = get(name)) {
            EXPECT_EQ(fm::count_notes(o->roll.roll), 0) << name;
        }
    }
    // One quarter note of C, then silence up to End of Track.
    EXPECT_EQ(notes_of("test-track-length.mid"), (std::vector<fm::StepNote>{{60, 0, 4, 127}}));
}

// ---- Malformed bytes made here (no shared data needed) ----

// A small valid file: tempo, a C major scale with a few re-strikes, running status, a sysex and a text event.
std::vector<uint8_t> small_valid_file() {
    fmtest::TrackBuilder tb;
    tb.tempo(0, 100);
    int64_t t = 0;
    for (int p : kCMajor) {
        tb.note(t, t + 100, p, 40 + p % 50);
        t += 120;
    }
    tb.note(t, t + 60, 60, 90).note(t + 60, t + 120, 60, 90);   // a re-strike of one step
    tb.end(t + 480);
    fm::SmfFile smf = fmtest::make_smf(1, 480, {tb.build()});
    fm::SmfEvent text;
    text.tick = 0, text.status = 0xFF, text.data1 = 0x01, text.payload = {'h', 'i'};
    smf.tracks[0].events.insert(smf.tracks[0].events.begin(), text);
    return fm::write_smf(smf);
}

// Reads `bytes`; when that works, imports, exports, and reads again; the rolls must agree. Only fm::Error
// may come out. Returns true when the bytes were read.
bool read_convert_round_trip(const std::vector<uint8_t>& bytes, const std::string& label) {
    try {
        const fm::SmfFile smf = fm::read_smf(bytes.data(), bytes.size());
        const fm::MidiRoll m = fm::midi_to_roll(smf);
        EXPECT_EQ(round_trip_problem(m), "") << label;
        return true;
    } catch (const fm::Error& e) {
        EXPECT_FALSE(std::string(e.what()).empty()) << label;
    } catch (const std::exception& e) {
        ADD_FAILURE() << label << ": threw a non-fm::Error exception: " << e.what();
    } catch (...) {
        ADD_FAILURE() << label << ": threw something that is not a std::exception";
    }
    return false;
}

TEST(MidiCorpusMade, EveryPrefixOfAFileReadsOrIsRejected) {
    const std::vector<uint8_t> full = small_valid_file();
    ASSERT_TRUE(read_convert_round_trip(full, "the whole file"));
    int read = 0;
    for (size_t n = 0; n <= full.size(); ++n) {
        const std::vector<uint8_t> prefix(full.begin(), full.begin() + long(n));
        read += read_convert_round_trip(prefix, "first " + std::to_string(n) + " bytes");
    }
    // The header alone is rejected (no track); once the MTrk id and length are there, a cut track reads.
    EXPECT_GT(read, int(full.size()) / 2);
}

TEST(MidiCorpusMade, EverySingleByteChangeReadsOrIsRejected) {
    const std::vector<uint8_t> full = small_valid_file();
    const auto t0 = Clock::now();
    for (size_t i = 0; i < full.size(); ++i)
        for (uint8_t v : {uint8_t(0x00), uint8_t(0x7F), uint8_t(0x80), uint8_t(0xF1), uint8_t(0xFF)}) {
            std::vector<uint8_t> bytes = full;
            bytes[i] = v;
            read_convert_round_trip(bytes, "byte " + std::to_string(i) + " set to " + std::to_string(v));
        }
    EXPECT_LT(seconds_since(t0), 60.0);
}

TEST(MidiCorpusMade, SpecificMalformedInputsAreRejectedWithAReason) {
    auto reason_of = [](const std::vector<uint8_t>& bytes) -> std::string {
        try {
            fm::read_smf(bytes.data(), bytes.size());
        } catch (const fm::Error& e) {
            return e.reason();
        }
        return "";
    };
    const std::vector<uint8_t> header = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0, 0, 1, 0, 96};
    auto with_track = [&](std::vector<uint8_t> body) {
        std::vector<uint8_t> out = header;
        out.insert(out.end(), {'M', 'T', 'r', 'k', 0, 0, 0, uint8_t(body.size())});
        out.insert(out.end(), body.begin(), body.end());
        return out;
    };
    EXPECT_NE(reason_of({}).find("empty"), std::string::npos);
    EXPECT_NE(reason_of(header).find("no MTrk"), std::string::npos);
    // A five-byte delta time.
    EXPECT_NE(reason_of(with_track({0x81, 0x81, 0x81, 0x81, 0x01, 0x90, 60, 100})).find("longer than 4 bytes"), std::string::npos);
    // A data byte before any status.
    EXPECT_NE(reason_of(with_track({0x00, 60, 100})).find("no status byte"), std::string::npos);
    // A status byte where a data byte belongs.
    EXPECT_NE(reason_of(with_track({0x00, 0x90, 60, 0x90})).find("data byte was expected"), std::string::npos);
    // A header shorter than 6 bytes.
    std::vector<uint8_t> short_header = with_track({0x00, 0xFF, 0x2F, 0x00});
    short_header[7] = 4;
    EXPECT_NE(reason_of(short_header).find("needs 6"), std::string::npos);
}

TEST(MidiCorpusMade, FarNotesAreRefusedNotAllocated) {
    // One tick per quarter and a note-on 2^28 - 1 ticks in: about 2^30 steps, far past kMaxImportSteps.
    const std::vector<uint8_t> bytes = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0, 0, 1, 0, 1,
                                        'M', 'T', 'r', 'k', 0, 0, 0, 15,
                                        0xFF, 0xFF, 0xFF, 0x7F, 0x90, 60, 100, 0x00, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0x00};
    const auto t0 = Clock::now();
    try {
        const fm::SmfFile smf = fm::read_smf(bytes.data(), bytes.size());
        fm::midi_to_roll(smf);
        ADD_FAILURE() << "a note 2^30 steps in was imported";
    } catch (const fm::Error& e) {
        EXPECT_NE(std::string(e.what()).find("at most"), std::string::npos) << e.what();
    }
    EXPECT_LT(seconds_since(t0), 5.0);
}

// ---- Regression inputs found by fuzzing (tests/fuzz/fuzz_midi_reader.cpp) ----
// Each must read or be rejected with an fm::Error, quickly, and round-trip when read.

// 8190 empty MTrk chunks in 64 KB: collect_notes made its 2048 open-note queues afresh for every track
// (about 1.2 MB of allocations each), 5.8 s for this file; now they are made once (~20 ms).
TEST(MidiCorpusFuzzRegression, ThousandsOfEmptyTracksAreQuick) {
    std::vector<uint8_t> bytes = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1, 0x1F, 0xFF, 0, 0x60};
    for (int i = 0; i < 8190; ++i) bytes.insert(bytes.end(), {'M', 'T', 'r', 'k', 0, 0, 0, 0});
    // One note in the last track, so the import has something to find after all the empty ones.
    bytes.insert(bytes.end(), {'M', 'T', 'r', 'k', 0, 0, 0, 12, 0x00, 0x90, 60, 100, 0x60, 0x80, 60, 64, 0x00, 0xFF, 0x2F, 0x00});
    const auto t0 = Clock::now();
    const fm::SmfFile smf = fm::read_smf(bytes.data(), bytes.size());
    ASSERT_EQ(smf.tracks.size(), 8191u);
    const fm::MidiRoll m = fm::midi_to_roll(smf);
    EXPECT_EQ(m.notes, (std::vector<fm::StepNote>{{60, 0, 4, 100}}));
    EXPECT_EQ(round_trip_problem(m), "");
    EXPECT_LT(seconds_since(t0), 2.0) << "8191 tracks should take milliseconds";
}

}  // namespace
