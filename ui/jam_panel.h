// jam_panel.h — the studio's Jam panel: MIDI input, mode, session length, bars of lookahead, bars of each call,
// tempo (or the MIDI clock's), temperature, Start / Stop, and how far ahead of the playhead the model's bars were
// ready. Thin over JamController; MainWindow connects the two.
//
// Thread-safety: GUI thread only.
#pragma once

#include <QWidget>

#include "model/jam.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace fm::ui {

class JamController;

class JamPanel : public QWidget {
    Q_OBJECT
public:
    JamPanel(JamController* jam, QWidget* parent = nullptr);
    JamOptions options() const;          // as set in the panel
    void setRunning(bool running);
    void showBar(int bar, double due_s, double ready_s, bool degraded);

Q_SIGNALS:
    void startRequested();
    void stopRequested();
    void message(const QString& text);

private:
    void fillInputs();
    JamController* jam_;
    QComboBox* input_ = nullptr;
    QComboBox* mode_ = nullptr;
    QSpinBox* bars_ = nullptr;
    QSpinBox* lookahead_ = nullptr;
    QSpinBox* call_ = nullptr;
    QCheckBox* call_chords_ = nullptr;
    QDoubleSpinBox* tempo_ = nullptr;
    QCheckBox* follow_clock_ = nullptr;
    QDoubleSpinBox* temperature_ = nullptr;
    QPushButton* start_ = nullptr;
    QPushButton* stop_ = nullptr;
    QLabel* status_ = nullptr;
    double worst_margin_s_ = 1e9;
};

}  // namespace fm::ui
