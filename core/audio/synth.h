// synth.h — FluidSynth: offline rendering of a roll to WAV, and a live synth for playback.
//
//   fm::Synth synth(fm::find_soundfont());                    // fm::Error: no soundfont, unreadable file
//   synth.render_wav(fm::roll_events(roll, 120), "out.wav");  // works with no audio device at all
//   synth.start_audio();                                      // fm::Error with the reason when no device works
//   synth.note_on(60, 100);  synth.note_off(60);
//
// Gain defaults to 0.6 (FluidSynth's 0.2 is quiet). Program 0 (acoustic grand) on channel 1.
// Thread-safety: note_on/note_off/all_notes_off/set_gain may be called from any thread (FluidSynth locks);
// render_wav and start/stop_audio from one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/audio/events.h"

namespace fm {

class Synth {
public:
    explicit Synth(const std::string& soundfont, int sample_rate = 44100);
    ~Synth();
    Synth(const Synth&) = delete;
    Synth& operator=(const Synth&) = delete;

    // Renders the events (plus a 1 s tail) as 16-bit stereo WAV, written atomically. Throws fm::Error.
    void render_wav(const std::vector<MidiEvent>& events, const std::string& path);
    // Renders into interleaved stereo float samples (tests, level meters). Each event lands within 32 frames
    // of its time (FluidSynth starts notes on 64-frame blocks). Not while live audio runs (fm::Error).
    std::vector<float> render(const std::vector<MidiEvent>& events, double tail_seconds = 1.0);

    // "" tries FluidSynth's default, then pulseaudio, pipewire, alsa, oss; on failure the synth still renders.
    void start_audio(const std::string& driver = "");
    void stop_audio();
    bool audio_running() const;

    void send(const MidiEvent& e);
    void note_on(int pitch, int velocity);
    void note_off(int pitch);
    void all_notes_off();
    void set_gain(double gain);   // 0..2
    double gain() const;
    const std::string& soundfont() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace fm
