// playback.h — the studio's sound: FluidSynth playback with a playhead, WAV rendering, key auditions, MIDI out.
//
//   auto* playback = new fm::ui::PlaybackController(this);
//   connect(playback, &PlaybackController::position, view, &PianoRollView::setPlayhead);   // -1 when stopped
//   playback->play(roll, 120.0, /*loop=*/true);
//   QString error;  playback->renderWav(roll, 120.0, "out.wav", &error);
//
// The soundfont is QSettings "audio/soundfont" when readable, else fm::find_soundfont(). The synth is built on
// first use and its audio device started on the first play or audition; when no device works, play still drives
// MIDI out and the playhead and `message` says why there is no sound. MIDI out: "none", the listed ports, and
// the virtual port "FractalMIDI Studio" where ALSA has a sequencer.
// Thread-safety: GUI thread only (the player's own thread only calls the sinks, which lock).
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <mutex>

#include "core/audio/events.h"
#include "core/roll.h"

class QTimer;

namespace fm {
class MidiOut;
class Player;
class Synth;
}  // namespace fm

namespace fm::ui {

class PlaybackController : public QObject {
    Q_OBJECT
public:
    static constexpr const char* kVirtualPortName = "FractalMIDI Studio";
    static constexpr int kNoMidiOut = -1;
    static constexpr int kVirtualMidiOut = -2;

    explicit PlaybackController(QObject* parent = nullptr);
    ~PlaybackController() override;

    bool play(const Roll& roll, double bpm, bool loop);   // false when there is nothing to play
    // A live stream (jam): starts now with nothing queued; appendLive() queues events on its clock (seconds from
    // the start); thru() plays a note now (the musician's own notes). stop() ends it.
    void startLive();
    void appendLive(std::vector<MidiEvent> events);
    void thru(int pitch, int velocity);          // velocity 0: note off
    void stop();
    bool playing() const;
    int volume() const { return volume_; }
    void setVolume(int volume);                         // 0..100 -> synth gain 0..1.2 (50 = 0.6)
    void audition(int pitch, int velocity = 100);       // a short note on the synth and MIDI out
    // Offline render through FluidSynth (no audio device needed). False with *error set on failure.
    bool renderWav(const Roll& roll, double bpm, const QString& path, QString* error);

    QString soundfont() const;                          // "" when none was found
    void setSoundfont(const QString& path);             // remembered in QSettings; rebuilds the synth
    bool hasSound() const;                              // a synth with a running audio device
    QString noSoundReason() const;                      // why not, after the first try ("" otherwise)

    // MIDI out. ports(): names, empty with *why when there is no MIDI system.
    static QStringList midiPorts(QString* why);
    static bool virtualPortSupported(QString* why);
    bool setMidiOut(int port, QString* error);          // kNoMidiOut, kVirtualMidiOut, or a port index
    QString midiOutName() const;

Q_SIGNALS:
    void position(int step);          // the playhead, ~30 Hz while playing; -1 when playback stops
    void playingChanged(bool playing);
    void message(const QString& text);   // for the status bar

private:
    std::function<void(const MidiEvent&)> sink(Synth* synth, MidiOut* out) const;   // synth + MIDI out, locked
    bool ensureSynth();
    bool ensureAudio();
    void poll();
    void sendNow(unsigned char status, int pitch, int velocity);   // synth + MIDI out, from the GUI thread

    std::unique_ptr<Synth> synth_;
    std::unique_ptr<Player> player_;
    std::unique_ptr<MidiOut> midi_out_;
    std::shared_ptr<std::mutex> sink_mutex_;   // synth + MIDI out as seen from the player's thread
    QTimer* timer_ = nullptr;
    QString soundfont_;
    QString synth_error_, audio_error_;
    bool audio_tried_ = false;
    int volume_ = 50;
    int last_step_ = -1;
    bool was_playing_ = false;
};

}  // namespace fm::ui
