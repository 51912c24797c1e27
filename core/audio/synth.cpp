#include "core/audio/synth.h"

#include <fluidsynth.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>

#include "core/error.h"
#include "core/file_io.h"
#include "core/log.h"

namespace fm {

namespace {

constexpr int kFluidBlock = 64;       // FluidSynth's internal block (FLUID_BUFSIZE)
constexpr int kBlockFrames = 4096;    // frames per fluid_synth_write_float call, a multiple of kFluidBlock
constexpr const char* kInstallHint = "install fluid-soundfont-gm (or timgm6mb-soundfont) or choose a .sf2 file";

// FluidSynth's errors during one call on this thread are collected here (to become the fm::Error's reason)
// instead of being logged as errors.
thread_local std::string* t_fluid_errors = nullptr;

struct FluidErrorCapture {
    std::string text;
    std::string* previous;
    FluidErrorCapture() : previous(t_fluid_errors) { t_fluid_errors = &text; }
    ~FluidErrorCapture() { t_fluid_errors = previous; }
    std::string reason(const std::string& fallback) const { return text.empty() ? fallback : text; }
};

void fluid_log_to_fm(int level, const char* message, void*) {
    const std::string text = message ? message : "";
    if (level <= FLUID_ERR && t_fluid_errors) {
        if (!t_fluid_errors->empty()) *t_fluid_errors += "; ";
        *t_fluid_errors += text;
        log_message(LogLevel::debug, "fluidsynth: " + text);
        return;
    }
    const LogLevel l = level <= FLUID_ERR ? LogLevel::error : level == FLUID_WARN ? LogLevel::warning : LogLevel::debug;
    log_message(l, "fluidsynth: " + text);
}

// FluidSynth prints to stderr by default; the library never prints, so its log goes to fm's sink.
void route_fluid_logs() {
    static std::once_flag once;
    std::call_once(once, [] {
        for (int level = FLUID_PANIC; level <= FLUID_DBG; ++level) fluid_set_log_function(level, fluid_log_to_fm, nullptr);
    });
}

// "" when `path` starts like a whole SoundFont (RIFF "sfbk", or "DLS "), else what is wrong. Checked before
// FluidSynth sees the file: its DLS fallback (libinstpatch) prints GLib criticals on other or cut files.
std::string soundfont_header_problem(const std::string& path) {
    unsigned char head[12] = {};
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return "cannot open it";
    const size_t n = std::fread(head, 1, sizeof head, f);
    std::fseek(f, 0, SEEK_END);
    const long size = std::ftell(f);
    std::fclose(f);
    if (n < sizeof head || std::memcmp(head, "RIFF", 4) != 0 ||
        (std::memcmp(head + 8, "sfbk", 4) != 0 && std::memcmp(head + 8, "DLS ", 4) != 0))
        return "not a SoundFont file (no RIFF sfbk header)";
    const uint64_t riff = 8 + (uint64_t(head[4]) | uint64_t(head[5]) << 8 | uint64_t(head[6]) << 16 | uint64_t(head[7]) << 24);
    if (size >= 0 && uint64_t(size) < riff)
        return "the file is cut short (" + std::to_string(size) + " of " + std::to_string(riff) + " bytes)";
    return "";
}

void put_u16(std::vector<uint8_t>& b, uint32_t v) { b.push_back(uint8_t(v)); b.push_back(uint8_t(v >> 8)); }
void put_u32(std::vector<uint8_t>& b, uint32_t v) { put_u16(b, v & 0xFFFF); put_u16(b, v >> 16); }
void put_tag(std::vector<uint8_t>& b, const char* tag) { b.insert(b.end(), tag, tag + 4); }

// The 44-byte RIFF/WAVE header of 16-bit PCM stereo.
std::vector<uint8_t> wav_header(int sample_rate, uint32_t data_bytes) {
    const int channels = 2, bytes_per_sample = 2;
    std::vector<uint8_t> b;
    put_tag(b, "RIFF");
    put_u32(b, 36 + data_bytes);
    put_tag(b, "WAVE");
    put_tag(b, "fmt ");
    put_u32(b, 16);
    put_u16(b, 1);   // PCM
    put_u16(b, channels);
    put_u32(b, uint32_t(sample_rate));
    put_u32(b, uint32_t(sample_rate * channels * bytes_per_sample));   // bytes per second
    put_u16(b, channels * bytes_per_sample);                            // block align
    put_u16(b, 8 * bytes_per_sample);
    put_tag(b, "data");
    put_u32(b, data_bytes);
    return b;
}

}  // namespace

struct Synth::Impl {
    fluid_settings_t* settings = nullptr;
    fluid_synth_t* synth = nullptr;
    fluid_audio_driver_t* driver = nullptr;
    std::string soundfont;
    int sample_rate = 44100;

    ~Impl() {
        if (driver) delete_fluid_audio_driver(driver);
        if (synth) delete_fluid_synth(synth);
        if (settings) delete_fluid_settings(settings);
    }

    // Renders (last event + tail) seconds of the events, handing each block of interleaved stereo floats to
    // `block`. FluidSynth starts voices only at its 64-frame block boundaries, so every write is whole blocks
    // (nothing stays buffered inside it between renders) and an event is sent at the boundary nearest its
    // time: within 32 frames (0.7 ms at 44.1 kHz).
    void render(const std::vector<MidiEvent>& events, double tail_seconds, Synth& owner,
                const std::function<void(const float*, int64_t)>& block) {
        if (driver) throw Error("cannot render while live audio is running (render with a second Synth)");
        std::vector<MidiEvent> sorted = events;
        std::stable_sort(sorted.begin(), sorted.end(), [](const MidiEvent& a, const MidiEvent& b) { return a.seconds < b.seconds; });
        const double last = sorted.empty() ? 0.0 : std::max(0.0, sorted.back().seconds);
        const int64_t total = std::llround((last + std::max(0.0, tail_seconds)) * sample_rate);

        reset();
        std::vector<float> buffer(size_t(kBlockFrames) * 2);
        int64_t pos = 0;   // frames rendered, a multiple of kFluidBlock
        auto render_to = [&](int64_t target) {
            while (pos < target) {
                const int n = int(std::min<int64_t>(target - pos, kBlockFrames));
                fluid_synth_write_float(synth, n, buffer.data(), 0, 2, buffer.data(), 1, 2);
                if (pos < total) block(buffer.data(), std::min<int64_t>(n, total - pos));
                pos += n;
            }
        };
        for (const MidiEvent& e : sorted) {
            const int64_t frame = std::llround(std::max(0.0, e.seconds) * sample_rate);
            render_to((frame + kFluidBlock / 2) / kFluidBlock * kFluidBlock);
            owner.send(e);
        }
        render_to((total + kFluidBlock - 1) / kFluidBlock * kFluidBlock);
        reset();   // nothing carries over into live use or the next render
    }

    // Silences voices and effect tails (reverb, chorus); channel 1 back to the piano.
    void reset() {
        fluid_synth_system_reset(synth);
        fluid_synth_program_change(synth, 0, 0);
    }
};

Synth::Synth(const std::string& soundfont, int sample_rate) : impl_(std::make_unique<Impl>()) {
    route_fluid_logs();
    if (soundfont.empty()) throw Error(std::string("no soundfont found: ") + kInstallHint);
    if (sample_rate < 8000 || sample_rate > 96000)
        throw Error("sample rate " + std::to_string(sample_rate) + " Hz is outside 8000..96000");
    struct stat st {};
    if (::stat(soundfont.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || ::access(soundfont.c_str(), R_OK) != 0)
        throw Error(std::string("soundfont not found or not readable; ") + kInstallHint, soundfont);
    if (const std::string problem = soundfont_header_problem(soundfont); !problem.empty())
        throw Error(problem + "; " + kInstallHint, soundfont);
    impl_->soundfont = soundfont;
    impl_->sample_rate = sample_rate;

    FluidErrorCapture errors;
    impl_->settings = new_fluid_settings();
    if (!impl_->settings) throw Error("FluidSynth could not create its settings: " + errors.reason("out of memory"));
    fluid_settings_setnum(impl_->settings, "synth.gain", 0.6);
    fluid_settings_setnum(impl_->settings, "synth.sample-rate", double(sample_rate));
    impl_->synth = new_fluid_synth(impl_->settings);
    if (!impl_->synth) throw Error("FluidSynth could not start: " + errors.reason("unknown error"));

    if (fluid_synth_sfload(impl_->synth, soundfont.c_str(), 1) == FLUID_FAILED)
        throw Error("not a usable soundfont (" + errors.reason("FluidSynth could not load it") + "); " + kInstallHint, soundfont);
    fluid_synth_program_change(impl_->synth, 0, 0);   // acoustic grand piano on channel 1
}

Synth::~Synth() = default;

std::vector<float> Synth::render(const std::vector<MidiEvent>& events, double tail_seconds) {
    std::vector<float> out;
    impl_->render(events, tail_seconds, *this, [&](const float* data, int64_t frames) { out.insert(out.end(), data, data + 2 * frames); });
    return out;
}

void Synth::render_wav(const std::vector<MidiEvent>& events, const std::string& path) {
    std::vector<uint8_t> bytes = wav_header(impl_->sample_rate, 0);
    impl_->render(events, 1.0, *this, [&](const float* data, int64_t frames) {
        for (int64_t i = 0; i < 2 * frames; ++i) {
            const float x = std::clamp(data[i], -1.0f, 1.0f);
            put_u16(bytes, uint16_t(int16_t(std::lrint(x * 32767.0f))));
        }
    });
    const size_t data_bytes = bytes.size() - 44;
    if (data_bytes > 0xFFFFFFFFu - 36) throw Error("too long for a WAV file (4 GB)", path);
    const std::vector<uint8_t> header = wav_header(impl_->sample_rate, uint32_t(data_bytes));
    std::copy(header.begin(), header.end(), bytes.begin());
    write_file_atomic(path, bytes.data(), bytes.size());
}

void Synth::start_audio(const std::string& driver) {
    if (impl_->driver) return;
    std::vector<std::string> names;
    if (!driver.empty()) {
        names.push_back(driver);
    } else {
        // FluidSynth's default when it names one, then the usual desktop outputs that this build has. Not
        // "file" (it writes into the working folder), "sdl2" (needs SDL_Init) or "jack" (without a server it
        // talks to the console); ask for those by name.
        char* def = nullptr;
        if (fluid_settings_getstr_default(impl_->settings, "audio.driver", &def) == FLUID_OK && def && *def) names.push_back(def);
        std::vector<std::string> built;
        fluid_settings_foreach_option(impl_->settings, "audio.driver", &built, [](void* data, const char*, const char* option) {
            static_cast<std::vector<std::string>*>(data)->push_back(option);
        });
        for (const char* name : {"pulseaudio", "pipewire", "alsa", "oss"})
            if (std::find(built.begin(), built.end(), name) != built.end() && std::find(names.begin(), names.end(), name) == names.end())
                names.push_back(name);
    }
    std::string reasons;
    for (const std::string& name : names) {
        FluidErrorCapture errors;
        struct stat st {};
        // Without a device node these fail anyway, and alsa-lib would print its failure to the console.
        if ((name == "alsa" && ::stat("/dev/snd", &st) != 0) || (name == "oss" && ::stat("/dev/dsp", &st) != 0)) {
            reasons += (reasons.empty() ? "" : "; ") + name + ": no sound device (" + (name == "alsa" ? "/dev/snd" : "/dev/dsp") + ")";
            continue;
        }
        if (fluid_settings_setstr(impl_->settings, "audio.driver", name.c_str()) == FLUID_OK)
            impl_->driver = new_fluid_audio_driver(impl_->settings, impl_->synth);
        if (impl_->driver) {
            log_info("audio output: %s", name.c_str());
            return;
        }
        reasons += (reasons.empty() ? "" : "; ") + name + ": " + errors.reason("failed");
    }
    throw Error("no audio output: " + (reasons.empty() ? std::string("FluidSynth has no audio driver") : reasons));
}

void Synth::stop_audio() {
    if (!impl_->driver) return;
    delete_fluid_audio_driver(impl_->driver);
    impl_->driver = nullptr;
}

bool Synth::audio_running() const { return impl_->driver != nullptr; }

void Synth::send(const MidiEvent& e) {
    const int channel = e.status & 0x0F, a = e.data1 & 0x7F, b = e.data2 & 0x7F;
    switch (e.status & 0xF0) {
        case 0x90:
            if (b > 0) fluid_synth_noteon(impl_->synth, channel, a, b);
            else fluid_synth_noteoff(impl_->synth, channel, a);
            break;
        case 0x80: fluid_synth_noteoff(impl_->synth, channel, a); break;
        case 0xB0: fluid_synth_cc(impl_->synth, channel, a, b); break;
        case 0xC0: fluid_synth_program_change(impl_->synth, channel, a); break;
        default: break;
    }
}

void Synth::note_on(int pitch, int velocity) {
    if (pitch < 0 || pitch > 127) return;
    if (velocity <= 0) return note_off(pitch);
    fluid_synth_noteon(impl_->synth, 0, pitch, std::min(velocity, 127));
}

void Synth::note_off(int pitch) {
    if (pitch >= 0 && pitch <= 127) fluid_synth_noteoff(impl_->synth, 0, pitch);
}

void Synth::all_notes_off() { fluid_synth_all_notes_off(impl_->synth, -1); }

void Synth::set_gain(double gain) { fluid_synth_set_gain(impl_->synth, float(std::clamp(gain, 0.0, 2.0))); }

double Synth::gain() const { return fluid_synth_get_gain(impl_->synth); }

const std::string& Synth::soundfont() const { return impl_->soundfont; }

}  // namespace fm
