// test_cli.cpp — the `fractalmidi` binary run as a user runs it (posix_spawn, stdout/stderr captured, exit
// status checked) on MIDI files written here, so every expected number follows from the file.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/midi_roll.h"
#include "core/roll.h"
#include "core/resources.h"
#include "core/track_rolls.h"
#include "support/test_support.h"

#ifndef FRACTALMIDI_BIN
#error "FRACTALMIDI_BIN (path of the fractalmidi executable) must be defined"
#endif

extern char** environ;

namespace fs = std::filesystem;

namespace {

struct Proc {
    int status = -1;   // exit status; 128 + signal when killed
    std::string out, err;
};

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// A started program whose output goes to files.
struct Started {
    pid_t pid = 0;
    std::string out_path, err_path;
};

// Starts argv_s (argv_s[0]: the program's path), its output going to files; pid 0 when it could not start.
Started start(std::vector<std::string> argv_s) {
    static const std::string io = fmtest::temp_dir("cli_io");
    static int n = 0;
    Started st;
    st.out_path = io + "/out" + std::to_string(n) + ".txt";
    st.err_path = io + "/err" + std::to_string(n++) + ".txt";

    std::vector<char*> argv;
    for (std::string& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, st.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, st.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int rc = posix_spawn(&st.pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        ADD_FAILURE() << "cannot start " << argv_s[0] << ": " << std::strerror(rc);
        st.pid = 0;
    }
    return st;
}

// Waits for a started program and reads what it printed.
Proc collect(const Started& st) {
    Proc r;
    if (st.pid == 0) return r;
    int ws = 0;
    while (waitpid(st.pid, &ws, 0) < 0 && errno == EINTR) {
    }
    r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : -1;
    r.out = slurp(st.out_path);
    r.err = slurp(st.err_path);
    return r;
}

// Runs argv_s (argv_s[0]: the program's path), capturing its output.
Proc spawn(std::vector<std::string> argv_s) { return collect(start(std::move(argv_s))); }

Proc run(const std::vector<std::string>& args) {
    std::vector<std::string> argv_s = {FRACTALMIDI_BIN};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    return spawn(argv_s);
}

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string line; std::getline(ss, line);) out.push_back(line);
    return out;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The text after `label` on the first line that starts with it, trimmed; "(no line LABEL)" when none does.
std::string field(const std::string& out, const std::string& label) {
    for (const std::string& line : lines(out))
        if (line.rfind(label, 0) == 0) {
            std::string v = line.substr(label.size());
            v.erase(0, v.find_first_not_of(' '));
            return v;
        }
    return "(no line " + label + ")";
}

// Exit status 1 and exactly one stderr line "error: ..." that contains `part`.
void expect_one_error(const Proc& r, const std::string& part) {
    EXPECT_EQ(r.status, 1) << "stdout: " << r.out << "\nstderr: " << r.err;
    const std::vector<std::string> err = lines(r.err);
    ASSERT_EQ(err.size(), 1u) << "stderr: " << r.err;
    EXPECT_EQ(err[0].rfind("error: ", 0), 0u) << err[0];
    EXPECT_TRUE(contains(err[0], part)) << "'" << part << "' not in: " << err[0];
}

// Exit status 1 and a last stderr line "error: ..." that contains `part` (after what the command said while loading).
void expect_final_error(const Proc& r, const std::string& part) {
    EXPECT_EQ(r.status, 1) << "stdout: " << r.out << "\nstderr: " << r.err;
    const std::vector<std::string> err = lines(r.err);
    ASSERT_FALSE(err.empty());
    EXPECT_EQ(err.back().rfind("error: ", 0), 0u) << err.back();
    EXPECT_TRUE(contains(err.back(), part)) << "'" << part << "' not in: " << err.back();
}

// PNG width and height from the IHDR chunk (bytes 16-19 and 20-23, big-endian), after checking the signature.
std::pair<uint32_t, uint32_t> png_size(const std::string& path) {
    const std::string b = slurp(path);
    if (b.size() < 24 || b.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 || b.compare(12, 4, "IHDR") != 0) {
        ADD_FAILURE() << path << " is not a PNG";
        return {0, 0};
    }
    auto be32 = [&](size_t i) {
        return uint32_t(uint8_t(b[i])) << 24 | uint32_t(uint8_t(b[i + 1])) << 16 | uint32_t(uint8_t(b[i + 2])) << 8 |
               uint32_t(uint8_t(b[i + 3]));
    };
    return {be32(16), be32(20)};
}

// A format 1 file at 480 ticks per quarter (120 ticks a step) whose onsets all lie 7 ticks after the grid.
// Track 0: 90 bpm, 120 bpm from tick 1927 (step 16 once the phase is taken off), End of Track at tick 3847
// (step 32 = 2 bars). Track 1: five notes, steps 0-4, 4-8, 12-16, 16-24, 26-30.
fm::SmfFile phased_song() {
    fmtest::TrackBuilder meta;
    meta.tempo(0, 90).tempo(1927, 120).end(3847);
    fmtest::TrackBuilder notes;
    notes.note(7, 487, 60, 100).note(487, 967, 62, 90).note(1447, 1927, 64, 80).note(1927, 2887, 65, 70)
        .note(3127, 3607, 67, 60).end(3847);
    return fmtest::make_smf(1, 480, {meta.build(), notes.build()});
}

// 64 steps (4 bars) at 480 ticks per quarter with what the importer has to work at: a re-strike on a sounding
// pitch, a one-step re-strike at the same velocity, a doubled strike (one pitch, one onset) in a second track,
// a drum note (left out), notes crossing the windows the tests cut, 100 -> 140 bpm at step 24.
fm::SmfFile busy_song() {
    const int64_t s = 120;   // ticks a step
    fmtest::TrackBuilder meta;
    meta.tempo(0, 100).tempo(24 * s, 140).end(64 * s);
    fmtest::TrackBuilder a;
    a.note(0, 8 * s, 60, 100).note(4 * s, 12 * s, 60, 100);     // re-strike: the first ends at step 3
    a.note(2 * s, 3 * s, 62, 80).note(3 * s, 9 * s, 62, 80);    // one step apart: the second is nudged
    a.note(6 * s, 20 * s, 48, 30);                               // crosses step 8 and 16
    for (int k = 0; k < 16; ++k) a.note(k * 4 * s, (k * 4 + 3) * s, 70 + (k % 5), 20 + 7 * k);
    a.note(30 * s, 63 * s, 36, 127).note(60 * s, 64 * s, 100, 1);
    a.note(40 * s, 44 * s, 38, 64, 9);                           // channel 10: drums
    fmtest::TrackBuilder b;
    b.note(0, 2 * s, 80, 50).note(16 * s, 18 * s, 72, 90).note(16 * s, 20 * s, 72, 110);   // doubled strike
    b.note(44 * s, 52 * s, 84, 64);
    return fmtest::make_smf(1, 480, {meta.build(), a.build(), b.build()});
}

}  // namespace

TEST(Cli, HelpExitsZero) {
    const Proc top = run({"--help"});
    EXPECT_EQ(top.status, 0) << top.err;
    for (const char* cmd : {"info", "convert", "dataset"}) EXPECT_TRUE(contains(top.out, cmd)) << top.out;
    const std::vector<std::pair<std::string, std::string>> subs = {
        {"info", "--json"}, {"convert", "--fold"}, {"dataset", "--train_data"}};
    for (const auto& [cmd, flag] : subs) {
        const Proc r = run({cmd, "--help"});
        EXPECT_EQ(r.status, 0) << cmd << ": " << r.err;
        EXPECT_TRUE(contains(r.out, flag)) << cmd << " --help does not mention " << flag << ":\n" << r.out;
    }
}

TEST(Cli, UsageErrorsAreOneErrorLine) {
    expect_one_error(run({}), "subcommand");                                      // no subcommand
    expect_one_error(run({"frobnicate"}), "");                                    // unknown subcommand
    expect_one_error(run({"info"}), "file");                                      // missing file argument
    expect_one_error(run({"info", "x.mid", "--no_such_flag"}), "--no_such_flag");
    expect_one_error(run({"convert", "x.mid", "--scale", "0", "--png", "x.png"}), "--scale");   // 1..64
    EXPECT_FALSE(fs::exists("x.png"));
}

TEST(Cli, InfoPrintsWhatTheImporterSees) {
    const std::string dir = fmtest::temp_dir("cli");
    const std::string path = fmtest::write_midi(dir, "phased.mid", phased_song());
    const Proc r = run({"info", path});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
    EXPECT_EQ(field(r.out, "file:"), path);
    EXPECT_EQ(field(r.out, "format:"), "1 (2 tracks)");
    EXPECT_EQ(field(r.out, "ticks/quarter:").rfind("480 ", 0), 0u) << r.out;
    EXPECT_TRUE(contains(field(r.out, "ticks/quarter:"), "= 120 ticks")) << r.out;
    EXPECT_EQ(field(r.out, "tempo:").rfind("90.0-120.0 bpm", 0), 0u) << r.out;
    EXPECT_EQ(field(r.out, "notes:"), "5 read, 5 in the roll");
    // 32 steps = 2 bars; 16 steps at 90 bpm (1/6 s each) + 14 at 120 bpm (1/8 s) up to the last note's end.
    EXPECT_EQ(field(r.out, "length:"), "32 steps = 2.00 bars (4/4), 4.4 s");
    EXPECT_EQ(field(r.out, "grid phase:").rfind("+7.0 ticks", 0), 0u) << r.out;
    EXPECT_TRUE(contains(field(r.out, "grid phase:"), "+0.058 step")) << r.out;   // 7 / 120
    EXPECT_FALSE(contains(r.out, "warning:")) << r.out;
}

// Am Dm E7 Am, one bar each (root in the bass, the chord above), declared as E minor (one sharp):
// info names the key it hears (A minor) beside the declared one, and each bar's chord.
TEST(Cli, InfoPrintsTheKeyAndEachBarsChord) {
    const int64_t bar = 4 * 480;
    fmtest::TrackBuilder meta;
    meta.tempo(0, 100).key_signature(0, 1, true).end(5 * bar);
    fmtest::TrackBuilder notes;
    const std::vector<std::vector<int>> chords = {{45, 57, 60, 64, 72}, {50, 57, 62, 65, 69}, {40, 56, 59, 62, 64}, {45, 57, 60, 64, 69}};
    for (size_t b = 0; b < chords.size(); ++b)
        for (int p : chords[b]) notes.note(int64_t(b) * bar, int64_t(b + 1) * bar - 60, p, 80);
    notes.end(5 * bar);
    const std::string path = fmtest::write_midi(fmtest::temp_dir("cli"), "cadence.mid", fmtest::make_smf(1, 480, {meta.build(), notes.build()}));
    const Proc r = run({"info", path});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(field(r.out, "key:").rfind("A minor (profile fit", 0), 0u) << r.out;
    EXPECT_TRUE(contains(field(r.out, "key:"), "the file declares E minor")) << r.out;
    EXPECT_TRUE(contains(r.out, "| Am     | Dm     | E7     | Am     | N.C.   |")) << r.out;
    const Proc j = run({"info", path, "--json"});
    ASSERT_EQ(j.status, 0) << j.err;
    const auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc.at("key"), "A minor");
    EXPECT_EQ(doc.at("declared_key"), "E minor");
    EXPECT_EQ(doc.at("chords"), (nlohmann::json{"Am", "Dm", "E7", "Am", "N.C."}));
}

// Chords held a bar each that start two 16ths into the file: info says the beats fall on steps 2, 6, 10 and 14 (the
// importer's grid phase does not move whole steps); on the bar, it says they are on the roll's quarters.
TEST(Cli, InfoSaysWhereTheBeatsFall) {
    const std::string dir = fmtest::temp_dir("cli");
    for (const int64_t late : {int64_t(0), int64_t(240)}) {
        fmtest::TrackBuilder t;
        for (int b = 0; b < 4; ++b)
            for (int p : {48, 55, 64}) t.note(late + b * 1920, late + (b + 1) * 1920 - 60, p, 80);
        t.note(late + 960, late + 1080, 72, 90);   // a short note on the third beat
        const std::string path = fmtest::write_midi(dir, "late" + std::to_string(late) + ".mid", fmtest::make_smf(0, 480, {t.build()}));
        const Proc r = run({"info", path});
        ASSERT_EQ(r.status, 0) << r.err;
        EXPECT_EQ(field(r.out, "beats:").rfind(late == 0 ? "on the roll's quarters" : "on steps 2, 6, 10, 14 of a bar", 0), 0u) << r.out;
        const Proc j = run({"info", path, "--json"});
        ASSERT_EQ(j.status, 0) << j.err;
        EXPECT_EQ(nlohmann::json::parse(j.out).at("beat_phase").get<int>(), late == 0 ? 0 : 2);
    }
}

TEST(Cli, InfoJson) {
    const std::string dir = fmtest::temp_dir("cli");
    const std::string path = fmtest::write_midi(dir, "phased.mid", phased_song());
    const Proc r = run({"info", path, "--json"});
    ASSERT_EQ(r.status, 0) << r.err;
    nlohmann::json j;
    ASSERT_NO_THROW(j = nlohmann::json::parse(r.out)) << r.out;
    EXPECT_EQ(j.at("file"), path);
    EXPECT_EQ(j.at("format"), 1);
    EXPECT_EQ(j.at("tracks"), 2);
    EXPECT_EQ(j.at("ticks_per_quarter"), 480);
    EXPECT_NEAR(j.at("tempo_min_bpm").get<double>(), 90.0, 1e-3);
    EXPECT_NEAR(j.at("tempo_max_bpm").get<double>(), 120.0, 1e-3);
    EXPECT_EQ(j.at("tempo_changes"), 1);
    EXPECT_EQ(j.at("source_notes"), 5);
    EXPECT_EQ(j.at("notes"), 5);
    EXPECT_EQ(j.at("drum_notes_left_out"), 0);
    EXPECT_EQ(j.at("length_steps"), 32);
    EXPECT_DOUBLE_EQ(j.at("length_bars").get<double>(), 2.0);
    EXPECT_NEAR(j.at("seconds").get<double>(), 16.0 / 6.0 + 14.0 / 8.0, 1e-4);
    EXPECT_DOUBLE_EQ(j.at("grid_phase_ticks").get<double>(), 7.0);
    EXPECT_NEAR(j.at("grid_phase_steps").get<double>(), 7.0 / 120.0, 1e-9);
    EXPECT_TRUE(j.at("warnings").is_array());
    EXPECT_TRUE(j.at("warnings").empty());
}

TEST(Cli, InfoCountsDrumsLeftOut) {
    const std::string dir = fmtest::temp_dir("cli");
    const std::string path = fmtest::write_midi(dir, "busy.mid", busy_song());
    const Proc r = run({"info", path, "--json"});
    ASSERT_EQ(r.status, 0) << r.err;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j.at("drum_notes_left_out"), 1);
    EXPECT_EQ(j.at("format"), 1);
    EXPECT_EQ(j.at("tracks"), 3);
    EXPECT_EQ(j.at("length_steps"), 64);
    const Proc drums = run({"info", path, "--json", "--keep_drums"});
    ASSERT_EQ(drums.status, 0) << drums.err;
    const nlohmann::json k = nlohmann::json::parse(drums.out);
    EXPECT_EQ(k.at("drum_notes_left_out"), 0);
    EXPECT_EQ(k.at("source_notes").get<int>(), j.at("source_notes").get<int>() + 1);
}

TEST(Cli, ConvertWritesMidiAndPngWithTheSameNotes) {
    const std::string dir = fmtest::temp_dir("cli");
    for (const auto& [name, smf] : {std::make_pair("phased.mid", phased_song()), std::make_pair("busy.mid", busy_song())}) {
        SCOPED_TRACE(name);
        const std::string in = fmtest::write_midi(dir, name, smf);
        const std::string out = dir + "/out-" + name, png = dir + "/out-" + std::string(name) + ".png";
        const Proc r = run({"convert", in, "--out", out, "--png", png});
        ASSERT_EQ(r.status, 0) << r.err;
        ASSERT_TRUE(fs::exists(out));
        ASSERT_TRUE(fs::exists(png));
        EXPECT_TRUE(contains(r.out, "wrote " + out)) << r.out;
        EXPECT_TRUE(contains(r.out, "wrote " + png)) << r.out;

        const fm::MidiRoll src = fm::load_midi(in), back = fm::load_midi(out);
        ASSERT_FALSE(src.notes.empty());
        EXPECT_EQ(back.notes.size(), src.notes.size());
        EXPECT_TRUE(back.notes == src.notes) << "notes (pitch, step, duration, velocity) differ after convert";
        EXPECT_TRUE(back.roll == src.roll) << "widths " << back.roll.width << " vs " << src.roll.width;
        EXPECT_DOUBLE_EQ(back.phase_ticks, 0.0) << "the written file is on the grid";
        ASSERT_EQ(back.tempo.size(), src.tempo.size());
        for (size_t i = 0; i < src.tempo.size(); ++i) {
            EXPECT_NEAR(back.tempo[i].step, src.tempo[i].step, 1e-9);
            EXPECT_EQ(back.tempo[i].us_per_quarter, src.tempo[i].us_per_quarter);
        }
        // Default PNG scale 4: width steps x 128 pitches, 4 pixels a cell.
        EXPECT_EQ(png_size(png), std::make_pair(uint32_t(src.roll.width * 4), uint32_t(128 * 4)));
    }
}

// convert --tracks keeps a file's tracks apart (one named MIDI track each); --track_map renames and regroups them;
// info lists the tracks; a malformed map is one error line.
TEST(Cli, ConvertTracksKeepsTheTracksApartAndInfoListsThem) {
    const std::string dir = fmtest::temp_dir("cli");
    fmtest::TrackBuilder meta, vocal, keys;
    meta.tempo(0, 96).end(32 * 120);
    vocal.name("Vocal").program(0, 73, 0);
    for (int i = 0; i < 8; ++i) vocal.note(i * 480, i * 480 + 360, 72 + i % 3, 90, 0);
    keys.name("Keys");
    for (int p : {48, 52, 55}) keys.note(0, 16 * 120, p, 60, 1).note(16 * 120, 32 * 120, p + 5, 60, 1);
    const std::string in = fmtest::write_midi(dir, "band.mid", fmtest::make_smf(1, 480, {meta.build(), vocal.build(), keys.build()}));

    const Proc info = run({"info", in});
    ASSERT_EQ(info.status, 0) << info.err;
    EXPECT_TRUE(contains(info.out, "tracks:         Vocal")) << info.out;
    EXPECT_TRUE(contains(info.out, "program  73, 8 notes")) << info.out;
    const Proc ij = run({"info", in, "--json"});
    const auto j = nlohmann::json::parse(ij.out);
    ASSERT_EQ(j.at("roll_tracks").size(), 2u);
    EXPECT_EQ(j.at("roll_tracks")[1].at("name"), "Keys");
    EXPECT_EQ(j.at("roll_tracks")[1].at("notes"), 6);

    const std::string out = dir + "/tracks.mid";
    const Proc r = run({"convert", in, "--tracks", "--out", out});
    ASSERT_EQ(r.status, 0) << r.err;
    fm::TrackRolls back = fm::load_midi_tracks(out, {});
    ASSERT_EQ(back.tracks.size(), 2u);
    EXPECT_EQ(back.info[0].name, "Vocal");
    EXPECT_EQ(back.info[0].program, 73);
    EXPECT_EQ(fm::count_notes(back.tracks[0]), 8);
    EXPECT_EQ(fm::count_notes(back.tracks[1]), 6);

    const Proc mapped = run({"convert", in, "--track_map", "Keys=accompaniment,Vocal=melody", "--out", out, "--offset", "16", "--width", "16"});
    ASSERT_EQ(mapped.status, 0) << mapped.err;
    back = fm::load_midi_tracks(out, {});
    ASSERT_EQ(back.tracks.size(), 2u);
    EXPECT_EQ(back.info[0].name, "accompaniment");
    EXPECT_EQ(back.info[1].name, "melody");
    EXPECT_EQ(back.width(), 16);
    EXPECT_EQ(fm::count_notes(back.tracks[0]), 3);   // the second chord
    EXPECT_EQ(fm::count_notes(back.tracks[1]), 4);

    expect_one_error(run({"convert", in, "--track_map", "Keys", "--out", out}), "track map");
}

// A notation program reads the multi-track export as one named part per track (MuseScore 3, Debian's musescore3, where
// it is installed: it converts the .mid to MusicXML headless).
TEST(Cli, MuseScoreOpensAMultiTrackExportWithTheTracksNamed) {
    const std::string mscore = "/usr/bin/mscore3";
    if (!fs::exists(mscore)) GTEST_SKIP() << "MuseScore 3 is not installed (apt-get install musescore3)";
    const std::string dir = fmtest::temp_dir("cli");
    fmtest::TrackBuilder meta, vocal, keys;
    meta.tempo(0, 96).end(32 * 120);
    vocal.name("Vocal");
    for (int i = 0; i < 8; ++i) vocal.note(i * 480, i * 480 + 360, 72 + i % 3, 90, 0);
    keys.name("Keys");
    for (int p : {48, 52, 55}) keys.note(0, 16 * 120, p, 60, 1).note(16 * 120, 32 * 120, p + 5, 60, 1);
    const std::string in = fmtest::write_midi(dir, "band.mid", fmtest::make_smf(1, 480, {meta.build(), vocal.build(), keys.build()}));
    const std::string out = dir + "/roles.mid", xml = dir + "/roles.musicxml";
    ASSERT_EQ(run({"convert", in, "--track_map", "Vocal=melody,Keys=accompaniment", "--out", out}).status, 0);
    ::setenv("QT_QPA_PLATFORM", "offscreen", 1);
    const Proc r = spawn({mscore, "-o", xml, out});
    ::unsetenv("QT_QPA_PLATFORM");
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string score = slurp(xml);
    std::vector<std::string> parts;
    for (size_t at = score.find("<part-name>"); at != std::string::npos; at = score.find("<part-name>", at + 1))
        parts.push_back(score.substr(at + 11, score.find("</part-name>", at) - at - 11));
    ASSERT_EQ(parts.size(), 2u) << score.substr(0, 2000);
    EXPECT_TRUE(contains(parts[0], "melody")) << parts[0];
    EXPECT_TRUE(contains(parts[1], "accompaniment")) << parts[1];
}

TEST(Cli, ConvertWindowEqualsCropOfTheFullRoll) {
    const std::string dir = fmtest::temp_dir("cli");
    const std::string in = fmtest::write_midi(dir, "busy.mid", busy_song());
    const fm::MidiRoll full = fm::load_midi(in);
    ASSERT_EQ(full.roll.width, 64);
    struct Window {
        int offset, width;
        uint32_t first_us;       // tempo in force at the window's start
        double change_step;      // where 140 bpm starts inside the window (< 0: not inside)
    };
    const uint32_t us100 = 600000, us140 = 428571;
    for (const Window w : {Window{8, 32, us100, 16.0}, Window{0, 16, us100, -1}, Window{20, 12, us100, 4.0},
                           Window{24, 40, us140, -1}, Window{48, 32, us140, -1}}) {   // the last runs past the end
        SCOPED_TRACE("offset " + std::to_string(w.offset) + " width " + std::to_string(w.width));
        const std::string out = dir + "/win" + std::to_string(w.offset) + "-" + std::to_string(w.width) + ".mid";
        const Proc r = run({"convert", in, "--out", out, "--offset", std::to_string(w.offset), "--width", std::to_string(w.width)});
        ASSERT_EQ(r.status, 0) << r.err;
        const fm::MidiRoll back = fm::load_midi(out);
        EXPECT_EQ(back.roll.width, w.width);
        const fm::Roll expected = fm::crop(full.roll, w.offset, w.width);
        ASSERT_TRUE(back.roll == expected);
        EXPECT_GT(fm::count_notes(expected), 0);
        ASSERT_EQ(back.tempo.size(), w.change_step < 0 ? 1u : 2u);
        EXPECT_EQ(back.tempo[0].us_per_quarter, w.first_us);
        if (w.change_step >= 0) {
            EXPECT_NEAR(back.tempo[1].step, w.change_step, 1e-9);
            EXPECT_EQ(back.tempo[1].us_per_quarter, us140);
        }
    }
}

TEST(Cli, ConvertFoldWritesASquareImage) {
    const std::string dir = fmtest::temp_dir("cli");
    const std::string in = fmtest::write_midi(dir, "busy.mid", busy_song());
    const std::string folded = dir + "/folded.png", folded4 = dir + "/folded4.png", flat = dir + "/flat.png";
    const Proc a = run({"convert", in, "--png", folded, "--fold", "--width", "512", "--scale", "1"});
    ASSERT_EQ(a.status, 0) << a.err;
    EXPECT_EQ(png_size(folded), std::make_pair(256u, 256u));
    const Proc b = run({"convert", in, "--png", folded4, "--fold", "--width", "512"});
    ASSERT_EQ(b.status, 0) << b.err;
    EXPECT_EQ(png_size(folded4), std::make_pair(1024u, 1024u));
    const Proc c = run({"convert", in, "--png", flat, "--width", "512", "--scale", "1"});
    ASSERT_EQ(c.status, 0) << c.err;
    EXPECT_EQ(png_size(flat), std::make_pair(512u, 128u));
}

TEST(Cli, ConvertFoldsAWholeFileOfOddLength) {
    // 7 steps long: one silent step is added, then folded to 256 rows x 4 steps.
    const std::string dir = fmtest::temp_dir("cli");
    fmtest::TrackBuilder t;
    t.note(0, 7 * 120, 60, 100);
    const std::string in = fmtest::write_midi(dir, "odd.mid", fmtest::make_smf(1, 480, {t.build()}));
    const std::string png = dir + "/odd.png";
    const Proc r = run({"convert", in, "--png", png, "--fold", "--scale", "1"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(png_size(png), std::make_pair(4u, 256u));
}

TEST(Cli, MissingFileIsOneErrorLineNamingIt) {
    const std::string dir = fmtest::temp_dir("cli");
    const std::string missing = dir + "/no-such-song.mid";
    expect_one_error(run({"info", missing}), missing);
    expect_one_error(run({"info", missing, "--json"}), missing);
    expect_one_error(run({"convert", missing, "--out", dir + "/x.mid"}), missing);
    EXPECT_FALSE(fs::exists(dir + "/x.mid"));
}

TEST(Cli, GarbageFileIsOneErrorLineNamingIt) {
    const std::string dir = fmtest::temp_dir("cli");
    const std::string garbage = dir + "/garbage.mid";
    std::ofstream(garbage) << "This is not a MIDI file.\nNot at all.\n";
    const Proc r = run({"info", garbage});
    expect_one_error(r, garbage);
    EXPECT_TRUE(contains(r.err, "MThd")) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    expect_one_error(run({"convert", garbage, "--out", dir + "/x.mid", "--png", dir + "/x.png"}), garbage);
    EXPECT_FALSE(fs::exists(dir + "/x.mid"));
    EXPECT_FALSE(fs::exists(dir + "/x.png"));
    // A file cut off inside its header.
    const std::string cut = dir + "/cut.mid";
    std::ofstream(cut, std::ios::binary).write("MThd\0\0\0\6\0", 9);
    expect_one_error(run({"info", cut}), cut);
    // An empty file.
    const std::string empty = dir + "/empty.mid";
    std::ofstream(empty, std::ios::binary).flush();
    expect_one_error(run({"info", empty}), empty);
}

TEST(Cli, TruncatedFileIsReadWithAWarning) {
    const std::string dir = fmtest::temp_dir("cli");
    const std::vector<uint8_t> whole = fm::write_smf(busy_song());
    const std::string path = dir + "/cut.mid";
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(whole.data()), std::streamsize(whole.size() - 10));
    const Proc info = run({"info", path});
    EXPECT_EQ(info.status, 0) << info.err;
    bool warned = false;   // one "warning:" line per reader warning; the last track's is the truncation
    for (const std::string& line : lines(info.out)) warned |= line.rfind("warning:", 0) == 0 && contains(line, "truncated");
    EXPECT_TRUE(warned) << info.out;
    const Proc convert = run({"convert", path, "--out", dir + "/out.mid"});
    EXPECT_EQ(convert.status, 0) << convert.err;
    const std::vector<std::string> err = lines(convert.err);
    ASSERT_FALSE(err.empty());
    for (const std::string& line : err) {
        EXPECT_EQ(line.rfind("warning: " + path + ": ", 0), 0u) << line;
    }
    EXPECT_TRUE(fs::exists(dir + "/out.mid"));
}

TEST(Cli, BadWidthIsOneErrorLine) {
    const std::string dir = fmtest::temp_dir("cli");
    const std::string in = fmtest::write_midi(dir, "busy.mid", busy_song());
    const Proc r = run({"convert", in, "--out", dir + "/x.mid", "--width", "130"});
    expect_one_error(r, "130");
    EXPECT_TRUE(contains(r.err, "multiple of 4")) << r.err;
    EXPECT_FALSE(fs::exists(dir + "/x.mid"));
    expect_one_error(run({"convert", in, "--out", dir + "/x.mid", "--offset", "-4"}), "--offset");
    expect_one_error(run({"convert", in, "--out", dir + "/x.mid", "--offset", "64"}), in);   // past the end
    expect_one_error(run({"convert", in}), "--out");                                        // nothing to write
    EXPECT_FALSE(fs::exists(dir + "/x.mid"));
}

TEST(Cli, UnwritableOutputIsOneErrorLineNamingIt) {
    const std::string dir = fmtest::temp_dir("cli");
    const std::string in = fmtest::write_midi(dir, "busy.mid", busy_song());
    const std::string out = dir + "/no/such/folder/out.mid";
    expect_one_error(run({"convert", in, "--out", out}), out);
    const std::string png = dir + "/no/such/folder/out.png";
    expect_one_error(run({"convert", in, "--png", png}), png);
}

TEST(Cli, DatasetBuildsTheCacheAndSummarises) {
    const std::string dir = fmtest::temp_dir("cli");
    const std::string src = dir + "/songs";
    fs::create_directories(src + "/sub");
    const int64_t s = 120;
    // Three usable files (one in a subfolder, one with an upper-case extension), one without notes, one broken,
    // and a file that is not MIDI by its name (not counted).
    fmtest::TrackBuilder a, b, c, none;
    a.note(0, 4 * s, 60, 100).note(4 * s, 8 * s, 64, 90).end(16 * s);                         // 2 notes, 16 steps
    b.note(0, 2 * s, 50, 10).note(2 * s, 4 * s, 52, 20).note(8 * s, 40 * s, 55, 30).end(40 * s);   // 3, 40
    c.note(4 * s, 12 * s, 72, 64).end(32 * s);                                                 // 1, 32
    none.tempo(0, 100).end(8 * s);
    const std::vector<std::string> usable = {
        fmtest::write_midi(src, "a.mid", fmtest::make_smf(0, 480, {a.build()})),
        fmtest::write_midi(src, "b.midi", fmtest::make_smf(0, 480, {b.build()})),
        fmtest::write_midi(src + "/sub", "c.MID", fmtest::make_smf(0, 480, {c.build()})),
    };
    fmtest::write_midi(src, "silent.mid", fmtest::make_smf(0, 480, {none.build()}));
    const std::string broken = src + "/broken.mid";
    std::ofstream(broken) << "not a MIDI file";
    std::ofstream(src + "/notes.txt") << "not MIDI either";

    int64_t notes = 0, steps = 0;
    for (const std::string& p : usable) {
        const fm::MidiRoll m = fm::load_midi(p);
        notes += int64_t(m.notes.size());
        steps += m.roll.width;
    }
    ASSERT_EQ(notes, 6);
    ASSERT_EQ(steps, 16 + 40 + 32);

    const std::string cache = dir + "/songs.fmcache";
    const Proc r = run({"dataset", "--train_data", src, "--cache", cache});
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_TRUE(fs::exists(cache));
    EXPECT_EQ(field(r.out, "files:"), "5 found, 3 usable, 1 without notes, 1 failed (0 reused from the previous cache)")
        << r.out;
    EXPECT_EQ(field(r.out, "notes:"), "6; length: 88 steps (5.5 bars)") << r.out;
    EXPECT_TRUE(contains(r.out, "skipped ")) << r.out;
    EXPECT_TRUE(contains(field(r.out, "skipped"), "broken.mid")) << r.out;
    EXPECT_TRUE(contains(r.out, "wrote " + cache)) << r.out;
    // 0.1 validation by file: train + validation = the 3 usable files.
    const std::string split = field(r.out, "split");
    int train = -1, val = -1;
    const size_t colon = split.find(": ");
    ASSERT_NE(colon, std::string::npos) << r.out;
    ASSERT_EQ(std::sscanf(split.c_str() + colon + 2, "%d train files, %d validation files", &train, &val), 2) << split;
    EXPECT_EQ(train + val, 3);
    // 128-step crops: ceil(16/128) + ceil(40/128) + ceil(32/128) = 3 windows.
    EXPECT_TRUE(contains(r.out, "crops of 128 steps: about 3 non-overlapping windows")) << r.out;

    // Proc again on unchanged files: the same counts, nothing read again.
    const Proc again = run({"dataset", "--train_data", src, "--cache", cache});
    ASSERT_EQ(again.status, 0) << again.out << again.err;
    EXPECT_TRUE(contains(field(again.out, "files:"), "5 found, 3 usable, 1 without notes, 1 failed (5 reused"))
        << again.out;
    EXPECT_EQ(field(again.out, "notes:"), "6; length: 88 steps (5.5 bars)") << again.out;
}

TEST(Cli, DatasetMissingSourceIsOneErrorLine) {
    const std::string dir = fmtest::temp_dir("cli");
    const std::string missing = dir + "/no-such-folder";
    const Proc r = run({"dataset", "--train_data", missing, "--cache", dir + "/x.fmcache"});
    EXPECT_EQ(r.status, 1) << r.out << r.err;
    // The progress line (on stderr) may come first; the error is the last line and names the source.
    const std::vector<std::string> err = lines(r.err);
    ASSERT_FALSE(err.empty());
    EXPECT_EQ(err.back().rfind("error: ", 0), 0u) << r.err;
    EXPECT_TRUE(contains(err.back(), missing)) << r.err;
    EXPECT_FALSE(fs::exists(dir + "/x.fmcache"));
}

#ifdef FM_HAVE_MODEL
// Six files of one repeated bar (a C major chord held half a bar, then four eighth notes of melody), so every
// bar-aligned crop of any of them has the same music.
std::string repeated_bar_songs(const std::string& dir) {
    fs::create_directories(dir);
    const int64_t s = 120;   // ticks a step
    for (int f = 0; f < 6; ++f) {
        fmtest::TrackBuilder t;
        for (int bar = 0; bar < 4 + f; ++bar) {
            const int64_t b = bar * 16 * s;
            t.note(b, b + 8 * s, 60, 70).note(b, b + 8 * s, 64, 70).note(b, b + 8 * s, 67, 70);
            const int melody[4] = {74, 76, 77, 79};   // D E F G
            for (int i = 0; i < 4; ++i) t.note(b + (8 + 2 * i) * s, b + (10 + 2 * i) * s, melody[i], 90 + 8 * i);
        }
        fmtest::write_midi(dir, "bar" + std::to_string(f) + ".mid", fmtest::make_smf(0, 480, {t.build()}));
    }
    return dir;
}

// A tiny run of `steps` steps on `songs` (validating on them too) into `run_dir`, checkpointed at its last step;
// returns run_dir, or "" (with a failure) when training failed.
std::string tiny_run(const std::string& songs, const std::string& run_dir, int steps, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"train", "--train_data", songs, "--val_data", songs, "--output_dir", run_dir,
                                     "--model", "tiny", "--crop_length", "32", "--train_batch_size", "2",
                                     "--max_steps", std::to_string(steps), "--eval_every", std::to_string(steps),
                                     "--val_crops", "1", "--threads", "1", "--device", "cpu"};
    args.insert(args.end(), extra.begin(), extra.end());
    const Proc train = run(args);
    EXPECT_EQ(train.status, 0) << train.out << train.err;
    return train.status == 0 ? run_dir : std::string();
}

TEST(Cli, EvalReferenceComparesTheModelTheCeilingAndTheBaseline) {
    const std::string dir = fmtest::temp_dir("cli");
    const std::string songs = repeated_bar_songs(dir + "/songs");
    const std::string run_dir = tiny_run(songs, dir + "/run", 1, {"--seed", "3"});
    ASSERT_FALSE(run_dir.empty());
    const std::string ckpt = run_dir + "/last.safetensors";
    ASSERT_TRUE(fs::exists(ckpt));
    const std::vector<std::string> eval = {"eval", "--checkpoint", ckpt, "--reference", songs, "--train_data", songs,
                                           "--samples", "4", "--crops", "2", "--orders", "1", "--num_iter_list", "2,1,1",
                                           "--threads", "1", "--device", "cpu", "--seed", "5"};

    std::vector<std::string> as_json = eval;
    as_json.push_back("--json");
    const Proc r = run(as_json);
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_GT(j.at("bits_per_cell").get<double>(), 0);
    EXPECT_EQ(j.at("data").get<std::string>(), songs);   // --data defaults to --reference
    EXPECT_EQ(j.at("samples").get<int>(), 4);
    const auto& music = j.at("music");
    for (const char* row : {"model", "ceiling", "marginal_baseline"}) {
        const auto& m = music.at(row);
        for (const char* oa : {"oa_pitch", "oa_duration", "oa_velocity", "oa_ioi"}) {
            const double v = m.at(oa).get<double>();
            EXPECT_GE(v, 0.0) << row << " " << oa;
            EXPECT_LE(v, 1.0) << row << " " << oa;
        }
        EXPECT_EQ(m.at("rolls").get<int>(), 4) << row;
        EXPECT_TRUE(m.at("relative_to_reference").contains("polyphony")) << row;
    }
    // The folder against itself: every crop holds the same bars, so the ceiling is (all but) perfect.
    const auto& ceiling = music.at("ceiling");
    for (const char* oa : {"oa_pitch", "oa_duration", "oa_velocity", "oa_ioi"}) EXPECT_GE(ceiling.at(oa).get<double>(), 0.99) << oa;
    EXPECT_NEAR(ceiling.at("relative_to_reference").at("polyphony").get<double>(), 0.0, 1e-9);
    // The reference's own figures follow from the bar: 3 notes for 8 steps, then 1 for 8.
    const auto& ref = music.at("reference");
    EXPECT_NEAR(ref.at("polyphony").get<double>(), 2.0, 1e-9);
    EXPECT_NEAR(ref.at("pitch_classes_per_bar").get<double>(), 5.0, 1e-9);   // C E G, then D E F G
    EXPECT_NEAR(ref.at("scale_consistency").get<double>(), 1.0, 1e-9);
    EXPECT_NEAR(ref.at("empty_beat_rate").get<double>(), 0.0, 1e-9);
    EXPECT_NEAR(ref.at("qualified_note_rate").get<double>(), 1.0, 1e-9);
    // The marginal baseline draws every cell on its own: its notes are short and its beats rarely empty.
    EXPECT_LT(music.at("marginal_baseline").at("oa_duration").get<double>(), 0.9);

    const Proc text = run(eval);
    ASSERT_EQ(text.status, 0) << text.out << text.err;
    EXPECT_TRUE(contains(text.out, "bits/cell")) << text.out;
    for (const char* row : {"model ", "ceiling (train vs reference) ", "marginal baseline ", "reference "})
        EXPECT_TRUE(contains(text.out, std::string("\n") + row)) << row << " row missing:\n" << text.out;
    EXPECT_TRUE(contains(text.out, "OA pitch")) << text.out;

    std::vector<std::string> no_train = {"eval", "--checkpoint", ckpt, "--reference", songs};
    expect_one_error(run(no_train), "--train_data");
    const std::string missing = dir + "/no-such-folder";
    const Proc bad = run({"eval", "--checkpoint", ckpt, "--reference", missing, "--train_data", songs, "--threads", "1"});
    EXPECT_EQ(bad.status, 1) << bad.out << bad.err;
    EXPECT_TRUE(contains(lines(bad.err).empty() ? "" : lines(bad.err).back(), missing)) << bad.err;
}

// eval-conditions measures the sections asked (--only), each corpus's figures beside the style's samples.
TEST(Cli, EvalConditionsMeasuresTheSectionsAsked) {
    const std::string dir = fmtest::temp_dir("cli");
    const std::string songs = repeated_bar_songs(dir + "/songs");
    const std::string run_dir = tiny_run(songs, dir + "/run", 1, {"--seed", "3"});
    ASSERT_FALSE(run_dir.empty());
    const std::string ckpt = run_dir + "/last.safetensors";
    const std::vector<std::string> base = {"eval-conditions", "--checkpoint", ckpt, "--samples", "2", "--threads", "1", "--device", "cpu",
                                           "--json", "--style_reference", "chorale=" + songs};
    auto with = [&](std::vector<std::string> extra) {
        std::vector<std::string> a = base;
        a.insert(a.end(), extra.begin(), extra.end());
        return run(a);
    };
    const Proc style = with({"--only", "style"});
    ASSERT_EQ(style.status, 0) << style.out << style.err;
    const auto j = nlohmann::json::parse(style.out);
    EXPECT_FALSE(j.contains("none"));
    EXPECT_FALSE(j.contains("key"));
    for (const char* name : {"pop", "classical", "folk", "chorale"}) EXPECT_TRUE(j.at("style").contains(name)) << name;
    const auto& ref = j.at("style_reference").at("chorale");   // the repeated bar: 3 notes for 8 steps, then 1 for 8
    EXPECT_NEAR(ref.at("polyphony").get<double>(), 2.0, 1e-9);
    EXPECT_NEAR(ref.at("pitch_classes_per_bar").get<double>(), 5.0, 1e-9);
    EXPECT_NEAR(ref.at("notes_per_bar").get<double>(), 7.0, 1e-9);
    EXPECT_FALSE(j.at("style_reference").contains("pop"));   // no reference given for it

    const Proc two = with({"--only", "none", "--only", "tempo"});
    ASSERT_EQ(two.status, 0) << two.out << two.err;
    const auto k = nlohmann::json::parse(two.out);
    EXPECT_TRUE(k.contains("none"));
    EXPECT_EQ(k.at("tempo").size(), 3u);
    EXPECT_FALSE(k.contains("style"));
    EXPECT_FALSE(k.contains("density"));
    EXPECT_EQ(k.at("num_iter_list"), "8,2,4");   // the generation default
    const Proc iters = with({"--only", "none", "--num_iter_list", "1,1,1"});
    ASSERT_EQ(iters.status, 0) << iters.out << iters.err;
    EXPECT_EQ(nlohmann::json::parse(iters.out).at("num_iter_list"), "1,1,1");
    expect_one_error(with({"--only", "melody"}), "--only");
    expect_one_error(with({"--num_iter_list", "8,2"}), "--num_iter_list");
}

// info on a checkpoint: the loaders' checks, then what it holds; four flipped bytes (same size) are refused.
TEST(Cli, InfoChecksACheckpointAndRefusesFlippedBytes) {
    const std::string dir = fmtest::temp_dir("cli");
    const std::string songs = repeated_bar_songs(dir + "/songs");
    const std::string run_dir = tiny_run(songs, dir + "/run", 3);
    ASSERT_FALSE(run_dir.empty());
    const std::string ckpt = run_dir + "/last.safetensors";
    const Proc r = run({"info", ckpt});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(field(r.out, "step:"), "3") << r.out;
    EXPECT_TRUE(contains(field(r.out, "digest:"), "(verified)")) << r.out;
    EXPECT_TRUE(contains(field(r.out, "tensors:"), "optimiser state")) << r.out;
    EXPECT_EQ(field(r.out, "conditions:"), "key, chords, tempo, density, style (plan and levels)") << r.out;   // a new run's
    const Proc best = run({"info", run_dir + "/best.safetensors", "--json"});
    ASSERT_EQ(best.status, 0) << best.err;
    const auto j = nlohmann::json::parse(best.out);
    EXPECT_EQ(j.at("preset").get<std::string>(), "tiny");
    EXPECT_FALSE(j.at("optimizer_state").get<bool>());   // best holds the judged weights alone
    EXPECT_TRUE(j.at("verified").get<bool>());
    EXPECT_TRUE(j.at("conditions").get<bool>());
    EXPECT_TRUE(j.at("level_style").get<bool>());
    EXPECT_FALSE(j.at("free_plan").get<bool>());

    // export --plan_only_style: the file says which styles reach the levels through the plan alone; a wrong name is one
    // error line, and nothing is written then.
    const std::string shipped = dir + "/shipped.safetensors";
    const Proc ex = run({"export", "--checkpoint", ckpt, "--out", shipped, "--plan_only_style", "jsb", "--fp16"});
    ASSERT_EQ(ex.status, 0) << ex.out << ex.err;
    const Proc shown = run({"info", shipped});
    ASSERT_EQ(shown.status, 0) << shown.err;
    EXPECT_EQ(field(shown.out, "conditions:"), "key, chords, tempo, density, style (plan and levels; by the plan alone: chorale)") << shown.out;
    EXPECT_EQ(field(shown.out, "step:"), "3") << shown.out;
    const Proc again = run({"export", "--checkpoint", shipped, "--out", dir + "/again.safetensors", "--plan_only_style", "folk"});
    ASSERT_EQ(again.status, 0) << again.out << again.err;
    const auto k = nlohmann::json::parse(run({"info", dir + "/again.safetensors", "--json"}).out);
    EXPECT_EQ(k.at("plan_only_styles").get<std::string>(), "chorale,folk");   // the source's kept
    expect_one_error(run({"export", "--checkpoint", ckpt, "--out", dir + "/bad.safetensors", "--plan_only_style", "polka"}), "polka");
    EXPECT_FALSE(fs::exists(dir + "/bad.safetensors"));

    std::string bytes = slurp(ckpt);
    for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 4; ++i) bytes[i] = char(bytes[i] ^ 0x5A);
    const std::string flipped = dir + "/flipped.safetensors";
    std::ofstream(flipped, std::ios::binary) << bytes;
    expect_one_error(run({"info", flipped}), "damaged");
    expect_one_error(run({"generate", "--checkpoint", flipped, "--output_dir", dir + "/gen", "--threads", "1"}), "damaged");
    EXPECT_FALSE(fs::exists(dir + "/gen/sample_000.mid"));
}

// A disk that fills up during training: a 4 MB tmpfs (in a mount namespace of its own, so nothing outside sees it)
// holds the data cache, the first checkpoints and not a second copy of last.safetensors. Training stops with one
// error line that says why and which checkpoint is intact, and that checkpoint loads. Skipped where no mount
// namespace can be made (a container without the privilege).
TEST(Cli, AFullDiskStopsTrainingAndKeepsTheLastCheckpoint) {
    const std::string dir = fmtest::temp_dir("cli");
    const std::string songs = repeated_bar_songs(dir + "/songs");
    const std::string disk = dir + "/disk";
    fs::create_directories(disk);
    const std::string fm = FRACTALMIDI_BIN, run_dir = disk + "/run";
    const std::string script =
        "mount -t tmpfs -o size=4m tmpfs '" + disk + "' || exit 77\n"
        "'" + fm + "' train --train_data '" + songs + "' --val_data '" + songs + "' --output_dir '" + run_dir +
        "' --model tiny --crop_length 64 --train_batch_size 2 --plan_batch 2 --max_steps 200 --eval_every 5"
        " --val_crops 1 --threads 1 --device cpu\n"
        "echo \"train exit $?\" >&2\n"
        "'" + fm + "' info '" + run_dir + "/last.safetensors' --json\n";
    const bool root = ::geteuid() == 0;
    std::vector<std::string> argv = {"/usr/bin/unshare", root ? "--mount" : "--map-root-user", "/bin/sh", "-c", script};
    if (!root) argv.insert(argv.begin() + 2, "--mount");
    if (!fs::exists(argv[0])) GTEST_SKIP() << "no unshare";
    const Proc r = spawn(argv);
    if (r.status == 77 || (r.status != 0 && contains(r.err, "unshare:"))) GTEST_SKIP() << "no mount namespace here: " << r.err;
    const std::vector<std::string> err = lines(r.err);
    ASSERT_GE(err.size(), 2u) << r.err;
    EXPECT_EQ(err.back(), "train exit 1") << r.err;
    const std::string& message = err[err.size() - 2];
    EXPECT_EQ(message.rfind("error: ", 0), 0u) << message;
    EXPECT_TRUE(contains(message, "No space left on device")) << message;
    EXPECT_TRUE(contains(message, "is intact")) << message;
    ASSERT_EQ(r.status, 0) << "the last checkpoint did not load: " << r.out << r.err;
    const std::vector<std::string> out = lines(r.out);   // training's progress, then info's one JSON line
    ASSERT_FALSE(out.empty());
    const auto j = nlohmann::json::parse(out.back());
    EXPECT_TRUE(j.at("verified").get<bool>());
    EXPECT_TRUE(contains(message, "of step " + std::to_string(j.at("step").get<int>()))) << message;
    EXPECT_GT(j.at("step").get<int>(), 0);
    EXPECT_LT(j.at("step").get<int>(), 200);
}

TEST(Cli, BenchPrintsOneJsonObjectPerConfiguration) {
    const Proc r = run({"bench", "--model", "tiny", "--target_width", "32,64", "--train_batch", "2", "--threads", "1", "--json"});
    ASSERT_EQ(r.status, 0) << r.err;
    std::istringstream lines(r.out);
    std::string line;
    std::vector<int> widths;
    while (std::getline(lines, line)) {
        const auto j = nlohmann::json::parse(line);
        widths.push_back(j.at("target_width").get<int>());
        EXPECT_EQ(j.at("batch").get<int>(), 1);
        EXPECT_EQ(j.at("threads").get<int>(), 1);
        const double s = j.at("seconds_per_sample").get<double>();
        EXPECT_GT(s, 0);
        double levels = 0;
        for (const auto& v : j.at("level_seconds")) levels += v.get<double>();
        EXPECT_GT(levels, 0);
        EXPECT_LE(levels, s * 1.05) << "per-level times must add up to no more than the whole";
        EXPECT_GT(j.at("train_ms_per_step").get<double>(), 0);
        EXPECT_GT(j.at("gflops").get<double>(), 0);
        EXPECT_GT(j.at("peak_gflops").get<double>(), 0);
        EXPECT_GT(j.at("peak_rss_mb").get<double>(), 10);
        EXPECT_FALSE(j.at("gate").get<bool>()) << "random weights: gating off unless asked";
    }
    EXPECT_EQ(widths, (std::vector<int>{32, 64}));
    expect_one_error(run({"bench", "--model", "tiny", "--target_width", "30"}), "--target_width");
    expect_one_error(run({"bench", "--model", "huge"}), "huge");
}
TEST(Cli, OutOfRangeGenerationValuesAreOneErrorLine) {
    const std::string dir = fmtest::temp_dir("cli-range");
    expect_one_error(run({"generate", "--output_dir", dir, "--target_width", "0"}), "--target_width");
    expect_one_error(run({"generate", "--output_dir", dir, "--target_width", "-128"}), "--target_width");
    expect_one_error(run({"generate", "--output_dir", dir, "--generation_length", "-4"}), "--generation_length");
    expect_one_error(run({"generate", "--output_dir", dir, "--seed", "-5"}), "--seed");
    expect_one_error(run({"generate", "--output_dir", dir, "--num_samples", "0"}), "--num_samples");
    expect_one_error(run({"eval", "--samples", "0"}), "--samples");
    expect_one_error(run({"eval", "--crops", "-1"}), "--crops");
    EXPECT_TRUE(fs::is_empty(dir)) << "nothing is generated on a refused flag";
}
TEST(Cli, OutOfRangeTrainValuesAreOneErrorLine) {
    const std::string dir = fmtest::temp_dir("cli-train-range");
    auto train = [&](const std::string& flag, const std::string& value) {
        return run({"train", "--train_data", dir + "/songs", "--output_dir", dir + "/run", flag, value});
    };
    expect_one_error(train("--lr", "0"), "--lr");
    expect_one_error(train("--lr", "inf"), "--lr");
    expect_one_error(train("--train_batch_size", "0"), "--train_batch_size");
    expect_one_error(train("--val_fraction", "1"), "--val_fraction");
    expect_one_error(train("--crop_length", "100"), "--crop_length");
    expect_one_error(train("--threads", "-1"), "--threads");
    expect_one_error(train("--ema", "1.5"), "--ema");
    expect_one_error(train("--model", "huge"), "--model");
    expect_one_error(train("--seed", "-5"), "--seed");
    EXPECT_TRUE(fs::is_empty(dir)) << "nothing is read or written on a refused flag";
}
#endif

// jam with a file as the musician: one JSON line per bar the model made, a summary, and the session written.
TEST(Cli, JamReportsEveryBarItMadeAndWritesTheSession) {
    const std::string dir = fmtest::temp_dir("cli");
    const std::string songs = repeated_bar_songs(dir + "/songs");
    const std::string run_dir = tiny_run(songs, dir + "/run", 1);
    ASSERT_FALSE(run_dir.empty());
    const std::string ckpt = run_dir + "/last.safetensors", out = dir + "/jam.mid";
    const Proc r = run({"jam", "--checkpoint", ckpt, "--mode", "answer", "--input", songs + "/bar3.mid", "--call_bars", "1",
                        "--bars", "4", "--tempo", "400", "--threads", "1", "--json", "--out", out});
    ASSERT_EQ(r.status, 0) << r.out << r.err;
    const auto ls = lines(r.out);
    ASSERT_EQ(ls.size(), 3u) << r.out;   // answers at bars 1 and 3, then the summary
    for (int i = 0; i < 2; ++i) {
        const auto j = nlohmann::json::parse(ls[size_t(i)]);
        EXPECT_EQ(j.at("bar").get<int>(), 1 + 2 * i);
        EXPECT_NEAR(j.at("margin_s").get<double>(), j.at("due_s").get<double>() - j.at("ready_s").get<double>(), 1e-9);
        EXPECT_NEAR(j.at("due_s").get<double>(), (2 + 2 * i) * 0.6, 1e-9);   // a bar is 0.6 s at 400 bpm, after a bar of count-in
    }
    const auto s = nlohmann::json::parse(ls[2]);
    for (const char* key : {"worst_margin_s", "p99_margin_s", "degraded", "late_bars", "call_key", "answer_key", "same_key", "same_scale"})
        EXPECT_TRUE(s.contains(key)) << key;
    const fm::MidiRoll back = fm::load_midi(out);
    EXPECT_GT(back.notes.size(), 0u);
    EXPECT_NEAR(back.tempo.front().bpm(), 400.0, 0.01);

    expect_one_error(run({"jam", "--checkpoint", ckpt, "--mode", "solo"}), "solo");
    expect_one_error(run({"jam", "--checkpoint", ckpt, "--mode", "accompany"}), "--input");
    expect_one_error(run({"jam", "--checkpoint", ckpt, "--mode", "endless", "--lookahead", "5"}), "--lookahead");
}

#ifdef FM_HAVE_MODEL
// `train --nproc_per_node 2` starts two ranks of a data-parallel job (rank 0 alone reports and writes); SIGKILL on
// rank 1 in a longer run makes rank 0 stop within the 60 s rank timeout with a message naming rank 1, the command
// exits 1 saying which rank died, and the last checkpoint still loads.
TEST(Cli, NprocPerNodeTrainsAsRanksAndAKilledRankStopsTheRunNamingIt) {
    if (!fs::exists("/proc/self/task")) GTEST_SKIP() << "no /proc";
    const std::string dir = fmtest::temp_dir("cli");
    const std::string songs = repeated_bar_songs(dir + "/songs");
    auto train = [&](const std::string& out, int steps) {
        return std::vector<std::string>{FRACTALMIDI_BIN, "train", "--nproc_per_node", "2", "--train_data", songs, "--val_data", songs,
                                        "--output_dir", out, "--model", "tiny", "--crop_length", "32", "--train_batch_size", "4",
                                        "--plan_batch", "4", "--max_steps", std::to_string(steps), "--eval_every", "2",
                                        "--val_crops", "1", "--threads", "1", "--device", "cpu"};
    };
    const Proc ok = spawn(train(dir + "/short", 4));
    ASSERT_EQ(ok.status, 0) << ok.out << ok.err;
    EXPECT_TRUE(contains(ok.err, "started 2 ranks")) << ok.err;
    int step_lines = 0;
    for (const std::string& line : lines(ok.out)) step_lines += line.rfind("step ", 0) == 0;
    EXPECT_EQ(step_lines, 4) << ok.out;   // rank 0's lines only
    const Proc info = run({"info", dir + "/short/last.safetensors", "--json"});
    ASSERT_EQ(info.status, 0) << info.err;
    EXPECT_EQ(nlohmann::json::parse(lines(info.out).back()).at("step").get<int>(), 4);

    const std::string long_run = dir + "/long";
    const Started launcher = start(train(long_run, 100000));
    ASSERT_NE(launcher.pid, 0);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline && lines(slurp(long_run + "/metrics.jsonl")).size() < 3)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));   // step 2's checkpoint is written by then
    // Rank 1: the launcher's child whose environment says RANK=1.
    pid_t rank1 = 0;
    std::stringstream children(slurp("/proc/" + std::to_string(launcher.pid) + "/task/" + std::to_string(launcher.pid) + "/children"));
    for (pid_t c; children >> c;) {
        const std::string env = slurp("/proc/" + std::to_string(c) + "/environ");
        if (env.find(std::string("\0RANK=1\0", 8)) != std::string::npos || env.rfind(std::string("RANK=1\0", 7), 0) == 0) rank1 = c;
    }
    if (rank1 == 0) {
        ::kill(launcher.pid, SIGKILL);
        collect(launcher);
        FAIL() << "no rank 1 among the launcher's children; metrics: " << slurp(long_run + "/metrics.jsonl");
    }
    ::kill(rank1, SIGKILL);
    const auto t0 = std::chrono::steady_clock::now();
    const Proc r = collect(launcher);
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::fprintf(stderr, "a killed rank stopped the run in %.2f s\n", took);
    EXPECT_LT(took, 60.0);
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_TRUE(contains(r.err, "rank 0 of 2:") && contains(r.err, "failed: rank 1")) << r.err;   // rank 0's own message
    const std::vector<std::string> err = lines(r.err);
    ASSERT_FALSE(err.empty());
    EXPECT_EQ(err.back(), "error: training stopped: rank 1 of 2 was ended by signal 9 (Killed)") << r.err;
    const Proc last = run({"info", long_run + "/last.safetensors", "--json"});
    ASSERT_EQ(last.status, 0) << "the last checkpoint does not load: " << last.err;
    EXPECT_GE(nlohmann::json::parse(lines(last.out).back()).at("step").get<int>(), 2);
}
#endif

#ifdef FM_HAVE_MODEL
// A multi-track model from the command line: train --tracks names the model's tracks, generate --keep_tracks melody
// writes the pad around the input's melody (kept note for note) into a file with a named track each, eval-tracks
// measures it, and the track flags are refused where they cannot apply.
TEST(Cli, AMultiTrackModelWritesTheOtherTracksAroundAKeptMelody) {
    const std::string dir = fmtest::temp_dir("cli");
    const std::string songs = dir + "/songs";
    fs::create_directories(songs);
    fmtest::write_lead_pad_songs(songs, 110);
    const std::string run_dir = dir + "/run";
    const Proc t = run({"train", "--train_data", songs, "--output_dir", run_dir, "--model", "tiny", "--crop_length", "64",
                        "--train_batch_size", "2", "--plan_batch", "2", "--max_steps", "3", "--eval_every", "3", "--val_crops", "1",
                        "--threads", "1", "--device", "cpu", "--tracks", "Lead=melody,Pad=pad"});
    ASSERT_EQ(t.status, 0) << t.err;
    const std::string ckpt = run_dir + "/last.safetensors";
    const Proc info = run({"info", ckpt});
    EXPECT_TRUE(contains(info.out, "tracks:         melody, pad")) << info.out;
    const Proc g = run({"generate", "--checkpoint", ckpt, "--input_midi", songs + "/song2.mid", "--track_map", "Lead=melody,Pad=pad",
                        "--keep_tracks", "melody", "--output_dir", dir + "/out", "--target_width", "64", "--seed", "4", "--threads", "1"});
    ASSERT_EQ(g.status, 0) << g.err;
    EXPECT_TRUE(contains(g.out, "melody 16, pad ")) << g.out;
    EXPECT_TRUE(contains(g.err, "key from the kept tracks: ")) << g.err;   // the pad is asked for the melody's key
    const fm::TrackRolls made = fm::load_midi_tracks(dir + "/out/sample_000.mid", fm::parse_track_map("melody=melody,pad=pad"));
    const fm::TrackRolls source = fm::load_midi_tracks(songs + "/song2.mid", fm::parse_track_map("Lead=melody,Pad=pad"));
    ASSERT_EQ(made.tracks.size(), 2u);
    EXPECT_EQ(made.tracks[0], fm::crop(source.tracks[0], 0, 64)) << "the kept melody changed";

    const Proc e = run({"eval-tracks", "--checkpoint", ckpt, "--reference", songs, "--track_map", "Lead=melody,Pad=pad", "--keep", "melody",
                        "--samples", "3", "--threads", "1", "--json"});
    ASSERT_EQ(e.status, 0) << e.err;
    const auto ej = nlohmann::json::parse(lines(e.out).back());
    EXPECT_EQ(ej.at("samples"), 3);
    EXPECT_EQ(ej.at("kept_unchanged"), 3);
    EXPECT_TRUE(ej.at("tracks").contains("pad"));
    expect_one_error(run({"eval-tracks", "--checkpoint", ckpt, "--reference", songs, "--track_map", "Lead=melody,Pad=pad", "--keep", "melody,pad"}),
                     "--keep");
    expect_final_error(run({"generate", "--checkpoint", ckpt, "--input_midi", songs + "/song2.mid", "--keep_tracks", "drums",
                          "--output_dir", dir + "/x"}), "no track 'drums'");
    expect_final_error(run({"generate", "--checkpoint", ckpt, "--input_midi", songs + "/song2.mid", "--keep_tracks", "melody",
                          "--tracks", "pad", "--output_dir", dir + "/x"}), "not both");
    const std::string one = tiny_run(repeated_bar_songs(dir + "/plain"), dir + "/one", 1);
    expect_final_error(run({"generate", "--checkpoint", one + "/last.safetensors", "--keep_tracks", "melody", "--output_dir", dir + "/x"}),
                     "multi-track");
}

// The shipped multi-track model: --keep_tracks without a checkpoint takes it, and writes bridge and piano around a
// POP909 song's melody, the melody unchanged and only the 88 keys played.
TEST(Cli, KeepTracksWithoutACheckpointUsesTheShippedMultiTrackModel) {
    const std::string song = fmtest::shared_data_dir() + "/pop909/001.mid";
    if (fm::default_tracks_model_path().empty() || !fs::exists(song)) GTEST_SKIP() << "no shipped multi-track model or no POP909";
    const std::string dir = fmtest::temp_dir("cli");
    const Proc g = run({"generate", "--input_midi", song, "--keep_tracks", "melody", "--offset", "128", "--output_dir", dir + "/out",
                        "--seed", "3", "--threads", "1"});
    ASSERT_EQ(g.status, 0) << g.err;
    EXPECT_TRUE(contains(g.err, "default multi-track model")) << g.err;
    const fm::TrackRolls made = fm::load_midi_tracks(dir + "/out/sample_000.mid", fm::parse_track_map("melody=melody,bridge=bridge,piano=piano"));
    const fm::TrackRolls source = fm::load_midi_tracks(song, fm::parse_track_map("pop909"));
    ASSERT_EQ(made.tracks.size(), 3u);
    EXPECT_EQ(made.tracks[0], fm::crop(source.tracks[0], 128, 128)) << "the kept melody changed";
    EXPECT_GT(fm::count_notes(made.tracks[2]), 0) << "no piano written";
    for (size_t k = 1; k < 3; ++k)
        for (const fm::StepNote& n : fm::roll_to_notes(made.tracks[k])) ASSERT_TRUE(n.pitch >= 21 && n.pitch <= 108) << n.pitch;

    // One track inpainted on its own: the piano's bars 3-4 rewritten, everything else as the song has it.
    const Proc i = run({"generate", "--input_midi", song, "--tracks", "piano", "--mode", "inpainting", "--mask_start", "32", "--mask_end", "64",
                        "--offset", "128", "--output_dir", dir + "/inpaint", "--seed", "3", "--threads", "1"});
    ASSERT_EQ(i.status, 0) << i.err;
    const fm::TrackRolls in = fm::load_midi_tracks(dir + "/inpaint/sample_000.mid", fm::parse_track_map("melody=melody,bridge=bridge,piano=piano"));
    ASSERT_EQ(in.tracks.size(), 3u);
    EXPECT_EQ(in.tracks[0], fm::crop(source.tracks[0], 128, 128));
    EXPECT_EQ(in.tracks[1], fm::crop(source.tracks[1], 128, 128));
    const fm::Roll piano = fm::crop(source.tracks[2], 128, 128);
    for (int p = 0; p < fm::kPitches; ++p)
        for (int t = 0; t < 128; ++t)
            if (t < 31 || t > 64) {
                ASSERT_EQ(in.tracks[2].at(p, t) > 0, piano.at(p, t) > 0) << "piano " << p << "@" << t << " outside the rectangle";
            }
    expect_final_error(run({"generate", "--input_midi", song, "--tracks", "piano", "--mode", "inpainting", "--output_dir", dir + "/x"}),
                       "--mask_start");
}
#endif

