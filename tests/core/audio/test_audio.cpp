// fm_audio: roll events, soundfont lookup, FluidSynth rendering and WAV files, MIDI out without a MIDI system,
// and the real-time player (counts and order; timing bounds only generous ones).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "core/audio/events.h"
#include "core/audio/midi_out.h"
#include "core/audio/player.h"
#include "core/audio/soundfont.h"
#include "core/audio/synth.h"
#include "core/error.h"
#include "core/file_io.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using fm::MidiEvent;
using Clock = std::chrono::steady_clock;

namespace {

MidiEvent on(double s, int pitch, int velocity, int step = 0) { return {s, 0x90, uint8_t(pitch), uint8_t(velocity), step}; }
MidiEvent off(double s, int pitch, int step = 0) { return {s, 0x80, uint8_t(pitch), 0, step}; }

// FRACTALMIDI_SOUNDFONT unset for the scope (the lookup tests must not depend on the caller's environment).
struct NoSoundfontEnv {
    std::string saved;
    bool had = false;
    NoSoundfontEnv() {
        if (const char* v = std::getenv("FRACTALMIDI_SOUNDFONT")) had = true, saved = v;
        ::unsetenv("FRACTALMIDI_SOUNDFONT");
    }
    ~NoSoundfontEnv() {
        if (had) ::setenv("FRACTALMIDI_SOUNDFONT", saved.c_str(), 1);
    }
};

std::string system_soundfont() {
    NoSoundfontEnv env;
    return fm::find_soundfont();
}

#define REQUIRE_SOUNDFONT()                                                                                    \
    const std::string sf2 = system_soundfont();                                                                \
    if (sf2.empty()) GTEST_SKIP() << "no .sf2 soundfont installed (apt install timgm6mb-soundfont)"

double rms(const std::vector<float>& x) {
    double sum = 0;
    for (float v : x) sum += double(v) * v;
    return x.empty() ? 0 : std::sqrt(sum / double(x.size()));
}

// A C major chord, one second at 120 bpm (8 steps), then silence to step 16.
fm::Roll chord_roll() {
    fm::Roll roll(16);
    for (int p : {60, 64, 67})
        for (int t = 0; t < 8; ++t) roll.at(p, t) = fm::velocity_to_value(100);
    return roll;
}

uint32_t u32(const std::vector<uint8_t>& b, size_t at) {
    return uint32_t(b[at]) | uint32_t(b[at + 1]) << 8 | uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 3]) << 24;
}
uint16_t u16(const std::vector<uint8_t>& b, size_t at) { return uint16_t(b[at] | b[at + 1] << 8); }

// Records what a Player sends, from the player's thread.
struct Recorder {
    std::mutex mutex;
    std::vector<MidiEvent> events;
    std::vector<Clock::time_point> times;
    fm::Player::Sink sink() {
        return [this](const MidiEvent& e) {
            std::lock_guard<std::mutex> lock(mutex);
            events.push_back(e);
            times.push_back(Clock::now());
        };
    }
    size_t count(uint8_t status) {
        std::lock_guard<std::mutex> lock(mutex);
        size_t n = 0;
        for (const MidiEvent& e : events) n += e.status == status;
        return n;
    }
    size_t size() {
        std::lock_guard<std::mutex> lock(mutex);
        return events.size();
    }
};

// Polls `done` every 5 ms for up to `seconds`; true when it came true.
template <class F>
bool wait_for(F done, double seconds = 5.0) {
    const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(int(seconds * 1000));
    while (!done()) {
        if (Clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

}  // namespace

// ---- events ----

TEST(RollEvents, NotesFollowTheExportRule) {
    fm::Roll roll(16);
    for (int t = 0; t < 4; ++t) roll.at(60, t) = fm::velocity_to_value(100);   // C4 steps 0-3
    for (int t = 2; t < 6; ++t) roll.at(64, t) = fm::velocity_to_value(80);    // E4 steps 2-5 ...
    for (int t = 6; t < 8; ++t) roll.at(64, t) = fm::velocity_to_value(90);    // ... then a new value: a new note
    for (int t = 4; t < 5; ++t) roll.at(67, t) = fm::velocity_to_value(127);   // G4 starts where C4 ends
    roll.at(70, 9) = fm::kUnknown;                                              // unknown plays as silence

    const std::vector<MidiEvent> ev = fm::roll_events(roll, 120.0);   // 0.125 s per step
    const std::vector<MidiEvent> want = {
        on(0.0, 60, 100, 0), on(0.25, 64, 80, 2), off(0.5, 60, 4), on(0.5, 67, 127, 4), off(0.625, 67, 5),
        off(0.75, 64, 6),    on(0.75, 64, 90, 6), off(1.0, 64, 8),
    };
    ASSERT_EQ(ev.size(), want.size());
    for (size_t i = 0; i < ev.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_DOUBLE_EQ(ev[i].seconds, want[i].seconds);
        EXPECT_EQ(ev[i].status, want[i].status);
        EXPECT_EQ(ev[i].data1, want[i].data1);
        EXPECT_EQ(ev[i].data2, want[i].data2);
        EXPECT_EQ(ev[i].step, want[i].step);
    }
}

TEST(RollEvents, TempoScalesTimesAndMustBePositive) {
    fm::Roll roll(8);
    roll.at(60, 4) = 0.5f;
    EXPECT_DOUBLE_EQ(fm::step_seconds(60.0), 0.25);
    EXPECT_DOUBLE_EQ(fm::roll_events(roll, 60.0).at(0).seconds, 1.0);
    EXPECT_EQ(fm::roll_events(roll, 60.0).at(0).data2, 64);   // round(0.5 * 127)
    EXPECT_THROW(fm::roll_events(roll, 0.0), fm::Error);
    EXPECT_THROW(fm::roll_events(roll, -120.0), fm::Error);
    EXPECT_THROW(fm::roll_events(roll, std::nan("")), fm::Error);
    EXPECT_TRUE(fm::roll_events(fm::Roll(8), 120.0).empty());
}

// ---- soundfont lookup ----

TEST(Soundfont, FindsAnInstalledGeneralMidiSoundfont) {
    const std::string sf2 = system_soundfont();
    if (sf2.empty()) GTEST_SKIP() << "no .sf2 soundfont installed (apt install timgm6mb-soundfont)";
    const bool fluid_r3 = fmtest_exists("/usr/share/sounds/sf2/FluidR3_GM.sf2");
    if (!fluid_r3 && fmtest_exists("/usr/share/sounds/sf2/TimGM6mb.sf2")) {
        EXPECT_EQ(sf2, "/usr/share/sounds/sf2/TimGM6mb.sf2");
    }
    EXPECT_EQ(sf2.substr(sf2.size() - 4), ".sf2");
}

TEST(Soundfont, HonoursPreferredThenTheEnvironment) {
    NoSoundfontEnv env;
    const std::string dir = fmtest::temp_dir("sf2");
    const std::string mine = dir + "/mine.sf2", theirs = dir + "/theirs.sf2";
    std::ofstream(mine) << "x";
    std::ofstream(theirs) << "x";
    EXPECT_EQ(fm::find_soundfont(mine), mine);
    EXPECT_EQ(fm::find_soundfont(dir + "/missing.sf2"), fm::find_soundfont());   // unreadable: the usual lookup
    EXPECT_EQ(fm::find_soundfont(dir), fm::find_soundfont());                    // a folder is not a soundfont
    ::setenv("FRACTALMIDI_SOUNDFONT", theirs.c_str(), 1);
    EXPECT_EQ(fm::find_soundfont(), theirs);
    EXPECT_EQ(fm::find_soundfont(mine), mine);
}

// ---- synth ----

TEST(Synth, RendersNotesAudiblyAndAnEmptyRollAsSilence) {
    REQUIRE_SOUNDFONT();
    fm::Synth synth(sf2);
    EXPECT_NEAR(synth.gain(), 0.6, 1e-6);
    EXPECT_EQ(synth.soundfont(), sf2);

    const std::vector<float> sound = synth.render(fm::roll_events(chord_roll(), 120.0), 0.5);
    EXPECT_EQ(sound.size(), size_t(2 * std::llround(1.5 * 44100)));   // last event at 1 s + 0.5 s tail, stereo
    EXPECT_GT(rms(sound), 0.01);

    const std::vector<float> silence = synth.render(fm::roll_events(fm::Roll(16), 120.0), 1.0);
    EXPECT_EQ(silence.size(), size_t(2 * 44100));
    EXPECT_LT(rms(silence), 1e-4);   // silence: FluidSynth's reverb keeps a faint (< -80 dB) tail of the chord
}

TEST(Synth, ANoteSoundsAtItsTime) {
    REQUIRE_SOUNDFONT();
    fm::Synth synth(sf2);
    const std::vector<float> x = synth.render({on(0.5, 60, 110), off(0.8, 60)}, 0.2);
    size_t first = x.size();
    for (size_t i = 0; i < x.size(); ++i)
        if (std::fabs(x[i]) > 1e-4f) { first = i / 2; break; }
    EXPECT_GE(first, 22050u - 32);     // nothing before the note-on (FluidSynth starts notes on 64-frame blocks)
    EXPECT_LT(first, 22050u + 1024u);  // and sound within a few ms of it
}

TEST(Synth, RenderWavWritesA16BitStereoWav) {
    REQUIRE_SOUNDFONT();
    fm::Synth synth(sf2);
    const std::string path = fmtest::temp_dir("wav") + "/chord.wav";
    synth.render_wav(fm::roll_events(chord_roll(), 120.0), path);

    const std::vector<uint8_t> b = fm::read_file_bytes(path);
    ASSERT_GE(b.size(), 44u);
    const uint32_t frames = uint32_t(std::llround((1.0 + 1.0) * 44100));   // last event at 1 s + the 1 s tail
    EXPECT_EQ(std::memcmp(b.data(), "RIFF", 4), 0);
    EXPECT_EQ(u32(b, 4), b.size() - 8);
    EXPECT_EQ(std::memcmp(b.data() + 8, "WAVEfmt ", 8), 0);
    EXPECT_EQ(u32(b, 16), 16u);
    EXPECT_EQ(u16(b, 20), 1);       // PCM
    EXPECT_EQ(u16(b, 22), 2);       // channels
    EXPECT_EQ(u32(b, 24), 44100u);  // sample rate
    EXPECT_EQ(u32(b, 28), 44100u * 4);
    EXPECT_EQ(u16(b, 32), 4);       // block align
    EXPECT_EQ(u16(b, 34), 16);      // bits
    EXPECT_EQ(std::memcmp(b.data() + 36, "data", 4), 0);
    EXPECT_EQ(u32(b, 40), frames * 4);
    EXPECT_EQ(b.size(), 44u + frames * 4);
    int peak = 0;
    for (size_t i = 44; i + 1 < b.size(); i += 2) peak = std::max(peak, std::abs(int(int16_t(u16(b, i)))));
    EXPECT_GT(peak, 1000);
}

TEST(Synth, RenderWavIntoAMissingFolderThrowsAndLeavesNothing) {
    REQUIRE_SOUNDFONT();
    fm::Synth synth(sf2, 22050);
    const std::string dir = fmtest::temp_dir("wavmissing");
    EXPECT_THROW(synth.render_wav(fm::roll_events(chord_roll(), 120.0), dir + "/no/such/folder/out.wav"), fm::Error);
    EXPECT_TRUE(fs::is_empty(dir));
    EXPECT_GT(rms(synth.render(fm::roll_events(chord_roll(), 120.0), 0.1)), 0.01);   // still usable
}

TEST(Synth, MissingOrCorruptSoundfontIsAnError) {
    const std::string dir = fmtest::temp_dir("badsf2");
    try {
        fm::Synth synth(dir + "/none.sf2");
        FAIL() << "a missing soundfont was accepted";
    } catch (const fm::Error& e) {
        EXPECT_EQ(e.file(), dir + "/none.sf2");
        EXPECT_NE(std::string(e.what()).find("fluid-soundfont-gm"), std::string::npos) << e.what();
    }
    const std::string bad = dir + "/bad.sf2";
    std::ofstream(bad) << "RIFF this is not a soundfont at all";
    std::vector<std::string> corrupt = {bad};
    if (const std::string sf2 = system_soundfont(); !sf2.empty()) {   // a real soundfont cut short
        const std::vector<uint8_t> bytes = fm::read_file_bytes(sf2);
        fm::write_file_atomic(dir + "/cut.sf2", bytes.data(), std::min<size_t>(bytes.size(), 5000));
        corrupt.push_back(dir + "/cut.sf2");
    }
    for (const std::string& path : corrupt) {
        try {
            fm::Synth synth(path);
            ADD_FAILURE() << "a corrupt soundfont was accepted: " << path;
        } catch (const fm::Error& e) {
            EXPECT_EQ(e.file(), path);
        }
    }
    EXPECT_THROW(fm::Synth{""}, fm::Error);
    EXPECT_THROW(fm::Synth{dir}, fm::Error);   // a folder
}

TEST(Synth, NoAudioDeviceIsAnErrorAndRenderingStillWorks) {
    REQUIRE_SOUNDFONT();
    if (fmtest_exists("/dev/snd")) GTEST_SKIP() << "this machine has sound devices (/dev/snd)";
    fm::Synth synth(sf2);
    try {
        synth.start_audio("alsa");
        FAIL() << "ALSA audio started without /dev/snd";
    } catch (const fm::Error& e) {
        EXPECT_EQ(std::string(e.what()).rfind("no audio output: ", 0), 0u) << e.what();
    }
    EXPECT_FALSE(synth.audio_running());
    try {   // every driver in turn (a sound server without /dev/snd may answer)
        synth.start_audio();
        EXPECT_TRUE(synth.audio_running());
        synth.stop_audio();
    } catch (const fm::Error& e) {
        EXPECT_NE(std::string(e.what()).find("alsa: no sound device"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(synth.audio_running());
    EXPECT_GT(rms(synth.render(fm::roll_events(chord_roll(), 120.0), 0.1)), 0.01);
}

// ---- MIDI out ----

TEST(MidiOut, WithoutASequencerThereAreNoPortsAndAReason) {
    if (fmtest_exists("/dev/snd/seq")) GTEST_SKIP() << "this machine has an ALSA sequencer (/dev/snd/seq)";
    std::string why;
    EXPECT_TRUE(fm::MidiOut::ports(&why).empty());
    EXPECT_NE(why.find("/dev/snd/seq"), std::string::npos) << why;
    why.clear();
    EXPECT_FALSE(fm::MidiOut::virtual_ports_supported(&why));
    EXPECT_FALSE(why.empty());

    fm::MidiOut out;
    EXPECT_THROW(out.open_virtual("FractalMIDI test"), fm::Error);
    EXPECT_THROW(out.open(0), fm::Error);
    EXPECT_FALSE(out.is_open());
    EXPECT_EQ(out.port_name(), "");
    out.send(on(0, 60, 100));   // closed: no-ops
    out.all_notes_off();
    out.close();
}

// ---- player ----

TEST(Player, PlaysEveryEventInOrder) {
    std::vector<MidiEvent> ev;
    for (int i = 0; i < 4; ++i) {
        ev.push_back(on(0.05 * i, 60 + i, 100, 2 * i));
        ev.push_back(off(0.05 * i + 0.04, 60 + i, 2 * i + 1));
    }
    std::sort(ev.begin(), ev.end(), [](const MidiEvent& a, const MidiEvent& b) { return a.seconds < b.seconds; });
    Recorder rec;
    fm::Player player;
    const Clock::time_point t0 = Clock::now();
    player.play(ev, rec.sink());
    EXPECT_TRUE(player.playing());
    ASSERT_TRUE(wait_for([&] { return !player.playing(); }));
    const double took = std::chrono::duration<double>(Clock::now() - t0).count();

    ASSERT_EQ(rec.events.size(), ev.size());
    for (size_t i = 0; i < ev.size(); ++i) {
        EXPECT_EQ(rec.events[i].status, ev[i].status) << i;
        EXPECT_EQ(rec.events[i].data1, ev[i].data1) << i;
        EXPECT_EQ(rec.events[i].step, ev[i].step) << i;
    }
    const double span = std::chrono::duration<double>(rec.times.back() - rec.times.front()).count();
    EXPECT_GE(span, 0.15);   // the clock is never early: 0.19 s between the first and last event
    EXPECT_LT(took, 3.0);
    EXPECT_EQ(player.position_step(), -1);
    EXPECT_EQ(player.position_seconds(), -1);
}

TEST(Player, StopSendsNoteOffsForSoundingNotes) {
    Recorder rec;
    fm::Player player;
    player.play({on(0, 60, 100, 0), on(0.01, 64, 90, 1), off(0.02, 64, 2), on(0.03, 67, 80, 3), off(30, 60, 99), off(30, 67, 99)},
                rec.sink());
    ASSERT_TRUE(wait_for([&] { return rec.size() >= 4; }));
    EXPECT_TRUE(player.playing());
    EXPECT_GE(player.position_step(), 3);
    const Clock::time_point t0 = Clock::now();
    player.stop();
    EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 2.0);   // no waiting for the 30 s event
    EXPECT_FALSE(player.playing());
    EXPECT_EQ(player.position_step(), -1);

    ASSERT_EQ(rec.events.size(), 6u);
    std::vector<int> released;
    for (size_t i = 4; i < 6; ++i) {
        EXPECT_EQ(rec.events[i].status, 0x80);
        released.push_back(rec.events[i].data1);
    }
    std::sort(released.begin(), released.end());
    EXPECT_EQ(released, (std::vector<int>{60, 67}));   // 64 had already ended
}

TEST(Player, LoopRepeatsUntilStopped) {
    Recorder rec;
    fm::Player player;
    player.play({on(0, 60, 100), off(0.02, 60)}, rec.sink(), /*loop=*/true, 0, /*end=*/0.04);
    ASSERT_TRUE(wait_for([&] { return rec.count(0x90) >= 3; }));
    player.stop();
    EXPECT_GE(rec.count(0x90), 3u);
    EXPECT_EQ(rec.count(0x80), rec.count(0x90));   // every strike released, the last one by stop()
    for (size_t i = 0; i < rec.events.size(); ++i) EXPECT_EQ(rec.events[i].status, i % 2 ? 0x80 : 0x90) << i;
}

TEST(Player, PlaysOnlyTheStartEndRange) {
    Recorder rec;
    fm::Player player;
    // 60 sounds across `start` (its note-off is dropped), 62 and 64 are inside, 65 starts at `end`, 67 after it.
    player.play({on(0, 60, 100), on(0.05, 62, 100), off(0.06, 62), on(0.07, 64, 100), off(0.08, 60), off(0.1, 64),
                 on(0.1, 65, 100), off(0.2, 65), on(0.3, 67, 100), off(0.4, 67)},
                rec.sink(), false, 0.04, 0.1);
    ASSERT_TRUE(wait_for([&] { return !player.playing(); }));
    std::vector<std::pair<int, int>> got;
    for (const MidiEvent& e : rec.events) got.push_back({e.status, e.data1});
    EXPECT_EQ(got, (std::vector<std::pair<int, int>>{{0x90, 62}, {0x80, 62}, {0x90, 64}, {0x80, 64}}));
}

TEST(Player, PositionAdvancesBetweenEvents) {
    Recorder rec;
    fm::Player player;
    EXPECT_EQ(player.position_seconds(), -1);
    player.play({on(0, 60, 100, 0), off(20, 60, 160)}, rec.sink());
    ASSERT_TRUE(wait_for([&] { return rec.size() >= 1; }));
    const double a = player.position_seconds();
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    const double b = player.position_seconds();
    EXPECT_GE(a, 0.0);
    EXPECT_GT(b, a);
    EXPECT_LT(b, 20.0);
    EXPECT_EQ(player.position_step(), 0);
}

TEST(Player, DestructorStopsAndReleases) {
    Recorder rec;
    {
        fm::Player player;
        player.play({on(0, 60, 100), off(30, 60)}, rec.sink());
        ASSERT_TRUE(wait_for([&] { return rec.size() >= 1; }));
    }
    ASSERT_EQ(rec.events.size(), 2u);
    EXPECT_EQ(rec.events[1].status, 0x80);
    EXPECT_EQ(rec.events[1].data1, 60);
}
