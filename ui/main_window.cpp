#include "ui/main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>
#include <utility>

#include "ui/generate_panel.h"
#include "ui/generation_worker.h"
#include "ui/jam_controller.h"
#include "ui/level_progress.h"
#include "ui/piano_roll_view.h"
#include "ui/playback.h"
#include "ui/roll_commands.h"
#include "ui/roll_document.h"
#include "ui/roll_drag_button.h"
#include "ui/midi_out_box.h"
#include "ui/training_dialog.h"
#include "ui/track_list.h"
#include "ui/transport_bar.h"
#include "ui/conditions_lane.h"
#include "ui/variation_bar.h"
#include "ui/velocity_lane.h"

namespace fm::ui {

namespace {

constexpr int kMessageMs = 10000;
constexpr double kZoomStep = 1.25;

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    registerStudioMetaTypes();
    setObjectName(QStringLiteral("mainWindow"));
    doc_ = new RollDocument(this);
    undo_ = new QUndoStack(this);
    playback_ = new PlaybackController(this);

    auto* central = new QWidget(this);
    auto* column = new QVBoxLayout(central);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(0);
    variations_ = new VariationBar(central);
    view_ = new PianoRollView(central);
    view_->setObjectName(QStringLiteral("pianoRoll"));
    lane_ = new ConditionsLane(view_, central);
    connect(lane_, &ConditionsLane::invalidChord, this, [this](const QString& message) { showError(message, false); });
    velocity_lane_ = new VelocityLane(view_, central);
    column->addWidget(variations_);
    column->addWidget(lane_);
    column->addWidget(view_, 1);
    column->addWidget(velocity_lane_);
    setCentralWidget(central);

    transport_ = new TransportBar(playback_, this);
    addToolBar(Qt::TopToolBarArea, transport_);
    transport_->dragButton()->setProvider([this](QString* name) {
        *name = doc_->name().isEmpty() ? QStringLiteral("fractalmidi") : doc_->name().section(QLatin1Char('.'), 0, 0);
        if (variations_->current() >= 0) *name += QStringLiteral("-variation%1").arg(variations_->current() + 1);
        return std::make_pair(audibleRoll(), exportTempo());
    });

    createDocks();
    createTracks();
    createActions();
    createEditing();
    createJam();
    createMenus();

    hover_label_ = new QLabel(this);
    speed_label_ = new QLabel(this);
    statusBar()->addWidget(hover_label_, 1);
    statusBar()->addPermanentWidget(speed_label_);
    training_label_ = new QLabel(this);
    training_label_->setObjectName(QStringLiteral("trainingStatusLabel"));
    training_label_->hide();
    training_label_->setToolTip(tr("show the training monitor"));
    connect(training_label_, &QLabel::linkActivated, this, &MainWindow::showTrainingDialog);
    statusBar()->addPermanentWidget(training_label_);

    connect(doc_, &RollDocument::changed, this, &MainWindow::onDocumentChanged);
    connect(undo_, &QUndoStack::cleanChanged, this, &MainWindow::updateTitle);
    connect(variations_, &VariationBar::shown, this, &MainWindow::onVariationShown);
    connect(variations_, &VariationBar::keepRequested, this, &MainWindow::keepVariation);
    connect(view_, &PianoRollView::hovered, hover_label_, &QLabel::setText);
    connect(view_, &PianoRollView::keyClicked, playback_, [this](int pitch) { playback_->audition(pitch); });
    connect(playback_, &PlaybackController::position, this, [this](int step) {
        view_->setPlayhead(step);
        if (step >= 0) view_->ensureStepVisible(step);
    });
    connect(playback_, &PlaybackController::message, this, &MainWindow::showMessage);
    connect(transport_->midiOutBox(), &MidiOutBox::message, this, &MainWindow::showMessage);
    connect(transport_->dragButton(), &RollDragButton::message, this, &MainWindow::showMessage);
    connect(transport_->playAction(), &QAction::triggered, this, &MainWindow::togglePlay);

    createWorker();
    doc_->setState(RollState{});   // an empty 8-bar roll; not an edit, so not on the undo stack
    restoreSettings();
}

MainWindow::~MainWindow() {
    if (jam_) jam_->disconnect(this);
    // Children emit while QWidget's destructor deletes them (the undo stack's cleanChanged): by then this is no longer
    // a MainWindow, so no slot of it may run (UBSan found it).
    undo_->disconnect(this);
    playback_->stop();
    if (worker_) worker_->disconnect(this);
    cancelGeneration();
    delete worker_;   // waits for the cancelled generation, while this is still a whole MainWindow
    worker_ = nullptr;
}

void MainWindow::createDocks() {
    panel_ = new GeneratePanel;
    auto* scroll = new QScrollArea;
    scroll->setWidget(panel_);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    // Generate and Cancel stay in sight above the settings, however far these scroll (at 1280x800 the panel is
    // taller than its dock).
    auto* dock_body = new QWidget;
    auto* dock_layout = new QVBoxLayout(dock_body);
    dock_layout->setContentsMargins(6, 6, 6, 0);
    dock_layout->addWidget(panel_->buttonBar());
    dock_layout->addWidget(scroll, 1);
    auto* gen_dock = new QDockWidget(tr("Generate"), this);
    gen_dock->setObjectName(QStringLiteral("generateDock"));
    gen_dock->setWidget(dock_body);
    addDockWidget(Qt::RightDockWidgetArea, gen_dock);

    levels_ = new LevelProgress;
    auto* level_dock = new QDockWidget(tr("Levels"), this);
    level_dock->setObjectName(QStringLiteral("levelsDock"));
    level_dock->setWidget(levels_);
    addDockWidget(Qt::RightDockWidgetArea, level_dock);

    connect(panel_, &GeneratePanel::modelRequested, this, &MainWindow::loadModel);
    connect(panel_, &GeneratePanel::generateRequested, this, &MainWindow::generate);
    connect(panel_, &GeneratePanel::cancelRequested, this, &MainWindow::cancelGeneration);
}

void MainWindow::createActions() {
    auto make = [this](const QString& text, const char* name, const QKeySequence& key = {}) {
        auto* a = new QAction(text, this);
        a->setObjectName(QString::fromLatin1(name));
        if (!key.isEmpty()) a->setShortcut(key);
        return a;
    };
    new_ = make(tr("&New"), "actionNew", QKeySequence::New);
    connect(new_, &QAction::triggered, this, [this] { newRoll(panel_->width()); });
    open_ = make(tr("&Open / Import .mid…"), "actionOpen", QKeySequence::Open);
    connect(open_, &QAction::triggered, this, &MainWindow::openDialog);
    export_mid_ = make(tr("&Export .mid…"), "actionExportMidi", QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(export_mid_, &QAction::triggered, this, &MainWindow::exportMidiDialog);
    export_png_ = make(tr("Export &PNG…"), "actionExportPng");
    connect(export_png_, &QAction::triggered, this, &MainWindow::exportPngDialog);
    render_wav_ = make(tr("Render &WAV…"), "actionRenderWav");
    connect(render_wav_, &QAction::triggered, this, &MainWindow::renderWavDialog);
    quit_ = make(tr("&Quit"), "actionQuit", QKeySequence::Quit);
    connect(quit_, &QAction::triggered, this, &QWidget::close);

    clear_region_ = make(tr("Clear selection / mask"), "actionClearRegion", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    connect(clear_region_, &QAction::triggered, this, &MainWindow::clearRegion);
    erase_notes_ = make(tr("Delete selected notes / erase in mask"), "actionEraseNotes", QKeySequence::Delete);
    connect(erase_notes_, &QAction::triggered, this, &MainWindow::eraseSelectedNotes);
    tools_ = new QActionGroup(this);
    const std::pair<PianoRollView::Tool, QString> tools[] = {
        {PianoRollView::Tool::select, tr("&Select notes / rectangle")},
        {PianoRollView::Tool::mask_paint, tr("&Paint mask")},
        {PianoRollView::Tool::mask_erase, tr("E&rase mask")},
        {PianoRollView::Tool::pencil, tr("Pe&ncil (draw notes)")},
    };
    int k = 0;
    for (const auto& [tool, text] : tools) {
        auto* a = make(text, k == 0 ? "actionToolSelect" : k == 1 ? "actionToolPaint" : k == 2 ? "actionToolErase" : "actionToolPencil",
                       QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + k)));
        a->setCheckable(true);
        a->setChecked(tool == view_->tool());
        tools_->addAction(a);
        const PianoRollView::Tool t = tool;
        connect(a, &QAction::triggered, this, [this, t] { view_->setTool(t); });
        ++k;
    }

    fold_ = make(tr("&Fold 256×256"), "actionFold", QKeySequence(Qt::CTRL | Qt::Key_F));
    fold_->setCheckable(true);
    fold_->setToolTip(tr("Show a 512-wide roll as the 256×256 square (steps 256–511 under 0–255)"));
    connect(fold_, &QAction::toggled, this, [this](bool on) {
        view_->setFolded(on);
        const QSignalBlocker block(fold_);
        fold_->setChecked(view_->folded());
    });
    zoom_in_ = make(tr("Zoom &in"), "actionZoomIn", QKeySequence::ZoomIn);
    connect(zoom_in_, &QAction::triggered, this, [this] { zoom(kZoomStep); });
    zoom_out_ = make(tr("Zoom &out"), "actionZoomOut", QKeySequence::ZoomOut);
    connect(zoom_out_, &QAction::triggered, this, [this] { zoom(1.0 / kZoomStep); });

    generate_ = make(tr("&Generate"), "actionGenerate", QKeySequence(Qt::CTRL | Qt::Key_G));
    connect(generate_, &QAction::triggered, this, &MainWindow::generate);
    cancel_ = make(tr("&Cancel generation"), "actionCancel", QKeySequence(Qt::Key_Escape));
    cancel_->setEnabled(false);
    connect(cancel_, &QAction::triggered, this, &MainWindow::cancelGeneration);

    about_ = make(tr("&About FractalMIDI Studio"), "actionAbout");
    connect(about_, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About FractalMIDI Studio"),
                           tr("<b>FractalMIDI Studio</b> %1<p>A fractal generative model of piano rolls "
                              "(after <i>Fractal Generative Models</i>, Li et al. 2025): generate, watch every level "
                              "fill the roll, listen, and export MIDI.</p>")
                               .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(new_);
    file->addAction(open_);
    recent_menu_ = file->addMenu(tr("Open &Recent"));
    recent_menu_->setObjectName(QStringLiteral("recentMenu"));
    connect(recent_menu_, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    file->addSeparator();
    file->addAction(export_mid_);
    file->addAction(export_png_);
    file->addAction(render_wav_);
    QAction* soundfont = file->addAction(tr("Choose &Soundfont…"));
    soundfont->setObjectName(QStringLiteral("chooseSoundfont"));
    connect(soundfont, &QAction::triggered, this, [this] {
        const QString start = playback_->soundfont().isEmpty() ? QStringLiteral("/usr/share/sounds/sf2") : playback_->soundfont();
        const QString path = QFileDialog::getOpenFileName(this, tr("Choose a General MIDI soundfont"), start, tr("SoundFont (*.sf2 *.sf3)"));
        if (path.isEmpty()) return;
        playback_->setSoundfont(path);   // remembered; the status bar says when it cannot be loaded
        statusBar()->showMessage(playback_->soundfont().isEmpty() ? tr("No usable soundfont: %1").arg(path)
                                                                  : tr("Soundfont: %1").arg(playback_->soundfont()),
                                 5000);
    });
    file->addSeparator();
    file->addAction(quit_);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    QAction* undo = undo_->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    QAction* redo = undo_->createRedoAction(this, tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    edit->addAction(cut_);
    edit->addAction(copy_);
    edit->addAction(paste_);
    edit->addAction(select_all_);
    edit->addSeparator();
    edit->addAction(clear_region_);
    edit->addAction(erase_notes_);
    edit->addSeparator();
    edit->addActions(tools_->actions());

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(fold_);
    view->addAction(fit_);
    view->addAction(zoom_in_);
    view->addAction(zoom_out_);
    view->addSeparator();
    for (QDockWidget* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());
    view->addAction(transport_->toggleViewAction());

    QMenu* gen = menuBar()->addMenu(tr("&Generate"));
    gen->addAction(generate_);
    gen->addAction(fill_around_);
    gen->addAction(continue_here_);
    gen->addAction(cancel_);

    QMenu* training = menuBar()->addMenu(tr("&Training"));
    train_ = training->addAction(tr("&New Run…"));
    train_->setObjectName(QStringLiteral("actionTrainingNewRun"));
    connect(train_, &QAction::triggered, this, &MainWindow::showTrainingDialog);
    QAction* open_run = training->addAction(tr("&Open Run…"));
    open_run->setObjectName(QStringLiteral("actionTrainingOpenRun"));
    open_run->setToolTip(tr("reopen a stopped or crashed run from its folder: its curves, checkpoints and Resume"));
    connect(open_run, &QAction::triggered, this, [this] {
        showTrainingDialog();
        const QString dir = QFileDialog::getExistingDirectory(training_, tr("Open a training run"));
        if (!dir.isEmpty()) training_->openRun(dir);
    });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(about_);
}

void MainWindow::showTrainingDialog() {
    if (!training_) {
        training_ = new TrainingDialog(this);   // lives as long as the window: closing it only hides it
        // The status bar shows the run as a link that brings its monitor back.
        auto link = [](const QString& text) { return QStringLiteral("<a href=\"monitor\">%1</a>").arg(text.toHtmlEscaped()); };
        connect(training_, &TrainingDialog::runningChanged, this, [this, link](bool running, const QString& dir) {
            training_label_->setText(running ? link(tr("Training in %1").arg(dir)) : QString());
            training_label_->setVisible(running);
            if (!running) showMessage(tr("Training stopped (%1)").arg(dir));
        });
        connect(training_, &TrainingDialog::statusChanged, this, [this, link](const QString& line) { training_label_->setText(link(line)); });
        connect(training_, &TrainingDialog::playRequested, this, [this](const Roll& roll) {
            if (!playback_->play(roll, transport_->bpm(), false)) showMessage(tr("The preview sample is empty"));
        });
        connect(training_, &TrainingDialog::useCheckpoint, this, [this](const QString& path) {
            ModelSource source;
            source.kind = ModelSource::Kind::checkpoint, source.path = path;
            loadModel(source);
            raise();
            activateWindow();
        });
    }
    training_->show();
    training_->raise();
    training_->activateWindow();
}

void MainWindow::restoreSettings() {
    QSettings s;
    if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray())) resize(1280, 800);
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
}

void MainWindow::saveSettings() {
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
}

void MainWindow::closeEvent(QCloseEvent* e) {
    saveSettings();
    playback_->stop();
    cancelGeneration();
    e->accept();
}

void MainWindow::showRoll(const Roll& roll) {
    display(roll);
    lane_->setBars((roll.width + kStepsPerBar - 1) / kStepsPerBar);
    fold_->setEnabled(view_->canFold());
    const QSignalBlocker block(fold_);
    fold_->setChecked(view_->folded());
}

void MainWindow::onDocumentChanged() {
    if (!generating_ && variations_->current() < 0) showRoll(doc_->roll());
    updateTitle();
}

void MainWindow::onVariationShown(int variation) {
    updateEditable();
    if (generating_) return;
    showRoll(variation >= 0 && variation < variations_->count() ? variations_->variation(variation) : doc_->roll());
}

void MainWindow::keepVariation(int variation) {
    if (variation < 0 || variation >= variations_->count()) return;
    RollState next = doc_->state();
    next.roll = variations_->variation(variation);
    if (next.roll.rows != doc_->roll().rows)   // another model's: one track, or the loaded model's tracks
        next.tracks = next.roll.rows == kPitches ? QStringList() : model_info_.tracks;
    for (float& c : next.roll.cells)   // a partial variation's ungenerated cells become silence
        if (c < 0) c = 0;
    undo_->push(new ReplaceRollCommand(doc_, std::move(next), tr("Keep variation %1").arg(variation + 1)));
    variations_->showCurrentRoll();
    showMessage(tr("Variation %1 is now the current roll (Ctrl+Z undoes)").arg(variation + 1));
}

void MainWindow::setDocumentRoll(const Roll& roll, const QString& name, const QStringList& tracks) {
    RollState next;
    next.roll = roll;
    next.name = name;
    next.tracks = tracks.size() > 1 ? tracks : QStringList();
    undo_->push(new ReplaceRollCommand(doc_, std::move(next), tr("Replace the roll")));
    variations_->showCurrentRoll();
}

void MainWindow::newRoll(int width) {
    playback_->stop();
    RollState next;
    next.roll = Roll(width, 0.0f, modelRows());   // a multi-track model's tracks, all empty
    next.tracks = model_info_.tracks;
    undo_->push(new ReplaceRollCommand(doc_, std::move(next), tr("New roll")));
    variations_->showCurrentRoll();
    showMessage(tr("New empty roll of %1 steps (%2 bars)").arg(width).arg(width / kStepsPerBar));
}

void MainWindow::togglePlay() {
    if (playback_->playing()) {
        playback_->stop();
        return;
    }
    if (!playback_->play(audibleRoll(), transport_->bpm(), transport_->loop())) {
        const QSignalBlocker block(transport_->playAction());
        transport_->playAction()->setChecked(false);
        showMessage(tr("Nothing to play"));
    }
}

void MainWindow::updateTitle() {
    const QString name = doc_->name().isEmpty() ? tr("untitled") : doc_->name();
    setWindowTitle(QStringLiteral("%1[*] — FractalMIDI Studio").arg(name));
    setWindowModified(!undo_->isClean());
}

void MainWindow::zoom(double factor) { view_->setZoom(view_->stepWidth() * factor, view_->pitchHeight()); }

void MainWindow::clearRegion() {
    view_->setSelection(QRect());
    view_->clearMask();
}

void MainWindow::eraseSelectedNotes() {
    if (variations_->current() >= 0 || generating_) {
        showMessage(tr("Erase works on the current roll: switch to the \"Current roll\" tab"));
        return;
    }
    if (view_->mask().empty() && view_->deleteSelectedNotes()) return;   // the selected notes, whole
    const Roll& roll = doc_->roll();
    const size_t per_track = size_t(kPitches) * size_t(roll.width);
    std::vector<uint8_t> cells(roll.cells.size(), 0);   // in the active track's rows of a multi-track roll
    const size_t at = roll.rows > kPitches ? size_t(tracks_->active()) * per_track : 0;
    if (view_->mask().size() == per_track) {
        std::copy(view_->mask().begin(), view_->mask().end(), cells.begin() + std::ptrdiff_t(at));
    } else if (!view_->selection().isEmpty()) {
        const QRect r = view_->selection().intersected(QRect(0, 0, roll.width, kPitches));
        for (int p = r.top(); p <= r.bottom(); ++p)
            for (int t = r.left(); t <= r.right(); ++t) cells[at + size_t(p) * size_t(roll.width) + size_t(t)] = 1;
    }
    if (std::find(cells.begin(), cells.end(), 1) == cells.end()) {
        showMessage(tr("Select a region or paint a mask first"));
        return;
    }
    undo_->push(new FillRegionCommand(doc_, std::move(cells), 0.0f, tr("Erase notes")));
}

void MainWindow::showMessage(const QString& text) { statusBar()->showMessage(text, kMessageMs); }

void MainWindow::showError(const QString& what, bool file_error) {
    last_error_ = what;
    statusBar()->showMessage(tr("Error: %1").arg(what), 2 * kMessageMs);
    if (file_error && interactive_) QMessageBox::warning(this, tr("FractalMIDI Studio"), what);
}

}  // namespace fm::ui
