#include "test_support.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <mutex>

namespace fs = std::filesystem;

bool fmtest_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

namespace fmtest {

std::string shared_data_dir() {
    const char* env = std::getenv("FRACTALMIDI_DATA");
    std::string dir = env && *env ? env : FM_SHARED_DATA;
    return fmtest_exists(dir) ? fs::weakly_canonical(dir).string() : std::string();
}

namespace {
std::vector<std::string>& dirs_to_remove() {
    static std::vector<std::string> dirs;
    static bool registered = false;
    if (!registered) {
        registered = true;
        std::atexit([] {
            for (const auto& d : dirs_to_remove()) {
                std::error_code ec;
                fs::remove_all(d, ec);
            }
        });
    }
    return dirs;
}
}  // namespace

std::string temp_dir(const std::string& tag) {
    static std::mutex m;
    std::lock_guard<std::mutex> lock(m);
    std::string tmpl = (fs::temp_directory_path() / ("fmtest-" + tag + "-XXXXXX")).string();
    char* made = ::mkdtemp(tmpl.data());
    if (!made) throw std::runtime_error("mkdtemp failed");
    dirs_to_remove().push_back(made);
    return made;
}

TrackBuilder& TrackBuilder::note_on(int64_t tick, int pitch, int velocity, int channel) {
    fm::SmfEvent e;
    e.tick = tick, e.status = uint8_t(0x90 | channel), e.data1 = uint8_t(pitch), e.data2 = uint8_t(velocity);
    track.events.push_back(e);
    return *this;
}

TrackBuilder& TrackBuilder::note_off(int64_t tick, int pitch, int channel) {
    fm::SmfEvent e;
    e.tick = tick, e.status = uint8_t(0x80 | channel), e.data1 = uint8_t(pitch), e.data2 = 64;
    track.events.push_back(e);
    return *this;
}

TrackBuilder& TrackBuilder::note(int64_t start, int64_t end, int pitch, int velocity, int channel) {
    note_on(start, pitch, velocity, channel);
    return note_off(end, pitch, channel);
}

TrackBuilder& TrackBuilder::key_signature(int64_t tick, int sharps, bool minor) {
    fm::SmfEvent e;
    e.tick = tick, e.status = 0xFF, e.data1 = 0x59;
    e.payload = {uint8_t(int8_t(sharps)), uint8_t(minor ? 1 : 0)};
    track.events.push_back(e);
    return *this;
}

TrackBuilder& TrackBuilder::name(const std::string& text) {
    fm::SmfEvent e;
    e.tick = 0, e.status = 0xFF, e.data1 = 0x03;
    e.payload.assign(text.begin(), text.end());
    track.events.push_back(e);
    return *this;
}

TrackBuilder& TrackBuilder::program(int64_t tick, int program, int channel) {
    fm::SmfEvent e;
    e.tick = tick, e.status = uint8_t(0xC0 | channel), e.data1 = uint8_t(program);
    track.events.push_back(e);
    return *this;
}

TrackBuilder& TrackBuilder::tempo(int64_t tick, double bpm) {
    const auto us = uint32_t(std::lround(60e6 / bpm));
    fm::SmfEvent e;
    e.tick = tick, e.status = 0xFF, e.data1 = 0x51;
    e.payload = {uint8_t(us >> 16), uint8_t(us >> 8), uint8_t(us)};
    track.events.push_back(e);
    return *this;
}

TrackBuilder& TrackBuilder::end(int64_t tick) {
    track.end_tick = tick;
    return *this;
}

fm::SmfTrack TrackBuilder::build() {
    fm::SmfTrack t = track;
    std::stable_sort(t.events.begin(), t.events.end(), [](const fm::SmfEvent& a, const fm::SmfEvent& b) {
        if (a.tick != b.tick) return a.tick < b.tick;
        return a.is_note_off() && !b.is_note_off();
    });
    if (!t.events.empty()) t.end_tick = std::max(t.end_tick, t.events.back().tick);
    return t;
}

void write_lead_pad_songs(const std::string& dir, double bpm) {
    for (int f = 0; f < 4; ++f) {
        TrackBuilder meta, lead, pad;
        meta.tempo(0, bpm).end(64 * 120);
        lead.name("Lead");
        for (int i = 0; i < 16; ++i) lead.note(i * 480, i * 480 + 360, 67 + (i * (f + 2)) % 9, 90, 0);
        pad.name("Pad");
        for (int bar = 0; bar < 4; ++bar)
            for (int p : {48, 52, 55}) pad.note(bar * 1920, bar * 1920 + 1800, p + (bar + f) % 3, 60, 1);
        write_midi(dir, "song" + std::to_string(f) + ".mid", make_smf(1, 480, {meta.build(), lead.build(), pad.build()}));
    }
}

fm::SmfFile make_smf(int format, int ticks_per_quarter, std::vector<fm::SmfTrack> tracks) {
    fm::SmfFile smf;
    smf.format = format;
    smf.ticks_per_quarter = ticks_per_quarter;
    smf.tracks = std::move(tracks);
    return smf;
}

std::string write_midi(const std::string& dir, const std::string& name, const fm::SmfFile& smf) {
    const std::string path = dir + "/" + name;
    fm::write_smf_file(path, smf);
    return path;
}

}  // namespace fmtest
