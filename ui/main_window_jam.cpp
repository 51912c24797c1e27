// The Jam dock: a play-along session shown live on the roll (the musician's notes in their own colour, the bars the
// model is making grey until they fill), the playhead following the session, and the session kept as the current
// roll when it ends (one undo step), ready to export.
#include <QDockWidget>
#include <QUndoStack>

#include <algorithm>
#include <cmath>

#include "ui/generate_panel.h"
#include "ui/jam_controller.h"
#include "ui/jam_panel.h"
#include "ui/main_window.h"
#include "ui/piano_roll_view.h"
#include "ui/playback.h"
#include "ui/roll_commands.h"
#include "ui/roll_document.h"
#include "ui/variation_bar.h"

namespace fm::ui {

void MainWindow::createJam() {
    jam_ = new JamController(playback_, this);
    jam_panel_ = new JamPanel(jam_);
    auto* dock = new QDockWidget(tr("Jam"), this);
    dock->setObjectName(QStringLiteral("jamDock"));
    dock->setWidget(jam_panel_);
    addDockWidget(Qt::RightDockWidgetArea, dock);
    tabifyDockWidget(findChild<QDockWidget*>(QStringLiteral("levelsDock")), dock);
    findChild<QDockWidget*>(QStringLiteral("levelsDock"))->raise();

    connect(jam_panel_, &JamPanel::startRequested, this, &MainWindow::startJam);
    connect(jam_panel_, &JamPanel::stopRequested, jam_, &JamController::stop);
    connect(jam_panel_, &JamPanel::message, this, &MainWindow::showMessage);
    connect(jam_, &JamController::message, this, &MainWindow::showMessage);
    connect(jam_, &JamController::started, this, [this](int width) {
        showRoll(Roll(width));
        view_->ensureStepVisible(0);
        showMessage(tr("Jam: one bar of count-in, then %1").arg(QString::fromLatin1(jam_mode_name(jam_->options().mode))));
    });
    connect(jam_, &JamController::jobStarted, this, [this](int first, int bars) {
        jam_pending_first_ = first, jam_pending_bars_ = bars;
        showJamRecording();
    });
    connect(jam_, &JamController::barReady, this, [this](int bar, double due, double ready, bool degraded) {
        jam_panel_->showBar(bar, due, ready, degraded);
        if (bar + 1 >= jam_pending_first_ + jam_pending_bars_) jam_pending_first_ = -1, jam_pending_bars_ = 0;
    });
    connect(jam_, &JamController::recordingChanged, this, &MainWindow::showJamRecording);
    connect(jam_, &JamController::position, this, [this](int step) {
        view_->setPlayhead(step);
        if (step >= 0) view_->ensureStepVisible(step);
    });
    connect(jam_, &JamController::finished, this, [this](const Roll& recording) {
        jam_panel_->setRunning(false);
        jam_pending_first_ = -1, jam_pending_bars_ = 0;
        view_->setMarkedCells({});
        RollState next;
        next.roll = recording;
        next.name = QStringLiteral("jam.mid");
        next.tempo = {TempoChange{0, uint32_t(std::lround(60e6 / jam_->options().bpm))}};
        undo_->push(new ReplaceRollCommand(doc_, std::move(next), tr("Jam session")));
        variations_->showCurrentRoll();
        updateEditable();
        showMessage(tr("Jam ended: the session is the current roll (File ▸ Export .mid; Ctrl+Z undoes)"));
    });
}

void MainWindow::startJam() {
    if (generating_ || jam_->running()) return;
    if (!panel_->modelReady()) {
        showError(tr("Load a model first (Generate panel ▸ Model)"), false);
        return;
    }
    if (model_info_.tracks.size() > 1) {
        showError(tr("Jam plays one-track models; this one writes %1 tracks (%2)").arg(model_info_.tracks.size()).arg(model_info_.tracks.join(QStringLiteral(", "))), false);
        return;
    }
    const JamOptions o = jam_panel_->options();
    if (o.mode != JamMode::endless && jam_->inputName().isEmpty())
        showMessage(tr("Jam: no MIDI input chosen, so the model hears nothing from you (Jam ▸ MIDI in)"));
    playback_->stop();
    QString error;
    if (!jam_->start(pending_source_, o, &error)) {
        showError(tr("Jam: %1").arg(error), false);
        return;
    }
    variations_->showCurrentRoll();
    jam_panel_->setRunning(true);
    updateEditable();
    showMessage(tr("Jam: loading the model…"));
}

void MainWindow::showJamRecording() {
    if (!jam_->running()) return;
    Roll r = jam_->recording();
    // The bars the model is making now: grey (unknown) until they arrive, so its plan shows one step ahead.
    if (jam_pending_first_ >= 0)
        for (int p = 0; p < kPitches; ++p)
            for (int t = jam_pending_first_ * kStepsPerBar; t < std::min(r.width, (jam_pending_first_ + jam_pending_bars_) * kStepsPerBar); ++t)
                if (r.at(p, t) == 0.0f) r.at(p, t) = kUnknown;
    view_->setRoll(r);
    std::vector<uint8_t> marks(r.cells.size(), 0);
    for (const StepNote& n : jam_->musicianNotes())
        for (int t = n.start; t < std::min(n.end, r.width); ++t) marks[size_t(n.pitch) * size_t(r.width) + size_t(t)] = 1;
    view_->setMarkedCells(marks);
}

}  // namespace fm::ui
