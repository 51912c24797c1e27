// test_studio_window_generate.cpp — generation from the main window with random tiny weights: the roll shows the
// canvas live, results become variation tabs, "Keep" is one undo step, Cancel keeps a partial variation.
#include <QComboBox>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTest>
#include <QUndoStack>

#include "studio_test_support.h"
#include "ui/generate_panel.h"
#include "ui/level_progress.h"
#include "ui/main_window.h"
#include "ui/piano_roll_view.h"
#include "ui/roll_document.h"
#include "ui/variation_bar.h"

using fm::ui::MainWindow;

class TestStudioWindowGenerate : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        studiotest::isolateSettings();
        QSettings().clear();
    }

    void generateShowsVariationsAndKeepIsUndoable() {
        MainWindow w;
        w.setInteractive(false);
        w.show();
        QVERIFY(studiotest::loadRandomModel(w));
        w.findChild<QSpinBox*>(QStringLiteral("variationsBox"))->setValue(2);
        QSignalSpy done(&w, &MainWindow::generationFinished);
        w.generate();
        QVERIFY(w.generating());
        QCOMPARE(studiotest::unknownCells(w.view()->roll()), 128 * 128);   // the empty canvas, live
        QVERIFY(done.wait(90000));
        QCOMPARE(done.first().at(0).toBool(), false);
        QVERIFY(!w.generating());
        QCOMPARE(w.variations()->count(), 2);
        QVERIFY(!w.variations()->partial());
        QCOMPARE(w.variations()->current(), 0);
        QCOMPARE(w.shownRoll(), w.variations()->variation(0));
        QCOMPARE(studiotest::unknownCells(w.shownRoll()), 0);
        QCOMPARE(w.levelProgress()->overall(), 1.0);
        for (int row = 0; row < 4; ++row) {   // done: every level's row full, none left at "step 0 of N"
            const QString text = w.levelProgress()->rowText(row);
            QVERIFY2(!text.contains(QStringLiteral("step 0 of")), qPrintable(text));
        }
        // The seed drawn for this run is written back to the seed box and named in the status bar.
        const int seed = w.generatePanel()->seedBox()->value();
        QVERIFY2(w.statusBar()->currentMessage().contains(QStringLiteral("seed %1").arg(seed)),
                 qPrintable(w.statusBar()->currentMessage()));

        const fm::Roll before = w.document()->roll();
        const fm::Roll second = w.variations()->variation(1);
        w.variations()->showVariation(1);
        QCOMPARE(w.shownRoll(), second);
        Q_EMIT w.variations()->keepRequested(1);
        QCOMPARE(w.document()->roll(), second);
        QCOMPARE(w.variations()->current(), -1);
        QCOMPARE(w.shownRoll(), second);
        w.undoStack()->undo();
        QCOMPARE(w.document()->roll(), before);
        QCOMPARE(w.shownRoll(), before);
    }

    void cancelKeepsThePartialRollAsAVariation() {
        MainWindow w;
        w.setInteractive(false);
        w.show();
        QVERIFY(studiotest::loadRandomModel(w));
        w.findChild<QComboBox*>(QStringLiteral("versionCombo"))->setCurrentIndex(1);   // 512 wide
        const int iters[3] = {16, 8, 4};
        for (int i = 0; i < 3; ++i) w.findChild<QSpinBox*>(QStringLiteral("iterations%1").arg(i))->setValue(iters[i]);
        QSignalSpy done(&w, &MainWindow::generationFinished);
        w.generate();
        QTRY_VERIFY_WITH_TIMEOUT(w.levelProgress()->lastLevel() >= 0, 60000);   // progress has arrived
        w.cancelGeneration();
        QVERIFY(done.count() > 0 || done.wait(90000));
        QCOMPARE(done.first().at(0).toBool(), true);
        QCOMPARE(w.variations()->count(), 1);
        QVERIFY(w.variations()->partial());
        QCOMPARE(w.shownRoll().width, 512);
        QVERIFY(studiotest::unknownCells(w.shownRoll()) > 0);
        // Kept, the ungenerated cells become silence.
        Q_EMIT w.variations()->keepRequested(0);
        QCOMPARE(studiotest::unknownCells(w.document()->roll()), 0);
        QCOMPARE(w.document()->roll().width, 512);
    }

    void inpaintingNeedsARegionAndKeepsEverythingElse() {
        MainWindow w;
        w.setInteractive(false);
        w.show();
        QVERIFY(studiotest::loadRandomModel(w));
        const fm::Roll source = studiotest::codedRoll(128);
        w.setDocumentRoll(source, QStringLiteral("coded"));
        w.findChild<QComboBox*>(QStringLiteral("modeCombo"))->setCurrentIndex(2);   // inpaint
        QSignalSpy done(&w, &MainWindow::generationFinished);
        w.generate();
        QVERIFY(!w.generating());
        QVERIFY(w.lastError().contains(QStringLiteral("Inpainting")));
        w.view()->setSelection(QRect(32, 40, 32, 24));   // steps 32..63, pitches 40..63
        w.generate();
        QVERIFY(done.wait(90000));
        const fm::Roll out = w.variations()->variation(0);
        for (int p = 0; p < 128; ++p)
            for (int t = 0; t < 128; ++t)
                if (!(t >= 32 && t < 64 && p >= 40 && p < 64)) QCOMPARE(out.at(p, t), source.at(p, t));
        QCOMPARE(studiotest::unknownCells(out), 0);
    }

    void precisionChoiceReloadsTheModelAndIsRemembered() {
        MainWindow w;
        QVERIFY(studiotest::loadRandomModel(w));
        auto* precision = w.findChild<QComboBox*>(QStringLiteral("precisionCombo"));
        QVERIFY(precision);
        QSignalSpy ready(&w, &MainWindow::modelReady);
        for (const QString& want : {QStringLiteral("fp32"), QStringLiteral("bf16")}) {
            const int i = precision->findData(want);
            QVERIFY(i >= 0);
            precision->setCurrentIndex(i);
            Q_EMIT precision->activated(i);   // what a click does
            QVERIFY(ready.wait(30000));
            const auto info = ready.takeLast().at(0).value<fm::ui::ModelInfo>();
            QCOMPARE(info.precision, want);   // bf16 is used even where only emulated: it was asked for
            QVERIFY(w.findChild<QLabel*>(QStringLiteral("modelInfo"))->text().contains(want + QStringLiteral(" matmuls")));
            QCOMPARE(QSettings().value(QStringLiteral("model/precision")).toString(), want);
        }
        QSignalSpy done(&w, &MainWindow::generationFinished);
        w.generate();   // a bf16 model generates a whole roll
        QVERIFY(done.wait(90000));
        QCOMPARE(studiotest::unknownCells(w.variations()->variation(0)), 0);
        precision->setCurrentIndex(precision->findData(QStringLiteral("auto")));
        Q_EMIT precision->activated(precision->currentIndex());
        QVERIFY(ready.wait(30000));
    }
};

QTEST_MAIN(TestStudioWindowGenerate)
#include "test_studio_window_generate.moc"
