#include "ui/playback.h"

#include <QFileInfo>
#include <QSettings>
#include <QTimer>

#include <algorithm>
#include <exception>

#include "core/audio/events.h"
#include "core/audio/midi_out.h"
#include "core/audio/player.h"
#include "core/audio/soundfont.h"
#include "core/audio/synth.h"
#include "core/error.h"

namespace fm::ui {

namespace {

const QString kSoundfontKey = QStringLiteral("audio/soundfont");
constexpr int kPollMs = 33;          // ~30 Hz playhead
constexpr int kAuditionMs = 350;     // a clicked key sounds this long

double gainFor(int volume) { return std::clamp(volume, 0, 100) / 100.0 * 1.2; }

}  // namespace

PlaybackController::PlaybackController(QObject* parent)
    : QObject(parent), player_(std::make_unique<Player>()), midi_out_(std::make_unique<MidiOut>()),
      sink_mutex_(std::make_shared<std::mutex>()), timer_(new QTimer(this)) {
    const QString preferred = QSettings().value(kSoundfontKey).toString();
    soundfont_ = QString::fromStdString(find_soundfont(preferred.toStdString()));
    timer_->setInterval(kPollMs);
    connect(timer_, &QTimer::timeout, this, &PlaybackController::poll);
}

PlaybackController::~PlaybackController() {
    player_->stop();   // the player's thread holds raw pointers to the synth and MIDI out
    std::lock_guard<std::mutex> lock(*sink_mutex_);
    midi_out_->close();
}

QString PlaybackController::soundfont() const { return soundfont_; }

void PlaybackController::setSoundfont(const QString& path) {
    stop();
    QSettings().setValue(kSoundfontKey, path);
    soundfont_ = QString::fromStdString(find_soundfont(path.toStdString()));
    std::lock_guard<std::mutex> lock(*sink_mutex_);
    synth_.reset();
    synth_error_.clear(), audio_error_.clear();
    audio_tried_ = false;
}

bool PlaybackController::ensureSynth() {
    if (synth_) return true;
    if (soundfont_.isEmpty()) {
        synth_error_ = tr("no General MIDI soundfont found (install timgm6mb-soundfont or fluid-soundfont-gm, or choose one)");
        return false;
    }
    try {
        synth_ = std::make_unique<Synth>(soundfont_.toStdString());
        synth_->set_gain(gainFor(volume_));
        synth_error_.clear();
        return true;
    } catch (const std::exception& e) {
        synth_error_ = QString::fromUtf8(e.what());
        return false;
    }
}

bool PlaybackController::ensureAudio() {
    if (!ensureSynth()) return false;
    if (synth_->audio_running()) return true;
    if (audio_tried_) return false;   // one try per synth: FluidSynth probes every driver, which takes time
    audio_tried_ = true;
    try {
        synth_->start_audio();
        audio_error_.clear();
        return true;
    } catch (const std::exception& e) {
        audio_error_ = QString::fromUtf8(e.what());
        return false;
    }
}

bool PlaybackController::hasSound() const { return synth_ && synth_->audio_running(); }

QString PlaybackController::noSoundReason() const {
    if (hasSound()) return {};
    if (!synth_error_.isEmpty()) return synth_error_;
    return audio_error_;
}

bool PlaybackController::play(const Roll& roll, double bpm, bool loop) {
    stop();
    if (roll.width <= 0 || !(bpm > 0)) return false;
    std::vector<MidiEvent> events = roll_events(roll, bpm);
    const bool sound = ensureAudio();
    if (!sound) Q_EMIT message(tr("No sound: %1").arg(noSoundReason()));
    Synth* synth = sound ? synth_.get() : nullptr;
    MidiOut* out = midi_out_.get();
    // Loop and end at the roll's full length, not at the last note.
    const double end = step_seconds(bpm) * roll.width;
    player_->play(std::move(events), sink(synth, out), loop, 0.0, end);
    last_step_ = -2;
    was_playing_ = true;
    timer_->start();
    Q_EMIT playingChanged(true);
    return true;
}

std::function<void(const MidiEvent&)> PlaybackController::sink(Synth* synth, MidiOut* out) const {
    std::shared_ptr<std::mutex> mutex = sink_mutex_;
    return [synth, out, mutex](const MidiEvent& e) {
        std::lock_guard<std::mutex> lock(*mutex);
        if (synth) synth->send(e);
        out->send(e);
    };
}

void PlaybackController::startLive() {
    stop();
    const bool sound = ensureAudio();
    if (!sound) Q_EMIT message(tr("No sound: %1").arg(noSoundReason()));
    player_->play_live(sink(sound ? synth_.get() : nullptr, midi_out_.get()));
    was_playing_ = true;
    Q_EMIT playingChanged(true);
}

void PlaybackController::appendLive(std::vector<MidiEvent> events) { player_->append(std::move(events)); }

void PlaybackController::thru(int pitch, int velocity) {
    if (pitch < 0 || pitch > 127) return;
    sendNow(velocity > 0 ? 0x90 : 0x80, pitch, std::clamp(velocity, 0, 127));
}

void PlaybackController::stop() {
    const bool was = was_playing_ || player_->playing();
    player_->stop();
    timer_->stop();
    was_playing_ = false;
    if (was) {
        last_step_ = -1;
        Q_EMIT position(-1);
        Q_EMIT playingChanged(false);
    }
}

bool PlaybackController::playing() const { return player_->playing(); }

void PlaybackController::poll() {
    if (!player_->playing()) {   // reached the end (not looping)
        stop();
        return;
    }
    const int step = player_->position_step();
    if (step != last_step_) {
        last_step_ = step;
        Q_EMIT position(step);
    }
}

void PlaybackController::setVolume(int volume) {
    volume_ = std::clamp(volume, 0, 100);
    if (synth_) synth_->set_gain(gainFor(volume_));
}

void PlaybackController::sendNow(unsigned char status, int pitch, int velocity) {
    MidiEvent e;
    e.status = status, e.data1 = uint8_t(pitch), e.data2 = uint8_t(velocity);
    std::lock_guard<std::mutex> lock(*sink_mutex_);
    if (synth_ && synth_->audio_running()) synth_->send(e);
    midi_out_->send(e);
}

void PlaybackController::audition(int pitch, int velocity) {
    if (pitch < 0 || pitch > 127) return;
    if (!ensureAudio() && !midi_out_->is_open()) {
        Q_EMIT message(tr("No sound: %1").arg(noSoundReason()));
        return;
    }
    sendNow(0x90, pitch, std::clamp(velocity, 1, 127));
    QTimer::singleShot(kAuditionMs, this, [this, pitch] { sendNow(0x80, pitch, 0); });
}

bool PlaybackController::renderWav(const Roll& roll, double bpm, const QString& path, QString* error) {
    auto fail = [&](const QString& why) {
        if (error) *error = why;
        return false;
    };
    if (!(bpm > 0)) return fail(tr("the tempo must be positive"));
    if (soundfont_.isEmpty()) {
        ensureSynth();
        return fail(synth_error_);
    }
    try {
        // A synth of its own: rendering must not disturb (or be disturbed by) live playback.
        Synth offline(soundfont_.toStdString());
        offline.set_gain(gainFor(volume_));
        offline.render_wav(roll_events(roll, bpm), path.toStdString());
        return true;
    } catch (const std::exception& e) {
        return fail(QString::fromUtf8(e.what()));
    }
}

QStringList PlaybackController::midiPorts(QString* why) {
    std::string reason;
    QStringList out;
    for (const std::string& p : MidiOut::ports(&reason)) out << QString::fromStdString(p);
    if (why) *why = QString::fromStdString(reason);
    return out;
}

bool PlaybackController::virtualPortSupported(QString* why) {
    std::string reason;
    const bool ok = MidiOut::virtual_ports_supported(&reason);
    if (why) *why = QString::fromStdString(reason);
    return ok;
}

bool PlaybackController::setMidiOut(int port, QString* error) {
    std::lock_guard<std::mutex> lock(*sink_mutex_);
    try {
        midi_out_->all_notes_off();
        midi_out_->close();
        if (port == kVirtualMidiOut) midi_out_->open_virtual(kVirtualPortName);
        else if (port >= 0) midi_out_->open(port);
        return true;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromUtf8(e.what());
        return false;
    }
}

QString PlaybackController::midiOutName() const { return QString::fromStdString(midi_out_->port_name()); }

}  // namespace fm::ui
