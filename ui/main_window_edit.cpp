// Editing in the studio: the velocity lane, the Edit toolbar (tools, snap grid, velocity), the clipboard, Fit, and
// each finished edit of the piano roll pushed onto the undo stack as one command.
#include <QAction>
#include <QActionGroup>
#include <QComboBox>
#include <QLabel>
#include <QLayout>
#include <QSpinBox>
#include <QToolBar>
#include <QUndoStack>

#include <array>
#include <utility>

#include "ui/jam_controller.h"
#include "ui/main_window.h"
#include "core/track_rolls.h"
#include "ui/track_list.h"
#include "ui/piano_roll_view.h"
#include "ui/playback.h"
#include "ui/roll_commands.h"
#include "ui/roll_document.h"
#include "ui/variation_bar.h"
#include "ui/velocity_lane.h"

namespace fm::ui {

void MainWindow::createEditing() {
    auto make = [this](const QString& text, const char* name, const QKeySequence& key) {
        auto* a = new QAction(text, this);
        a->setObjectName(QString::fromLatin1(name));
        a->setShortcut(key);
        a->setShortcutContext(Qt::WindowShortcut);
        return a;
    };
    copy_ = make(tr("&Copy notes"), "actionCopy", QKeySequence::Copy);
    connect(copy_, &QAction::triggered, this, [this] {
        if (!view_->copySelected()) showMessage(tr("Select notes to copy first"));
    });
    cut_ = make(tr("Cu&t notes"), "actionCut", QKeySequence::Cut);
    connect(cut_, &QAction::triggered, this, [this] {
        if (!view_->cutSelected()) showMessage(tr("Select notes of the current roll to cut first"));
    });
    paste_ = make(tr("&Paste at the playhead"), "actionPaste", QKeySequence::Paste);
    connect(paste_, &QAction::triggered, this, [this] {
        if (!view_->hasClipboard()) return showMessage(tr("Nothing copied yet"));
        const int at = std::max(0, view_->playhead());   // no playhead: the start of the roll
        if (!view_->paste(at)) showMessage(tr("Paste works on the current roll: switch to the \"Current roll\" tab"));
    });
    select_all_ = make(tr("Select &all notes"), "actionSelectAll", QKeySequence::SelectAll);
    connect(select_all_, &QAction::triggered, view_, &PianoRollView::selectAll);
    fit_ = make(tr("&Fit the roll in view"), "actionFit", QKeySequence(Qt::CTRL | Qt::Key_0));
    connect(fit_, &QAction::triggered, view_, &PianoRollView::fitToView);
    fill_around_ = make(tr("&Fill around selection"), "actionFillAround", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
    fill_around_->setToolTip(tr("Generate everything except the selected notes"));
    connect(fill_around_, &QAction::triggered, this, &MainWindow::fillAroundSelection);
    continue_here_ = make(tr("Continue from &here"), "actionContinueHere", QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_G));
    continue_here_->setToolTip(tr("Keep what is left of the playhead and generate the rest"));
    connect(continue_here_, &QAction::triggered, this, &MainWindow::continueFromPlayhead);
    for (QAction* a : {copy_, cut_, paste_, select_all_, fit_, fill_around_, continue_here_}) addAction(a);

    auto* bar = new QToolBar(tr("Edit"), this);
    bar->setObjectName(QStringLiteral("editToolBar"));
    const char* const short_names[] = {"Select", "Paint mask", "Erase mask", "Pencil"};   // tools_' order
    for (int i = 0; i < int(tools_->actions().size()) && i < 4; ++i) tools_->actions()[i]->setIconText(tr(short_names[i]));
    bar->addActions(tools_->actions());
    bar->addSeparator();
    bar->addWidget(new QLabel(tr(" Snap "), bar));
    auto* grid = new QComboBox(bar);
    grid->setObjectName(QStringLiteral("gridBox"));
    grid->setToolTip(tr("Snap of the pencil, moves and resizes"));
    const std::array<std::pair<QString, int>, 4> grids = {{{tr("1/16"), 1}, {tr("1/8"), 2}, {tr("1/4"), 4}, {tr("bar"), kStepsPerBar}}};
    for (const auto& [text, steps] : grids) grid->addItem(text, steps);
    connect(grid, &QComboBox::currentIndexChanged, this, [this, grid](int) { view_->setGrid(grid->currentData().toInt()); });
    grid->setCurrentIndex(0);
    bar->addWidget(grid);
    bar->addWidget(new QLabel(tr("  Velocity "), bar));
    auto* velocity = new QSpinBox(bar);
    velocity->setObjectName(QStringLiteral("velocityBox"));
    velocity->setRange(1, 127);
    velocity->setToolTip(tr("Velocity of drawn notes (the last one picked or set)"));
    velocity->setValue(view_->pencilVelocity());
    connect(velocity, &QSpinBox::valueChanged, view_, &PianoRollView::setPencilVelocity);
    connect(view_, &PianoRollView::pencilVelocityChanged, velocity, [velocity](int v) {
        const QSignalBlocker block(velocity);
        velocity->setValue(v);
    });
    bar->addWidget(velocity);
    bar->addSeparator();
    bar->addAction(fit_);
    bar->addAction(fill_around_);
    bar->addAction(continue_here_);
    addToolBarBreak(Qt::TopToolBarArea);   // a row of its own under the transport
    addToolBar(Qt::TopToolBarArea, bar);

    connect(view_, &PianoRollView::rollEdited, this, &MainWindow::onRollEdited);
    connect(view_, &PianoRollView::noteClicked, playback_, [this](int pitch, int v) { playback_->audition(pitch, v); });
}

void MainWindow::onRollEdited(const Roll& after, const QString& what) {
    if (generating_ || variations_->current() >= 0 || jam_->running()) {   // not editable then; put back what is shown
        showRoll(variations_->current() >= 0 ? variations_->variation(variations_->current()) : doc_->roll());
        return;
    }
    // The view edits the active track of a multi-track roll.
    Roll whole = after;
    if (doc_->roll().rows > kPitches) {
        whole = doc_->roll();
        set_track(whole, tracks_->active(), after);
    }
    // Arrow-key nudges in a row merge into one step; every other gesture is its own.
    undo_->push(new EditCellsCommand(doc_, whole, what, what == view_->nudgeText() ? 1 : -1));
}

void MainWindow::updateEditable() { view_->setEditable(!generating_ && variations_->current() < 0 && !(jam_ && jam_->running())); }

}  // namespace fm::ui
