// transport_bar.h — the transport toolbar: Play/Stop (Space), Loop, volume, tempo, MIDI out, drag-out handle.
//
//   auto* transport = new fm::ui::TransportBar(playback, window);
//   connect(transport->playAction(), &QAction::triggered, ...);   // the window plays the shown roll
//
// The volume slider drives the PlaybackController directly; the play action follows its playing state.
// Thread-safety: GUI thread only.
#pragma once

#include <QToolBar>

class QAction;
class QDoubleSpinBox;
class QSlider;

namespace fm::ui {

class MidiOutBox;
class PlaybackController;
class RollDragButton;

class TransportBar : public QToolBar {
    Q_OBJECT
public:
    TransportBar(PlaybackController* playback, QWidget* parent = nullptr);

    QAction* playAction() const { return play_; }
    QAction* loopAction() const { return loop_; }
    QSlider* volumeSlider() const { return volume_; }
    QDoubleSpinBox* tempoBox() const { return tempo_; }
    MidiOutBox* midiOutBox() const { return midi_out_; }
    RollDragButton* dragButton() const { return drag_; }

    double bpm() const;
    void setBpm(double bpm);
    bool loop() const;

private:
    QAction* play_ = nullptr;
    QAction* loop_ = nullptr;
    QSlider* volume_ = nullptr;
    QDoubleSpinBox* tempo_ = nullptr;
    MidiOutBox* midi_out_ = nullptr;
    RollDragButton* drag_ = nullptr;
};

}  // namespace fm::ui
