// test_studio_window.cpp — the main window offscreen: it shows quickly, the fold action folds a 512-wide roll, an
// export is read back by core identically, opening is undoable, and the MIDI-out control says why it is off.
#include <QAction>
#include <QComboBox>
#include <QElapsedTimer>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include "core/midi_roll.h"
#include "studio_test_support.h"
#include "ui/main_window.h"
#include "ui/midi_out_box.h"
#include "ui/piano_roll_view.h"
#include "ui/playback.h"
#include "ui/roll_document.h"

using fm::ui::MainWindow;

class TestStudioWindow : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private Q_SLOTS:
    void initTestCase() {
        studiotest::isolateSettings();
        QSettings().clear();
        QVERIFY(dir_.isValid());
    }

    void constructsAndShowsQuickly() {
        QElapsedTimer clock;
        clock.start();
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        const qint64 ms = clock.elapsed();
        qInfo("main window constructed and exposed in %lld ms", ms);
        QVERIFY2(ms < 2000, qPrintable(QStringLiteral("%1 ms").arg(ms)));
        QStringList menus;
        for (QAction* a : w.menuBar()->actions()) menus << a->text().remove(QLatin1Char('&'));
        QCOMPARE(menus, (QStringList{"File", "Edit", "View", "Generate", "Training", "Help"}));
        QCOMPARE(w.shownRoll().width, 128);
        QVERIFY(w.windowTitle().contains(QStringLiteral("FractalMIDI Studio")));
    }

    void generateIsInSightAtTheDefaultSize() {
        MainWindow w;
        QCOMPARE(w.size(), QSize(1280, 800));   // no saved geometry: the default size
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        auto* generate = w.findChild<QPushButton*>(QStringLiteral("generateButton"));
        QVERIFY(generate);
        QVERIFY(generate->isVisible());
        // Wholly visible: not cut by the scroll area or the dock, and inside the window.
        QCOMPARE(generate->visibleRegion().boundingRect(), generate->rect());
        QVERIFY(w.rect().contains(QRect(generate->mapTo(&w, QPoint(0, 0)), generate->size())));
        QVERIFY(w.findChild<QPushButton*>(QStringLiteral("cancelButton"))->isVisible());
    }

    void foldActionTogglesTheViewForA512WideRoll() {
        MainWindow w;
        w.show();
        QVERIFY(!w.foldAction()->isEnabled());   // 128 wide: nothing to fold
        w.setDocumentRoll(studiotest::codedRoll(512), QStringLiteral("long"));
        QVERIFY(w.foldAction()->isEnabled());
        QVERIFY(!w.view()->folded());
        w.foldAction()->trigger();
        QVERIFY(w.view()->folded());
        QVERIFY(w.foldAction()->isChecked());
        w.foldAction()->trigger();
        QVERIFY(!w.view()->folded());
        QVERIFY(!w.foldAction()->isChecked());
    }

    void exportWritesAFileCoreReadsBackIdentically() {
        MainWindow w;
        w.setInteractive(false);
        const fm::Roll roll = studiotest::codedRoll(256);
        w.setDocumentRoll(roll, QStringLiteral("coded"));
        QCOMPARE(w.shownRoll(), roll);
        const QString path = dir_.filePath(QStringLiteral("export.mid"));
        QVERIFY2(w.exportMidi(path), qPrintable(w.lastError()));
        const fm::MidiRoll back = fm::load_midi(path.toStdString());
        QCOMPARE(back.roll.width, roll.width);
        QVERIFY(back.roll == roll);
        QCOMPARE(back.tempo.front().bpm(), 120.0);

        // Opening it again is one undoable step; the tempo comes from the file.
        w.setDocumentRoll(fm::Roll(128), QStringLiteral("empty"));
        QVERIFY(w.openMidi(path));
        QVERIFY(w.document()->roll() == roll);
        w.undoStack()->undo();
        QCOMPARE(w.document()->roll().width, 128);
        QVERIFY(!w.openMidi(dir_.filePath(QStringLiteral("missing.mid"))));
        QVERIFY(w.lastError().contains(QStringLiteral("missing.mid")));
    }

    void midiOutIsDisabledWithTheReasonWhenThereIsNoMidiSystem() {
        QString why_ports, why_virtual;
        const QStringList ports = fm::ui::PlaybackController::midiPorts(&why_ports);
        const bool virtual_ok = fm::ui::PlaybackController::virtualPortSupported(&why_virtual);
        if (!ports.isEmpty() || virtual_ok) QSKIP("this machine has a MIDI system: the control is enabled");
        MainWindow w;
        auto* box = w.findChild<QComboBox*>(QStringLiteral("midiOutCombo"));
        QVERIFY(box);
        QVERIFY(!box->isEnabled());
        const QString reason = why_ports.isEmpty() ? why_virtual : why_ports;
        qInfo("MIDI-out tooltip: %s", qPrintable(box->toolTip()));
        QVERIFY(!reason.isEmpty());
        QVERIFY(box->toolTip().contains(reason));
    }
};

QTEST_MAIN(TestStudioWindow)
#include "test_studio_window.moc"
