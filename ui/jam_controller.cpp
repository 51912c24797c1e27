#include "ui/jam_controller.h"

#include <QTimer>

#include <algorithm>
#include <exception>

#include "core/audio/events.h"
#include "core/audio/midi_in.h"
#include "core/error.h"
#include "model/engine.h"
#include "model/model_config.h"
#include "ui/job_thread.h"
#include "ui/playback.h"

namespace fm::ui {

JamController::JamController(PlaybackController* playback, QObject* parent)
    : QObject(parent), playback_(playback), midi_in_(std::make_unique<MidiIn>()), timer_(new QTimer(this)),
      jobs_(new JobThread(this)) {
    timer_->setInterval(50);
    connect(timer_, &QTimer::timeout, this, [this] {
        const double t = sessionSeconds();
        if (t < 0) return;
        const double bar = 240.0 / options_.bpm;
        Q_EMIT position(t < bar ? -1 : int((t - bar) / (bar / kStepsPerBar)));
        Q_EMIT recordingChanged();   // the musician's notes as they come
    });
}

JamController::~JamController() {
    midi_in_->close();
    stop();
    delete jobs_;   // waits for the session's job to end (stop() ends it at once)
    jobs_ = nullptr;
}

QStringList JamController::inputPorts(QString* why) {
    std::string reason;
    QStringList out;
    for (const std::string& p : MidiIn::ports(&reason)) out << QString::fromStdString(p);
    if (why) *why = QString::fromStdString(reason);
    return out;
}

bool JamController::virtualInputSupported(QString* why) {
    std::string reason;
    const bool ok = MidiIn::virtual_ports_supported(&reason);
    if (why) *why = QString::fromStdString(reason);
    return ok;
}

bool JamController::setInput(int port, QString* error) {
    auto callback = [this](const MidiIn::Message& m) {
        if (m.note_on()) noteOn(m.data1, m.data2);
        else if (m.note_off()) noteOff(m.data1);
    };
    try {
        if (port == kNoInput) midi_in_->close();
        else if (port == kVirtualInput) midi_in_->open_virtual("FractalMIDI Studio", callback);
        else midi_in_->open(port, callback);
        return true;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromUtf8(e.what());
        return false;
    }
}

QString JamController::inputName() const { return QString::fromStdString(midi_in_->port_name()); }

double JamController::clockBpm() const { return midi_in_->clock_bpm(); }

bool JamController::start(const ModelSource& model, const JamOptions& options, QString* error) {
    if (running_) {
        if (error) *error = tr("a jam session is already running");
        return false;
    }
    if (model.kind == ModelSource::Kind::none) {
        if (error) *error = tr("choose a model first (Generate panel ▸ Model)");
        return false;
    }
    options_ = options;
    model_roll_ = Roll(options.bars * kStepsPerBar);
    stop_ = false;
    running_ = true;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        clock_started_ = false;
        recorded_input_.clear();
    }
    jobs_->post([this, model, options] { run(model, options); });
    return true;
}

void JamController::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
}

double JamController::sessionSeconds() const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!clock_started_) return -1;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_).count();
}

void JamController::noteOn(int pitch, int velocity) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (session_ && clock_started_)
            session_->note_on(std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_).count(), pitch, velocity);
    }
    if (jobs_) jobs_->deliver([this, pitch, velocity] { playback_->thru(pitch, velocity); });
}

void JamController::noteOff(int pitch) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (session_ && clock_started_)
            session_->note_off(std::chrono::duration<double>(std::chrono::steady_clock::now() - clock_).count(), pitch);
    }
    if (jobs_) jobs_->deliver([this, pitch] { playback_->thru(pitch, 0); });
}

std::vector<StepNote> JamController::musicianNotes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return session_ ? session_->input_notes() : recorded_input_;
}

Roll JamController::recording() const { return jam_merge(model_roll_, musicianNotes()); }

// ---- the session's thread ----

void JamController::run(ModelSource model, JamOptions options) {
    QString error;
    try {
        std::unique_ptr<Engine> engine = model.kind == ModelSource::Kind::random
                                             ? Engine::create(model_preset(model.preset.toStdString()), 0, "cpu")
                                             : Engine::load(model.path.toStdString(), "cpu");
        JamSession session(*engine, options);
        session.calibrate(jam_warm_up(*engine, session));   // the first job then starts by a measured time
        {
            std::lock_guard<std::mutex> lock(mutex_);
            session_ = &session;
            clock_ = std::chrono::steady_clock::now();
            clock_started_ = true;
        }
        jobs_->deliver([this, w = session.width()] {
            playback_->startLive();
            timer_->start();
            Q_EMIT started(w);
        });
        auto clock = [this] { return sessionSeconds(); };
        auto wait_until = [&](double t_s) {   // false when stopped meanwhile
            std::unique_lock<std::mutex> lock(mutex_);
            return !cv_.wait_until(lock, clock_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                      std::chrono::duration<double>(t_s)),
                                   [this] { return stop_.load(); });
        };
        JamJob job;
        while (!stop_ && session.next_job(&job)) {
            if (!wait_until(job.start_s)) break;
            jobs_->deliver([this, job] { Q_EMIT jobStarted(job.first_bar, job.bars); });
            const std::vector<JamBarReport> reports = session.run_job(clock);
            const QString degraded = session.degraded() ? QString::fromStdString(session.degrade_reason()) : QString();
            jobs_->deliver([this, job, roll = session.model_roll(), reports, degraded] {
                onJobDone(job.first_bar, job.bars, roll, reports, degraded);
            });
        }
        wait_until(session.due_s(options.bars));   // the session plays to its end (or until Stop)
        {
            std::lock_guard<std::mutex> lock(mutex_);
            recorded_input_ = session.input_notes();
            session_ = nullptr;
            clock_started_ = false;
        }
    } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(mutex_);
        session_ = nullptr;
        clock_started_ = false;
        error = QString::fromUtf8(e.what());
    }
    jobs_->deliver([this, error] { onFinished(error); });
}

void JamController::onJobDone(int first_bar, int bars, const Roll& model_roll, const std::vector<JamBarReport>& reports,
                              const QString& degraded) {
    model_roll_ = model_roll;
    // The new bars to the synth and MIDI out, on the session clock (the count-in bar first).
    const double bar = 240.0 / options_.bpm;
    Roll part = crop(model_roll, first_bar * kStepsPerBar, bars * kStepsPerBar);
    std::vector<MidiEvent> events = roll_events(part, options_.bpm);
    for (MidiEvent& e : events) e.seconds += (first_bar + 1) * bar, e.step += first_bar * kStepsPerBar;
    playback_->appendLive(std::move(events));
    for (const JamBarReport& r : reports) Q_EMIT barReady(r.bar, r.due_s, r.ready_s, r.degraded);
    if (!degraded.isEmpty()) Q_EMIT message(tr("Jam: the machine cannot keep up, degraded: %1").arg(degraded));
    Q_EMIT recordingChanged();
}

void JamController::onFinished(const QString& error) {
    running_ = false;
    timer_->stop();
    playback_->stop();
    if (!error.isEmpty()) Q_EMIT message(tr("Jam: %1").arg(error));
    Q_EMIT position(-1);
    Q_EMIT finished(recording());
}

}  // namespace fm::ui
