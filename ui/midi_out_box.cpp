#include "ui/midi_out_box.h"

#include "ui/playback.h"

namespace fm::ui {

MidiOutBox::MidiOutBox(PlaybackController* playback, QWidget* parent) : QComboBox(parent), playback_(playback) {
    setObjectName(QStringLiteral("midiOutCombo"));
    setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(this, qOverload<int>(&QComboBox::activated), this, &MidiOutBox::choose);
    refresh();
}

void MidiOutBox::refresh() {
    QString why_no_ports, why_no_virtual;
    const QStringList ports = PlaybackController::midiPorts(&why_no_ports);
    const bool virtual_ok = PlaybackController::virtualPortSupported(&why_no_virtual);
    blockSignals(true);
    clear();
    addItem(tr("No MIDI out"), PlaybackController::kNoMidiOut);
    if (virtual_ok)
        addItem(tr("Virtual port \"%1\"").arg(QString::fromLatin1(PlaybackController::kVirtualPortName)),
                PlaybackController::kVirtualMidiOut);
    for (int i = 0; i < ports.size(); ++i) addItem(ports[i], i);
    blockSignals(false);
    const bool usable = virtual_ok || !ports.isEmpty();
    setEnabled(usable);
    if (usable) {
        setToolTip(tr("Send the playback to a MIDI port"));
    } else {
        QString why = why_no_ports.isEmpty() ? why_no_virtual : why_no_ports;
        if (why.isEmpty()) why = tr("no MIDI output ports were found");
        setToolTip(tr("MIDI out unavailable: %1").arg(why));
    }
}

void MidiOutBox::choose(int index) {
    QString error;
    if (!playback_->setMidiOut(itemData(index).toInt(), &error)) {
        Q_EMIT message(tr("MIDI out: %1").arg(error));
        setCurrentIndex(0);
        playback_->setMidiOut(PlaybackController::kNoMidiOut, nullptr);
        return;
    }
    Q_EMIT message(index == 0 ? tr("MIDI out off") : tr("MIDI out: %1").arg(itemText(index)));
}

}  // namespace fm::ui
