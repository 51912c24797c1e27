// The model and generation: loading on the worker thread, live progress, variations, cancel.
#include <QAction>
#include <QFileInfo>
#include <QLabel>
#include <QSettings>

#include <algorithm>
#include <exception>

#include "core/track_rolls.h"
#include "ui/conditions_lane.h"
#include "ui/generate_panel.h"
#include "ui/generation_worker.h"
#include "ui/jam_controller.h"
#include "ui/level_progress.h"
#include "ui/transport_bar.h"
#include "ui/main_window.h"
#include "ui/piano_roll_view.h"
#include "ui/roll_document.h"
#include "ui/variation_bar.h"

namespace fm::ui {

namespace {

const QString kModelKindKey = QStringLiteral("model/source");       // "checkpoint" | "random"
const QString kModelPathKey = QStringLiteral("model/checkpoint");

}  // namespace

void MainWindow::createWorker() {
    worker_ = new GenerationWorker(nullptr, this);
    connect(worker_, &GenerationWorker::engineReady, this, &MainWindow::onModelReady);
    connect(worker_, &GenerationWorker::engineFailed, this, &MainWindow::onModelFailed);
    connect(worker_, &GenerationWorker::progress, this, &MainWindow::onProgress);
    connect(worker_, &GenerationWorker::finished, this, &MainWindow::onFinished);
}

void MainWindow::startUp(const QString& midi, const QString& checkpoint) {
    if (!midi.isEmpty()) openMidi(midi);
    ModelSource source;
    const QSettings s;
    if (!checkpoint.isEmpty()) {
        source.kind = ModelSource::Kind::checkpoint, source.path = checkpoint;
    } else if (!defaultModelPath().isEmpty()) {
        source.kind = ModelSource::Kind::checkpoint, source.path = defaultModelPath();
    } else if (s.value(kModelKindKey).toString() == QLatin1String("random")) {
        source.kind = ModelSource::Kind::random;
    } else if (QFileInfo(s.value(kModelPathKey).toString()).isFile()) {
        source.kind = ModelSource::Kind::checkpoint, source.path = s.value(kModelPathKey).toString();
    }
    if (source.kind == ModelSource::Kind::none) {
        panel_->selectSource(source);
        showMessage(tr("No model yet: choose a checkpoint, or \"Random weights (tiny)\" to try things out"));
        return;
    }
    loadModel(source);
}

void MainWindow::loadModel(const ModelSource& source) {
    if (source.kind == ModelSource::Kind::none) return;
    pending_source_ = source;
    panel_->selectSource(source);
    if (source.kind == ModelSource::Kind::random) {
        panel_->setModelLoading(tr("random weights (%1)").arg(source.preset));
        worker_->createRandom(source.preset, 0, panel_->precision());
    } else {
        panel_->setModelLoading(QFileInfo(source.path).fileName());
        worker_->loadCheckpoint(source.path, QStringLiteral("auto"), panel_->precision());
    }
}

void MainWindow::onModelReady(const ModelInfo& info) {
    panel_->setModelInfo(info);
    model_info_ = info;
    QSettings s;
    if (pending_source_.kind == ModelSource::Kind::random) {
        s.setValue(kModelKindKey, QStringLiteral("random"));
    } else {
        s.setValue(kModelKindKey, QStringLiteral("checkpoint"));
        s.setValue(kModelPathKey, pending_source_.path);
    }
    showMessage(tr("Model ready: %1 (%2) on %3").arg(info.preset, info.generatorTypes, info.device));
    adoptModelTracks();
    Q_EMIT modelReady(info);
}

void MainWindow::onModelFailed(const QString& error) {
    panel_->setModelError(error);
    showError(error, pending_source_.kind == ModelSource::Kind::checkpoint);
    Q_EMIT modelFailed(error);
}

bool MainWindow::buildParams(GenerateParams* params) {
    GenerateParams p = panel_->takeParams();
    p.conditions = lane_->conditions();
    p.guidance = lane_->guidance();
    const Roll& current = doc_->roll();
    if (p.mode == GenerateMode::continuation) {
        p.input = current;
    } else if (p.mode == GenerateMode::inpainting) {
        // The region drawn on the roll, over the current roll at its own width.
        p.width = current.width;
        p.input = current;
        const QRect sel = view_->selection().intersected(QRect(0, 0, current.width, kPitches));
        if (view_->mask().size() == size_t(kPitches) * size_t(current.width)) {
            p.cell_mask = view_->mask();
        } else if (!sel.isEmpty()) {
            p.mask_start = sel.left(), p.mask_end = sel.right() + 1;
            p.pitch_low = sel.top(), p.pitch_high = sel.bottom();
        } else {
            showError(tr("Inpainting: drag a rectangle on the roll or paint a mask (Edit ▸ Paint mask) first"), false);
            return false;
        }
    }
    if (!fitTracks(&p)) return false;
    try {
        (void)initial_canvas(p, modelRows());   // the same checks the model makes, before the worker starts
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()), false);
        return false;
    }
    *params = std::move(p);
    return true;
}

bool MainWindow::readyToGenerate() {
    if (generating_) return false;
    if (jam_->running()) {
        showError(tr("A jam session is running: stop it first (Jam ▸ Stop)"), false);
        return false;
    }
    if (!panel_->modelReady()) {
        showError(tr("Load a model first (Generate panel ▸ Model)"), false);
        return false;
    }
    return true;
}

GenerateParams MainWindow::paramsOver(GenerateMode mode, const Roll& input) {
    GenerateParams p = panel_->takeParams();
    p.conditions = lane_->conditions();
    p.guidance = lane_->guidance();
    p.mode = mode;
    p.width = input.width;
    p.input = input;
    p.condition_length = 0;
    return p;
}

void MainWindow::generate() {
    if (!readyToGenerate()) return;
    GenerateParams p;
    if (!buildParams(&p)) return;
    startGeneration(std::move(p));
}

void MainWindow::fillAroundSelection() {
    if (!readyToGenerate()) return;
    const Roll& current = doc_->roll();
    const std::vector<StepNote> keep = view_->selectedNotes();
    if (variations_->current() >= 0 || keep.empty()) {
        showError(tr("Fill around selection: select notes of the current roll first (click, Shift+click or drag a rectangle)"), false);
        return;
    }
    GenerateParams p = paramsOver(GenerateMode::inpainting, current);
    // Every cell is regenerated but the selected notes' own, and the cell on either side of each on its pitch (so
    // that a drawn note can neither grow into nor merge with what the model puts next to it).
    p.cell_mask.assign(size_t(kPitches) * size_t(current.width), 1);
    for (const StepNote& n : keep)
        for (int t = std::max(0, n.start - 1); t < std::min(current.width, n.end + 1); ++t)
            p.cell_mask[size_t(n.pitch) * size_t(current.width) + size_t(t)] = 0;
    if (current.rows > kPitches) {   // the selection is in the active track; the other tracks written unless kept
        const std::vector<uint8_t> active = std::move(p.cell_mask);
        p.cell_mask.clear();
        p.mode = GenerateMode::unconditional;
        if (model_info_.tracks.size() > 1) {
            if (!fitTracks(&p, active)) return;
        } else {   // a one-track model over the roll's tracks as one: their other notes regenerated too
            p = paramsOver(GenerateMode::inpainting, flatten_tracks(current));
            p.cell_mask = active;
        }
    }
    startGeneration(std::move(p));
}

void MainWindow::continueFromPlayhead() {
    if (!readyToGenerate()) return;
    const Roll& current = doc_->roll();
    const int at = view_->playhead();
    if (variations_->current() >= 0 || at <= 0 || at >= current.width) {
        showError(tr("Continue from here: click the ruler of the current roll where the model should take over"), false);
        return;
    }
    GenerateParams p = paramsOver(GenerateMode::continuation, current);
    p.condition_length = at;
    if (!fitTracks(&p)) return;
    startGeneration(std::move(p));
}

void MainWindow::startGeneration(GenerateParams p) {
    try {
        (void)initial_canvas(p, modelRows());   // the same checks the model makes, before the worker starts
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()), false);
        return;
    }
    running_ = p;
    running_.input = Roll();   // only the settings are kept, for the status line
    running_.cell_mask.clear();
    generating_ = true;
    panel_->setGenerating(true);
    generate_->setEnabled(false);
    cancel_->setEnabled(true);
    variations_->clearVariations();
    variations_->setEnabled(false);
    levels_->reset();
    updateEditable();
    showRoll(initial_canvas(p, modelRows()));
    clock_.start();
    speed_label_->setText(tr("generating…"));
    worker_->start(p);
}

void MainWindow::cancelGeneration() {
    if (!generating_) return;
    worker_->cancel();   // also when the worker has not begun the run yet
    showMessage(tr("Cancelling… the partial roll will be kept"));
}

void MainWindow::onProgress(int level, int step, int of, int window, int windows, const Roll& canvas) {
    if (!generating_) return;
    if (canvas.width > 0) display(canvas);
    levels_->report(level, step, of, window, windows);
    speed_label_->setText(tr("generating · level %1 of 4 · step %2 of %3 · %4 s")
                              .arg(level + 1).arg(step).arg(of)
                              .arg(clock_.elapsed() / 1000.0, 0, 'f', 1));
}

void MainWindow::onFinished(const std::vector<Roll>& rolls, bool cancelled, const QString& error) {
    if (!generating_) return;
    generating_ = false;
    panel_->setGenerating(false);
    generate_->setEnabled(true);
    cancel_->setEnabled(false);
    variations_->setEnabled(true);
    levels_->finish(cancelled || !error.isEmpty());
    updateEditable();
    const double seconds = clock_.elapsed() / 1000.0;
    if (!error.isEmpty() || rolls.empty()) {
        speed_label_->clear();
        showRoll(doc_->roll());
        showError(error.isEmpty() ? tr("the generation returned no roll") : error, false);
        Q_EMIT generationFinished(cancelled, error);
        return;
    }
    if (running_.conditions.tempo > 0) transport_->setBpm(running_.conditions.tempo);   // it plays (and exports) at the asked tempo
    variations_->setVariations(rolls, cancelled);
    variations_->showVariation(0);
    const double steps = double(running_.width) * double(rolls.size());
    speed_label_->setText(tr("%1 × %2 steps in %3 s (%4 steps/s)")
                              .arg(rolls.size()).arg(running_.width)
                              .arg(seconds, 0, 'f', 1)
                              .arg(seconds > 0 ? steps / seconds : 0.0, 0, 'f', 0));
    showMessage(cancelled ? tr("Cancelled after %1 s: the partial roll is kept as a variation (grey cells were not generated)")
                                .arg(seconds, 0, 'f', 1)
                          : tr("Generated %1 variation(s) with seed %2: compare the tabs, \"Keep\" one")
                                .arg(rolls.size()).arg(running_.seed));
    Q_EMIT generationFinished(cancelled, error);
}

}  // namespace fm::ui
