// test_roll_mapper.cpp — the one step/pitch <-> pixel mapping: every cell's centre maps back to that cell, unfolded
// and folded, at any scroll; a rectangle across the fold is one screen rectangle per band; clamping.
#include <QTest>

#include "ui/roll_mapper.h"

using fm::ui::RollMapper;

class TestRollMapper : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyCellCentreMapsBackToItsCell() {
        for (const bool folded : {false, true}) {
            RollMapper m;
            m.width = 512, m.folded = folded, m.step_px = 3.5, m.pitch_px = 2.25, m.scroll_x = 17, m.scroll_y = 40;
            for (int step = 0; step < 512; step += 7)
                for (int pitch = 0; pitch < 128; pitch += 5) {
                    const double x = m.stepX(step) + m.step_px / 2, y = m.pitchY(pitch, m.bandOf(step)) + m.pitch_px / 2;
                    int p = -1, s = -1;
                    QVERIFY(m.hit(x, y, false, &p, &s));
                    QCOMPARE(p, pitch);
                    QCOMPARE(s, step);
                }
            QCOMPARE(m.bands(), folded ? 2 : 1);
            QCOMPARE(m.columns(), folded ? 256 : 512);
        }
    }

    void aRectangleAcrossTheFoldIsOneRectanglePerBand() {
        RollMapper m;
        m.width = 512, m.folded = true, m.step_px = 2, m.pitch_px = 2;
        const auto rects = m.rects(QRect(250, 60, 12, 5));   // steps 250..261, pitches 60..64
        QCOMPARE(rects.size(), size_t(2));
        QCOMPARE(rects[0].width(), 6 * 2.0);                 // 250..255 in the first band
        QCOMPARE(rects[1].left(), m.left);                   // 256..261 at the start of the second
        QCOMPARE(rects[1].top() - rects[0].top(), m.bandStride());
        int p, s;
        QVERIFY(!m.hit(m.left - 1, m.top + 1, false, &p, &s));   // on the keyboard: no cell
        QVERIFY(m.hit(m.left - 1, m.top + 1, true, &p, &s));      // clamped: the nearest
        QCOMPARE(s, 0);
        QCOMPARE(p, 127);
    }
};

QTEST_APPLESS_MAIN(TestRollMapper)
#include "test_roll_mapper.moc"
