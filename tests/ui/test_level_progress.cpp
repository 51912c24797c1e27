// test_level_progress.cpp — LevelProgress: nested level passes and the windows of a wide roll in the overall bar,
// from the window each report names (the generator's count, not one the widget works out itself).
#include <QTest>

#include "ui/level_progress.h"

using fm::ui::LevelProgress;

class TestLevelProgress : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void windowsDivideTheOverallBar() {
        LevelProgress levels;
        levels.reset();
        levels.report(0, 4, 8, 0, 3);   // half of window 1 of 3
        QCOMPARE(levels.window(), 0);
        QVERIFY(levels.overall() > 0.1 && levels.overall() < 1.0 / 3);
        levels.report(0, 8, 8, 0, 3);   // window 1 done
        QVERIFY(qAbs(levels.overall() - 1.0 / 3) < 1e-9);
        levels.report(0, 1, 8, 1, 3);   // window 2 starts: its rows start from zero, the bar does not go back
        QCOMPARE(levels.window(), 1);
        QVERIFY(levels.overall() >= 1.0 / 3);
        QVERIFY(levels.rowText(0).contains(QStringLiteral("step 1 of 8")));
        levels.report(0, 8, 8, 2, 3);   // the last window done
        QVERIFY(qAbs(levels.overall() - 1.0) < 1e-9);
        levels.reset();                   // a new run
        QCOMPARE(levels.window(), 0);
        QCOMPARE(levels.overall(), 0.0);
    }

    void oneWindowAndNestedLevels() {
        LevelProgress levels;
        levels.reset();
        levels.report(1, 2, 4);   // level 1's pass under level 0's first step (not reported yet): unknown total
        QCOMPARE(levels.overall(), 0.0);
        levels.report(0, 1, 2);   // level 0: 1 of 2 done
        QVERIFY(qAbs(levels.overall() - 0.5) < 1e-9);
        levels.report(1, 2, 4);   // half of the second level-0 step's sub-pass
        QVERIFY(qAbs(levels.overall() - 0.75) < 1e-9);
        levels.report(0, 2, 2);
        QVERIFY(qAbs(levels.overall() - 1.0) < 1e-9);
    }
};

QTEST_MAIN(TestLevelProgress)
#include "test_level_progress.moc"
