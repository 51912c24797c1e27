#include "ui/jam_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>

#include <algorithm>

#include "ui/jam_controller.h"

namespace fm::ui {

JamPanel::JamPanel(JamController* jam, QWidget* parent) : QWidget(parent), jam_(jam) {
    setObjectName(QStringLiteral("jamPanel"));
    auto* form = new QFormLayout(this);
    input_ = new QComboBox(this);
    input_->setObjectName(QStringLiteral("jamInput"));
    form->addRow(tr("MIDI in"), input_);
    mode_ = new QComboBox(this);
    mode_->setObjectName(QStringLiteral("jamMode"));
    mode_->addItem(tr("Answer (call and response)"), int(JamMode::answer));
    mode_->addItem(tr("Accompany what I play"), int(JamMode::accompany));
    mode_->addItem(tr("Endless (the model alone)"), int(JamMode::endless));
    form->addRow(tr("Mode"), mode_);
    bars_ = new QSpinBox(this);
    bars_->setObjectName(QStringLiteral("jamBars"));
    bars_->setRange(2, 1024), bars_->setValue(32), bars_->setSuffix(tr(" bars"));
    form->addRow(tr("Length"), bars_);
    lookahead_ = new QSpinBox(this);
    lookahead_->setObjectName(QStringLiteral("jamLookahead"));
    lookahead_->setRange(1, 4), lookahead_->setValue(1), lookahead_->setSuffix(tr(" bar(s)"));
    lookahead_->setToolTip(tr("Bars the model makes at a time, ahead of the playhead (accompany, endless)"));
    form->addRow(tr("Lookahead"), lookahead_);
    call_ = new QSpinBox(this);
    call_->setObjectName(QStringLiteral("jamCallBars"));
    call_->setRange(1, 4), call_->setValue(4), call_->setSuffix(tr(" bar(s)"));
    call_->setToolTip(tr("Answer: you play this many bars, the model answers as many"));
    call_chords_ = new QCheckBox(tr("Over the call's chords"), this);
    call_chords_->setObjectName(QStringLiteral("jamCallChords"));
    call_chords_->setToolTip(tr("Answer: each bar of the answer over the chord of the call's bar in its place"));
    auto* call_row = new QHBoxLayout;
    call_row->addWidget(call_);
    call_row->addWidget(call_chords_);
    form->addRow(tr("Call"), call_row);
    tempo_ = new QDoubleSpinBox(this);
    tempo_->setObjectName(QStringLiteral("jamTempo"));
    tempo_->setRange(40, 300), tempo_->setValue(120), tempo_->setDecimals(1), tempo_->setSuffix(tr(" bpm"));
    follow_clock_ = new QCheckBox(tr("MIDI clock"), this);
    follow_clock_->setToolTip(tr("Take the tempo of the MIDI clock a DAW sends to the input, when it sends one"));
    auto* tempo_row = new QHBoxLayout;
    tempo_row->addWidget(tempo_, 1);
    tempo_row->addWidget(follow_clock_);
    form->addRow(tr("Tempo"), tempo_row);
    temperature_ = new QDoubleSpinBox(this);
    temperature_->setObjectName(QStringLiteral("jamTemperature"));
    temperature_->setRange(0.1, 2.0), temperature_->setSingleStep(0.05), temperature_->setValue(1.0);
    form->addRow(tr("Temperature"), temperature_);
    start_ = new QPushButton(tr("Start jam"), this);
    start_->setObjectName(QStringLiteral("jamStart"));
    stop_ = new QPushButton(tr("Stop"), this);
    stop_->setObjectName(QStringLiteral("jamStop"));
    stop_->setEnabled(false);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(start_);
    buttons->addWidget(stop_);
    form->addRow(buttons);
    status_ = new QLabel(tr("One bar of count-in, then the model plays ahead of the playhead."), this);
    status_->setObjectName(QStringLiteral("jamStatus"));
    status_->setWordWrap(true);
    form->addRow(status_);

    fillInputs();
    connect(input_, &QComboBox::activated, this, [this](int) {
        QString error;
        if (!jam_->setInput(input_->currentData().toInt(), &error)) {
            Q_EMIT message(tr("MIDI in: %1").arg(error));
            input_->setCurrentIndex(0);
        }
    });
    connect(mode_, &QComboBox::currentIndexChanged, this, [this](int) {
        const auto m = JamMode(mode_->currentData().toInt());
        call_->setEnabled(m == JamMode::answer);
        call_chords_->setEnabled(m == JamMode::answer);
        lookahead_->setEnabled(m != JamMode::answer);
    });
    mode_->setCurrentIndex(2);
    connect(start_, &QPushButton::clicked, this, &JamPanel::startRequested);
    connect(stop_, &QPushButton::clicked, this, &JamPanel::stopRequested);
}

void JamPanel::fillInputs() {
    input_->clear();
    input_->addItem(tr("None (endless needs none)"), JamController::kNoInput);
    QString why_virtual, why_ports;
    if (JamController::virtualInputSupported(&why_virtual)) input_->addItem(tr("Virtual port \"FractalMIDI Studio\""), JamController::kVirtualInput);
    const QStringList ports = JamController::inputPorts(&why_ports);
    for (int i = 0; i < ports.size(); ++i) input_->addItem(ports[i], i);
    if (input_->count() == 1) {   // no MIDI system: say why, as MIDI out does
        input_->setEnabled(false);
        input_->setToolTip(why_virtual.isEmpty() ? why_ports : why_virtual);
    }
}

JamOptions JamPanel::options() const {
    JamOptions o;
    o.mode = JamMode(mode_->currentData().toInt());
    o.bars = bars_->value();
    o.lookahead = lookahead_->value();
    o.call_bars = call_->value();
    o.answer_call_chords = call_chords_->isChecked();
    o.bpm = follow_clock_->isChecked() && jam_->clockBpm() > 0 ? jam_->clockBpm() : tempo_->value();
    o.temperature = temperature_->value();
    return o;
}

void JamPanel::setRunning(bool running) {
    start_->setEnabled(!running);
    stop_->setEnabled(running);
    for (QWidget* w : std::initializer_list<QWidget*>{mode_, bars_, lookahead_, call_, call_chords_, tempo_, follow_clock_, temperature_})
        w->setEnabled(!running);
    if (!running) {
        const auto m = JamMode(mode_->currentData().toInt());
        call_->setEnabled(m == JamMode::answer);
        call_chords_->setEnabled(m == JamMode::answer);
        lookahead_->setEnabled(m != JamMode::answer);
    }
    if (running) worst_margin_s_ = 1e9;
}

void JamPanel::showBar(int bar, double due_s, double ready_s, bool degraded) {
    worst_margin_s_ = std::min(worst_margin_s_, due_s - ready_s);
    status_->setText(tr("Bar %1 ready %2 s ahead (the closest so far: %3 s)%4")
                         .arg(bar + 1).arg(due_s - ready_s, 0, 'f', 2).arg(worst_margin_s_, 0, 'f', 2)
                         .arg(degraded ? tr(" · degraded: fewer iterations") : QString()));
}

}  // namespace fm::ui
