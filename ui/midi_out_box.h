// midi_out_box.h — the transport's MIDI-out chooser: "No MIDI out", the system's ports, the virtual port.
//
//   auto* box = new fm::ui::MidiOutBox(playback, toolbar);   // lists the ports now; refresh() lists them again
//
// Without a MIDI system (no ALSA sequencer: RtMidi throws) the box is disabled and its tooltip says why.
// Choosing an entry opens the port through the PlaybackController; a failure goes to `message`.
// Thread-safety: GUI thread only.
#pragma once

#include <QComboBox>

namespace fm::ui {

class PlaybackController;

class MidiOutBox : public QComboBox {
    Q_OBJECT
public:
    explicit MidiOutBox(PlaybackController* playback, QWidget* parent = nullptr);
    void refresh();

Q_SIGNALS:
    void message(const QString& text);

private:
    void choose(int index);
    PlaybackController* playback_;
};

}  // namespace fm::ui
