#include "ui/transport_bar.h"

#include <QAction>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QSettings>
#include <QSignalBlocker>
#include <QSlider>
#include <QStyle>

#include "ui/midi_out_box.h"
#include "ui/playback.h"
#include "ui/roll_drag_button.h"

namespace fm::ui {

TransportBar::TransportBar(PlaybackController* playback, QWidget* parent) : QToolBar(tr("Transport"), parent) {
    setObjectName(QStringLiteral("transportBar"));
    play_ = addAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("Play"));
    play_->setObjectName(QStringLiteral("actionPlay"));
    play_->setCheckable(true);
    play_->setShortcut(Qt::Key_Space);
    play_->setToolTip(tr("Play / Stop the shown roll (Space)"));
    connect(playback, &PlaybackController::playingChanged, this, [this](bool on) {
        const QSignalBlocker block(play_);
        play_->setChecked(on);
        play_->setText(on ? tr("Stop") : tr("Play"));
        play_->setIcon(style()->standardIcon(on ? QStyle::SP_MediaStop : QStyle::SP_MediaPlay));
    });

    loop_ = addAction(style()->standardIcon(QStyle::SP_BrowserReload), tr("Loop"));
    loop_->setObjectName(QStringLiteral("actionLoop"));
    loop_->setCheckable(true);
    loop_->setToolTip(tr("Loop the roll"));

    addSeparator();
    addWidget(new QLabel(tr(" Volume "), this));
    volume_ = new QSlider(Qt::Horizontal, this);
    volume_->setObjectName(QStringLiteral("volumeSlider"));
    volume_->setRange(0, 100);
    volume_->setMaximumWidth(120);
    volume_->setValue(QSettings().value(QStringLiteral("audio/volume"), playback->volume()).toInt());
    playback->setVolume(volume_->value());
    connect(volume_, &QSlider::valueChanged, playback, [playback](int v) {
        playback->setVolume(v);
        QSettings().setValue(QStringLiteral("audio/volume"), v);
    });
    addWidget(volume_);

    addWidget(new QLabel(tr(" Tempo "), this));
    tempo_ = new QDoubleSpinBox(this);
    tempo_->setObjectName(QStringLiteral("tempoBox"));
    tempo_->setRange(20, 400);
    tempo_->setDecimals(1);
    tempo_->setSuffix(tr(" bpm"));
    tempo_->setValue(120);
    addWidget(tempo_);

    addSeparator();
    addWidget(new QLabel(tr(" MIDI out "), this));
    midi_out_ = new MidiOutBox(playback, this);
    addWidget(midi_out_);

    addSeparator();
    drag_ = new RollDragButton(this);
    addWidget(drag_);
}

double TransportBar::bpm() const { return tempo_->value(); }
void TransportBar::setBpm(double bpm) { tempo_->setValue(bpm); }
bool TransportBar::loop() const { return loop_->isChecked(); }

}  // namespace fm::ui
