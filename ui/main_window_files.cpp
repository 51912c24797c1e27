// The File menu: open/import, recent files, export .mid / PNG, render WAV.
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>
#include <QUndoStack>

#include <cmath>
#include <exception>

#include "core/midi_roll.h"
#include "core/roll_image.h"
#include "core/track_rolls.h"
#include "ui/conditions_lane.h"
#include "ui/main_window.h"
#include "ui/piano_roll_view.h"
#include "ui/playback.h"
#include "ui/roll_commands.h"
#include "ui/roll_document.h"
#include "ui/track_list.h"
#include "ui/transport_bar.h"
#include "ui/variation_bar.h"

namespace fm::ui {

namespace {

const QString kRecentKey = QStringLiteral("recentFiles");
const QString kOpenFolderKey = QStringLiteral("folders/open");
const QString kExportFolderKey = QStringLiteral("folders/export");
constexpr int kMaxRecent = 10;
constexpr int kPngScale = 4;

QString midiFilter() { return QObject::tr("MIDI files (*.mid *.midi);;All files (*)"); }

}  // namespace

void MainWindow::openDialog() {
    const QString dir = QSettings().value(kOpenFolderKey).toString();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open / Import MIDI"), dir, midiFilter());
    if (!path.isEmpty()) openMidi(path);
}

bool MainWindow::openMidi(const QString& path) {
    MidiRoll m;
    const bool tracks = model_info_.tracks.size() > 1;   // a multi-track model: the file's tracks by its roles
    if (tracks) {
        if (!openTracks(path, &m)) return false;
    } else {
        try {
            m = load_midi(path.toStdString());
        } catch (const std::exception& e) {
            showError(QString::fromUtf8(e.what()), true);
            return false;
        }
        if (m.roll.width <= 0) {
            showError(tr("%1: the file has no notes").arg(path), true);
            return false;
        }
        playback_->stop();
        const int width = (m.roll.width + 3) / 4 * 4;   // the model works on multiples of 4 steps
        RollState next;
        next.roll = width == m.roll.width ? std::move(m.roll) : pad(m.roll, width);
        next.tempo = std::move(m.tempo);
        next.name = QFileInfo(path).fileName();
        undo_->push(new ReplaceRollCommand(doc_, std::move(next), tr("Open %1").arg(QFileInfo(path).fileName())));
    }
    undo_->setClean();
    variations_->showCurrentRoll();
    transport_->setBpm(doc_->firstBpm());
    // The file's harmony (all its tracks) in the conditions lane: what a continuation or an inpainting over it will follow.
    const Roll all = flatten_tracks(doc_->roll());
    lane_->showImported(estimate_key(all), estimate_bar_chords(all));
    addRecent(path);
    QSettings().setValue(kOpenFolderKey, QFileInfo(path).absolutePath());
    if (tracks) return true;   // openTracks said how the tracks were found
    QString text = tr("Opened %1: %2 notes, %3 steps (%4 bars), %5 bpm")
                       .arg(QFileInfo(path).fileName())
                       .arg(count_notes(doc_->roll()))
                       .arg(doc_->roll().width)
                       .arg(doc_->roll().width / double(kStepsPerBar), 0, 'f', 1)
                       .arg(doc_->firstBpm(), 0, 'f', 1);
    if (m.dropped_drum_notes > 0) text += tr(" · %1 drum notes left out").arg(m.dropped_drum_notes);
    showMessage(text);
    return true;
}

std::vector<TempoChange> MainWindow::exportTempo() const {
    // The imported tempo map while the transport still shows its first tempo; otherwise the transport's tempo.
    if (!doc_->tempo().empty() && std::abs(doc_->firstBpm() - transport_->bpm()) < 0.05) return doc_->tempo();
    TempoChange t;
    t.us_per_quarter = uint32_t(std::lround(60e6 / transport_->bpm()));
    return {t};
}

QString MainWindow::askSavePath(const QString& title, const QString& filter, const QString& suffix) {
    QSettings s;
    QString base = doc_->name().isEmpty() ? QStringLiteral("fractalmidi") : QFileInfo(doc_->name()).completeBaseName();
    if (variations_->current() >= 0) base += QStringLiteral("-variation%1").arg(variations_->current() + 1);
    const QString dir = s.value(kExportFolderKey, s.value(kOpenFolderKey)).toString();
    QString path = QFileDialog::getSaveFileName(this, title, QDir(dir).filePath(base + suffix), filter);
    if (path.isEmpty()) return {};
    if (QFileInfo(path).suffix().isEmpty()) path += suffix;
    s.setValue(kExportFolderKey, QFileInfo(path).absolutePath());
    return path;
}

bool MainWindow::exportMidi(const QString& path) {
    if (shown_.rows > kPitches) return exportTracks(path);   // one named MIDI track per audible track
    try {
        save_midi(path.toStdString(), shownRoll(), exportTempo());   // unknown (-1) cells are written as silence
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()), true);
        return false;
    }
    showMessage(tr("Exported %1 (%2 notes)").arg(QFileInfo(path).fileName()).arg(count_notes(shownRoll())));
    return true;
}

void MainWindow::exportMidiDialog() {
    const QString path = askSavePath(tr("Export MIDI"), midiFilter(), QStringLiteral(".mid"));
    if (!path.isEmpty()) exportMidi(path);
}

bool MainWindow::exportPng(const QString& path) {
    try {
        const Roll roll = shown_.rows > kPitches ? flatten_tracks(shown_, tracks_->shownTracks()) : shown_;
        const bool square = view_->folded() && roll.width % 2 == 0;
        save_roll_png(path.toStdString(), square ? fold(roll) : roll, kPngScale);
    } catch (const std::exception& e) {
        showError(QString::fromUtf8(e.what()), true);
        return false;
    }
    showMessage(tr("Exported %1").arg(QFileInfo(path).fileName()));
    return true;
}

void MainWindow::exportPngDialog() {
    const QString path = askSavePath(tr("Export PNG"), tr("PNG images (*.png)"), QStringLiteral(".png"));
    if (!path.isEmpty()) exportPng(path);
}

bool MainWindow::renderWav(const QString& path) {
    QApplication::setOverrideCursor(Qt::WaitCursor);
    QString error;
    const bool ok = playback_->renderWav(audibleRoll(), transport_->bpm(), path, &error);
    QApplication::restoreOverrideCursor();
    if (!ok) {
        showError(tr("Render WAV: %1").arg(error), true);
        return false;
    }
    showMessage(tr("Rendered %1").arg(QFileInfo(path).fileName()));
    return true;
}

void MainWindow::renderWavDialog() {
    const QString path = askSavePath(tr("Render WAV"), tr("WAV audio (*.wav)"), QStringLiteral(".wav"));
    if (!path.isEmpty()) renderWav(path);
}

void MainWindow::addRecent(const QString& path) {
    QSettings s;
    QStringList recent = s.value(kRecentKey).toStringList();
    const QString abs = QFileInfo(path).absoluteFilePath();
    recent.removeAll(abs);
    recent.prepend(abs);
    while (recent.size() > kMaxRecent) recent.removeLast();
    s.setValue(kRecentKey, recent);
}

void MainWindow::rebuildRecentMenu() {
    recent_menu_->clear();
    const QStringList recent = QSettings().value(kRecentKey).toStringList();
    for (const QString& path : recent) {
        QAction* a = recent_menu_->addAction(QFileInfo(path).fileName());
        a->setToolTip(path);
        a->setEnabled(QFileInfo(path).isFile());
        connect(a, &QAction::triggered, this, [this, path] { openMidi(path); });
    }
    if (recent.isEmpty()) recent_menu_->addAction(tr("(none)"))->setEnabled(false);
    recent_menu_->addSeparator();
    connect(recent_menu_->addAction(tr("Clear list")), &QAction::triggered, this,
            [] { QSettings().remove(kRecentKey); });
}

}  // namespace fm::ui
