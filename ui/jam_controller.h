// jam_controller.h — a jam session in the studio: model/jam.h's scheduler on a thread of its own (with its own copy
// of the model, loaded at Start), the musician's notes from MIDI in (a port, or the virtual port "FractalMIDI Studio")
// played through and quantised onto the session, and the model's bars streamed to FluidSynth and MIDI out as they
// are made, ahead of the playhead.
//
//   auto* jam = new fm::ui::JamController(playback, this);
//   jam->setInput(fm::ui::JamController::kVirtualInput, &error);
//   jam->start(source, options, &error);         // started(width), then jobStarted / barReady / recordingChanged
//   jam->stop();                                  // finished(recording) follows
//
// Everything the session's thread hands to the GUI goes through JobThread::deliver (under a std::mutex that
// ThreadSanitizer sees, as in the generation and training workers). Thread-safety: GUI thread, except
// noteOn/noteOff (any thread: MIDI in calls them on RtMidi's).
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "core/notes.h"
#include "core/roll.h"
#include "model/jam.h"
#include "ui/model_source.h"

class QTimer;

namespace fm {
class MidiIn;
}

namespace fm::ui {

class JobThread;
class PlaybackController;

class JamController : public QObject {
    Q_OBJECT
public:
    static constexpr int kNoInput = -1;
    static constexpr int kVirtualInput = -2;

    explicit JamController(PlaybackController* playback, QObject* parent = nullptr);
    ~JamController() override;

    // MIDI in: the ports (empty with *why when there is no MIDI system), the virtual port where ALSA allows one.
    static QStringList inputPorts(QString* why);
    static bool virtualInputSupported(QString* why);
    bool setInput(int port, QString* error);    // kNoInput, kVirtualInput or a port index
    QString inputName() const;
    double clockBpm() const;                    // a sender's MIDI clock tempo; 0 when none is heard

    bool start(const ModelSource& model, const JamOptions& options, QString* error);
    void stop();                                // ends the session now; finished() follows
    bool running() const { return running_; }
    const JamOptions& options() const { return options_; }

    // The musician's notes: MIDI in calls these, a test calls them as a simulated source. Any thread.
    void noteOn(int pitch, int velocity);
    void noteOff(int pitch);
    double sessionSeconds() const;              // on the session clock (the count-in bar first); -1 before the start

    Roll recording() const;                     // the session so far: the model's bars and the musician's notes
    std::vector<StepNote> musicianNotes() const;

Q_SIGNALS:
    void started(int width);                    // the model is loaded and the count-in begins
    void jobStarted(int first_bar, int bars);   // the model is making these bars now
    void barReady(int bar, double due_s, double ready_s, bool degraded);
    void recordingChanged();
    void position(int step);                    // the session's playhead, ~20 Hz
    void message(const QString& text);
    void finished(const fm::Roll& recording);

private:
    void run(ModelSource model, JamOptions options);   // the session's thread
    void onJobDone(int first_bar, int bars, const Roll& model_roll, const std::vector<JamBarReport>& reports,
                   const QString& degraded);
    void onFinished(const QString& error);

    PlaybackController* playback_;
    std::unique_ptr<MidiIn> midi_in_;
    QTimer* timer_ = nullptr;
    JamOptions options_;
    JobThread* jobs_ = nullptr;                 // the session runs as one job; values come back through deliver()
    std::atomic<bool> running_{false}, stop_{false};
    mutable std::mutex mutex_;                  // session_, clock_ and recorded_input_; wakes the thread on stop
    std::condition_variable cv_;
    JamSession* session_ = nullptr;             // owned by the thread; null outside a session
    std::chrono::steady_clock::time_point clock_{};
    bool clock_started_ = false;
    std::vector<StepNote> recorded_input_;      // the musician's notes once the session has ended
    Roll model_roll_;                           // GUI thread: the model's bars so far
};

}  // namespace fm::ui
