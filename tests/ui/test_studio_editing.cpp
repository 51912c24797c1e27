// test_studio_editing.cpp — writing in the studio's roll: the pencil, picking and dragging notes (move, resize),
// delete, nudge, copy and paste, select all, the velocity lane; one drag is one undo step and undo/redo restore the
// cells bit for bit; an edited roll survives a .mid round trip; Fit shows a folded 32-bar roll whole; and "Fill
// around selection" with the default model keeps the selected notes and fills the rest.
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QMouseEvent>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>
#include <QUndoStack>

#include <algorithm>

#include "core/midi_roll.h"
#include "core/notes.h"
#include "studio_test_support.h"
#include "ui/main_window.h"
#include "ui/model_source.h"
#include "ui/piano_roll_view.h"
#include "ui/roll_document.h"
#include "ui/variation_bar.h"
#include "ui/velocity_lane.h"

using fm::StepNote;
using fm::ui::MainWindow;
using fm::ui::PianoRollView;

namespace {

void send(QWidget* w, QEvent::Type type, QPoint pos, Qt::MouseButton button, Qt::MouseButtons buttons,
          Qt::KeyboardModifiers mods = Qt::NoModifier) {
    QMouseEvent e(type, QPointF(pos), w->mapToGlobal(QPointF(pos)), button, buttons, mods);
    QApplication::sendEvent(w, &e);
}

// A press, moves through `path` with the button held, and a release at its end.
void drag(QWidget* w, const std::vector<QPoint>& path, Qt::KeyboardModifiers mods = Qt::NoModifier) {
    send(w, QEvent::MouseButtonPress, path.front(), Qt::LeftButton, Qt::LeftButton, mods);
    for (size_t i = 1; i < path.size(); ++i) send(w, QEvent::MouseMove, path[i], Qt::NoButton, Qt::LeftButton, mods);
    send(w, QEvent::MouseButtonRelease, path.back(), Qt::LeftButton, Qt::NoButton, mods);
}

void click(QWidget* w, QPoint pos, Qt::KeyboardModifiers mods = Qt::NoModifier) { drag(w, {pos}, mods); }

QAction* action(MainWindow& w, const char* name) { return w.findChild<QAction*>(QString::fromLatin1(name)); }

std::vector<StepNote> docNotes(MainWindow& w) { return fm::roll_to_notes(w.document()->roll()); }

struct Window {
    MainWindow w;
    PianoRollView* view;
    QWidget* vp;
    Window() {
        w.setInteractive(false);
        w.resize(1280, 800);
        w.show();
        if (!QTest::qWaitForWindowExposed(&w)) qWarning("window not exposed");
        view = w.view();
        vp = view->viewport();
        view->setZoom(12, 6);
    }
    void setNotes(const std::vector<StepNote>& notes, int width = 128) {
        w.setDocumentRoll(fm::notes_to_roll(notes, width), QStringLiteral("motif"));
        view->ensureStepVisible(0);
    }
    void setGrid(int index) { w.findChild<QComboBox*>(QStringLiteral("gridBox"))->setCurrentIndex(index); }
    QPoint cell(int pitch, int step) const { return view->cellCenter(pitch, step); }
};

}  // namespace

class TestStudioEditing : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        studiotest::isolateSettings();
        QSettings().clear();
    }

    void editingPencilDrawsANoteAtItsPitchOnsetLengthAndVelocity() {
        Window t;
        t.setNotes({});
        t.setGrid(2);   // 1/4: four steps
        t.w.findChild<QSpinBox*>(QStringLiteral("velocityBox"))->setValue(90);
        action(t.w, "actionToolPencil")->trigger();
        QCOMPARE(t.view->tool(), PianoRollView::Tool::pencil);
        t.view->ensureStepVisible(0);
        const int before = t.w.undoStack()->count();
        // Pressed in step 5 (snapped down to 4), dragged through step 13: a note of steps 4..15.
        drag(t.vp, {t.cell(60, 5), t.cell(60, 8), t.cell(60, 11), t.cell(60, 13)});
        QCOMPARE(t.w.undoStack()->count(), before + 1);   // the whole drag: one command
        const auto notes = docNotes(t.w);
        QCOMPARE(notes.size(), size_t(1));
        QCOMPARE(notes[0], (StepNote{60, 4, 16, 90}));
        QCOMPARE(t.view->selectedNotes().size(), size_t(1));   // the drawn note is selected

        // A second note at 1/16 with the velocity box changed.
        t.setGrid(0);
        t.w.findChild<QSpinBox*>(QStringLiteral("velocityBox"))->setValue(40);
        click(t.vp, t.cell(67, 20));
        const auto two = docNotes(t.w);
        QCOMPARE(two.size(), size_t(2));
        QVERIFY(std::find(two.begin(), two.end(), StepNote{67, 20, 21, 40}) != two.end());
    }

    void editingMoveResizeAndUndoRestoreTheCellsBitForBit() {
        Window t;
        t.setNotes({{60, 0, 4, 100}, {64, 4, 8, 90}});
        action(t.w, "actionToolSelect")->trigger();
        t.setGrid(0);
        const fm::Roll original = t.w.document()->roll();
        const int before = t.w.undoStack()->count();
        QSignalSpy heard(t.view, &PianoRollView::noteClicked);   // the studio auditions it
        // Grab E4 in its second step and drag 4 steps right and 2 semitones up, through several cells.
        drag(t.vp, {t.cell(64, 5), t.cell(64, 6), t.cell(65, 7), t.cell(66, 9)});
        QCOMPARE(t.w.undoStack()->count(), before + 1);
        QCOMPARE(heard.count(), 1);
        QCOMPARE(heard.first().at(0).toInt(), 64);
        QCOMPARE(heard.first().at(1).toInt(), 90);
        QCOMPARE(docNotes(t.w), (std::vector<StepNote>{{60, 0, 4, 100}, {66, 8, 12, 90}}));
        const fm::Roll moved = t.w.document()->roll();
        t.w.undoStack()->undo();
        QCOMPARE(t.w.document()->roll(), original);
        QCOMPARE(t.view->roll(), original);
        t.w.undoStack()->redo();
        QCOMPARE(t.w.document()->roll(), moved);

        // Resize: the last step of the moved note is its right edge; drag it to step 15.
        drag(t.vp, {t.cell(66, 11), t.cell(66, 13), t.cell(66, 15)});
        QCOMPARE(docNotes(t.w), (std::vector<StepNote>{{60, 0, 4, 100}, {66, 8, 16, 90}}));
        QCOMPARE(t.w.undoStack()->count(), before + 2);

        // Shift+click adds C4 to the selection; the arrows nudge both a step right and a semitone down.
        click(t.vp, t.cell(60, 1), Qt::ShiftModifier);
        QCOMPARE(t.view->selectedNotes().size(), size_t(2));
        const fm::Roll before_nudges = t.w.document()->roll();
        const int steps_before_nudges = t.w.undoStack()->count();
        QTest::keyClick(t.view, Qt::Key_Right);
        QTest::keyClick(t.view, Qt::Key_Down);
        QCOMPARE(docNotes(t.w), (std::vector<StepNote>{{59, 1, 5, 100}, {65, 9, 17, 90}}));
        QCOMPARE(t.w.undoStack()->count(), steps_before_nudges + 1);   // nudges in a row: one step
        const fm::Roll nudged = t.w.document()->roll();
        t.w.undoStack()->undo();
        QCOMPARE(t.w.document()->roll(), before_nudges);
        t.w.undoStack()->redo();
        QCOMPARE(t.w.document()->roll(), nudged);
        t.view->selectNotes(fm::roll_to_notes(nudged));

        // Delete removes the selected notes whole.
        click(t.vp, t.cell(65, 10));
        QCOMPARE(t.view->selectedNotes().size(), size_t(1));
        action(t.w, "actionEraseNotes")->trigger();
        QCOMPARE(docNotes(t.w), (std::vector<StepNote>{{59, 1, 5, 100}}));
        // A plain click on nothing clears the selection.
        click(t.vp, t.cell(90, 40));
        QVERIFY(t.view->selectedIndices().empty());
    }

    void editingRubberBandCopyPasteAndSelectAll() {
        Window t;
        t.setNotes({{60, 0, 4, 100}, {64, 4, 8, 90}, {67, 8, 12, 80}, {84, 0, 16, 50}});
        action(t.w, "actionToolSelect")->trigger();
        // A rectangle over steps 0..11 and pitches 58..70 takes the three low notes, not the high C.
        drag(t.vp, {t.cell(70, 0), t.cell(64, 6), t.cell(58, 11)});
        QCOMPARE(t.view->selectedNotes().size(), size_t(3));
        action(t.w, "actionCopy")->trigger();
        // The playhead from a click on the ruler; paste puts the motif's first onset there.
        const QPoint ruler(t.cell(60, 32).x(), 10);
        click(t.vp, ruler);
        QCOMPARE(t.view->playhead(), 32);
        const int before = t.w.undoStack()->count();
        action(t.w, "actionPaste")->trigger();
        QCOMPARE(t.w.undoStack()->count(), before + 1);
        const auto notes = docNotes(t.w);
        for (const StepNote& n : {StepNote{60, 32, 36, 100}, StepNote{64, 36, 40, 90}, StepNote{67, 40, 44, 80}})
            QVERIFY2(std::find(notes.begin(), notes.end(), n) != notes.end(), qPrintable(QString::number(n.start)));
        QCOMPARE(notes.size(), size_t(7));
        action(t.w, "actionSelectAll")->trigger();
        QCOMPARE(t.view->selectedNotes().size(), size_t(7));
        // Cut takes them all away in one step; undo brings them back.
        action(t.w, "actionCut")->trigger();
        QVERIFY(docNotes(t.w).empty());
        t.w.undoStack()->undo();
        QCOMPARE(docNotes(t.w).size(), size_t(7));
    }

    void editingVelocityLaneScalesTheSelectedNotes() {
        Window t;
        t.setNotes({{60, 0, 4, 100}, {64, 4, 8, 50}, {67, 8, 12, 80}});
        action(t.w, "actionToolSelect")->trigger();
        click(t.vp, t.cell(60, 1));
        click(t.vp, t.cell(64, 5), Qt::ControlModifier);   // C4 and E4 selected, G4 not
        fm::ui::VelocityLane* lane = t.w.velocityLane();
        QVERIFY(lane->isVisible());
        const int c4 = 0;   // notes() is sorted by pitch: C4 first
        QCOMPARE(t.view->notes()[c4].pitch, 60);
        const int before = t.w.undoStack()->count();
        // Drag C4's bar from 100 down to 60: the selection scales by 0.6 (E4 50 -> 30), G4 stays.
        drag(lane, {lane->barPoint(c4, 100), lane->barPoint(c4, 80), lane->barPoint(c4, 60)});
        QCOMPARE(t.w.undoStack()->count(), before + 1);
        const auto notes = docNotes(t.w);
        QCOMPARE(notes.size(), size_t(3));
        const int c = notes[0].velocity, e = notes[1].velocity;
        QVERIFY2(std::abs(c - 60) <= 1, qPrintable(QString::number(c)));   // within a pixel of the lane's scale
        QCOMPARE(e, int(std::lround(50.0 * c / 100.0)));
        QCOMPARE(notes[2].velocity, 80);
        QCOMPARE(t.w.findChild<QSpinBox*>(QStringLiteral("velocityBox"))->value(), c);   // the last velocity used
    }

    void editingAnEditedRollSurvivesExportWithItsTouchingRestrikes() {
        Window t;
        t.setNotes({{64, 4, 8, 90}});
        t.setGrid(0);
        t.w.findChild<QSpinBox*>(QStringLiteral("velocityBox"))->setValue(90);
        action(t.w, "actionToolPencil")->trigger();
        click(t.vp, t.cell(64, 3));   // a one-step E4 right before the E4 at 4, at its velocity: they touch
        const auto edited = docNotes(t.w);
        QCOMPARE(edited.size(), size_t(2));
        QCOMPARE(edited[0].end, edited[1].start);
        const QString path = QDir::temp().filePath(QStringLiteral("fm-editing-%1.mid").arg(QCoreApplication::applicationPid()));
        QVERIFY(t.w.exportMidi(path));
        const fm::MidiRoll back = fm::load_midi(path.toStdString());
        QCOMPARE(fm::roll_to_notes(fm::pad(back.roll, t.w.document()->roll().width)), edited);
        QFile::remove(path);
    }

    void editingFitShowsAFolded32BarRollWhole() {
        Window t;
        t.setNotes({{60, 0, 4, 100}, {72, 508, 512, 100}}, 512);
        t.view->setFolded(true);
        QVERIFY(t.view->folded());
        action(t.w, "actionFit")->trigger();
        const QRect r = t.vp->rect();
        for (const QPoint& p : {t.cell(127, 0), t.cell(0, 255), t.cell(127, 256), t.cell(0, 511)})
            QVERIFY2(r.contains(p), qPrintable(QStringLiteral("%1,%2 outside").arg(p.x()).arg(p.y())));
        // Square: 256 columns as wide as the two bands of 128 rows are tall (square cells).
        QCOMPARE(t.view->stepWidth(), t.view->pitchHeight());
        // Unfolded, Fit fills each axis: all 512 steps across, all 128 pitches down.
        t.view->setFolded(false);
        action(t.w, "actionFit")->trigger();
        for (const QPoint& p : {t.cell(127, 0), t.cell(0, 511)})
            QVERIFY2(r.contains(p), qPrintable(QStringLiteral("%1,%2 outside").arg(p.x()).arg(p.y())));
    }

    void editingFillAroundSelectionKeepsTheSelectedNotes() {
        const QString model = fm::ui::defaultModelPath(128);
        if (model.isEmpty()) QSKIP("no default model installed");
        Window t;
        QSignalSpy ready(&t.w, &MainWindow::modelReady);
        fm::ui::ModelSource s;
        s.kind = fm::ui::ModelSource::Kind::checkpoint, s.path = model;
        t.w.loadModel(s);
        QVERIFY(ready.wait(60000));
        const std::vector<StepNote> motif = {{60, 0, 4, 96}, {64, 4, 8, 96}, {67, 8, 12, 96}, {72, 12, 16, 96}};
        t.setNotes(motif);
        t.w.findChild<QSpinBox*>(QStringLiteral("variationsBox"))->setValue(1);
        action(t.w, "actionSelectAll")->trigger();
        QCOMPARE(t.view->selectedNotes().size(), motif.size());
        QSignalSpy done(&t.w, &MainWindow::generationFinished);
        action(t.w, "actionFillAround")->trigger();
        QVERIFY(t.w.generating());
        QVERIFY(done.wait(120000));
        QCOMPARE(done.first().at(0).toBool(), false);
        QCOMPARE(t.w.variations()->count(), 1);
        const fm::Roll filled = t.w.variations()->variation(0);
        QCOMPARE(studiotest::unknownCells(filled), 0);
        const auto notes = fm::roll_to_notes(filled);
        for (const StepNote& n : motif) {
            QVERIFY2(std::find(notes.begin(), notes.end(), n) != notes.end(), qPrintable(QString::number(n.pitch)));
            for (int step = n.start; step < n.end; ++step) QCOMPARE(filled.at(n.pitch, step), t.w.document()->roll().at(n.pitch, step));
        }
        QVERIFY2(notes.size() > motif.size() + 8, qPrintable(QString::number(notes.size())));   // the model filled around them

        // Continue from here: the playhead from the ruler at bar 3; everything left of it is kept cell for cell.
        t.w.variations()->showCurrentRoll();
        const fm::Roll current = t.w.document()->roll();
        click(t.vp, QPoint(t.cell(60, 32).x(), 10));
        QCOMPARE(t.view->playhead(), 32);
        QSignalSpy again(&t.w, &MainWindow::generationFinished);
        action(t.w, "actionContinueHere")->trigger();
        QVERIFY(again.wait(120000));
        const fm::Roll continued = t.w.variations()->variation(0);
        QCOMPARE(studiotest::unknownCells(continued), 0);
        for (int p = 0; p < fm::kPitches; ++p)
            for (int step = 0; step < 32; ++step) QCOMPARE(continued.at(p, step), current.at(p, step));
        int after = 0;
        for (const StepNote& n : fm::roll_to_notes(continued)) after += n.start >= 32;
        QVERIFY2(after > 8, qPrintable(QString::number(after)));
    }
};

QTEST_MAIN(TestStudioEditing)
#include "test_studio_editing.moc"
