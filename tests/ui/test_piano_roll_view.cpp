// test_piano_roll_view.cpp — the piano roll widget on the offscreen platform: what it paints where, the folded
// layout, zoom, the cell <-> pixel mappings, the select and mask tools, the keyboard, the hover text, and that
// the playhead and roll updates repaint only their own strips.
#include <QApplication>
#include <QPaintEvent>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QWheelEvent>

#include <memory>
#include <vector>

#include "core/roll_image.h"
#include "ui/piano_roll_view.h"

using fm::Roll;
using fm::ui::PianoRollView;

namespace {

QColor colourOf(float value) {
    const fm::Rgb c = fm::cell_colour(value);
    return QColor(c[0], c[1], c[2]);
}

int luminance(const QColor& c) { return c.red() + c.green() + c.blue(); }

std::unique_ptr<PianoRollView> makeView(const Roll& roll, QSize size = QSize(900, 700)) {
    auto view = std::make_unique<PianoRollView>();
    view->resize(size);
    view->setRoll(roll);
    view->show();
    if (!QTest::qWaitForWindowExposed(view.get())) qWarning("window not exposed");
    return view;
}

// A move with or without a held button, delivered straight to the viewport (QTest::mouseMove without a button
// moves the cursor instead, which the offscreen platform does not turn into events).
void moveTo(QWidget* w, QPoint pos, Qt::MouseButtons buttons) {
    QMouseEvent e(QEvent::MouseMove, QPointF(pos), w->mapToGlobal(QPointF(pos)), Qt::NoButton, buttons, Qt::NoModifier);
    QApplication::sendEvent(w, &e);
}

void wheel(QWidget* w, QPoint pos, int delta, Qt::KeyboardModifiers mods) {
    QWheelEvent e(QPointF(pos), w->mapToGlobal(QPointF(pos)), QPoint(), QPoint(0, delta), Qt::NoButton, mods,
                  Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &e);
}

// Records the regions that the viewport is asked to paint.
struct PaintRecorder : QObject {
    std::vector<QRegion> regions;
    bool eventFilter(QObject*, QEvent* e) override {
        if (e->type() == QEvent::Paint) regions.push_back(static_cast<QPaintEvent*>(e)->region());
        return false;
    }
};

}  // namespace

class TestPianoRollView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pitchNames();
    void paintsNotesUnknownAndSilence();
    void gridBarLinesDarkerThanBeatLines();
    void foldedLayout();
    void foldWiderRollsInBands();
    void zoomAndScrolling();
    void wheelZoomKeepsCellUnderMouse();
    void cellMappingsRoundTrip();
    void selectToolDrag();
    void maskPaintAndErase();
    void keyboardClicks();
    void hoverText();
    void playheadRepaintsOnlyItsStrips();
    void rollUpdateRepaintsOnlyChangedCells();
};

void TestPianoRollView::pitchNames() {
    QCOMPARE(PianoRollView::pitchName(60), QStringLiteral("C4"));
    QCOMPARE(PianoRollView::pitchName(61), QStringLiteral("C#4"));
    QCOMPARE(PianoRollView::pitchName(64), QStringLiteral("E4"));
    QCOMPARE(PianoRollView::pitchName(0), QStringLiteral("C-1"));
    QCOMPARE(PianoRollView::pitchName(127), QStringLiteral("G9"));
}

void TestPianoRollView::paintsNotesUnknownAndSilence() {
    Roll roll(128);
    const float loud = fm::velocity_to_value(100), soft = fm::velocity_to_value(20);
    for (int s = 10; s < 14; ++s) roll.at(64, s) = loud;
    roll.at(70, 30) = soft;
    roll.at(40, 50) = roll.at(40, 51) = fm::kUnknown;
    auto view = makeView(roll);
    QCOMPARE(view->stepWidth(), 8.0);

    const QImage img = view->viewport()->grab().toImage();
    const QColor note = img.pixelColor(view->cellCenter(64, 11));
    QCOMPARE(note, colourOf(loud));
    QCOMPARE(img.pixelColor(view->cellCenter(70, 30)), colourOf(soft));
    QVERIFY(colourOf(loud) != colourOf(soft));
    QCOMPARE(img.pixelColor(view->cellCenter(40, 50)), QColor(128, 128, 128));
    const QColor silent = img.pixelColor(view->cellCenter(64, 20));
    QVERIFY(silent != note);
    QVERIFY2(luminance(silent) < 3 * 70, "silence is a dark background");
    // Black-key rows are a shade darker than white-key rows.
    QVERIFY(luminance(img.pixelColor(view->cellCenter(61, 20))) < luminance(img.pixelColor(view->cellCenter(60, 20))));

    // Still right at a fractional zoom, where the cached image is scaled by a non-integer factor.
    view->setZoom(5.5, 7.3);
    const QImage img2 = view->viewport()->grab().toImage();
    QCOMPARE(img2.pixelColor(view->cellCenter(64, 12)), colourOf(loud));
    QCOMPARE(img2.pixelColor(view->cellCenter(40, 51)), QColor(128, 128, 128));
    QVERIFY(img2.pixelColor(view->cellCenter(64, 14)) != colourOf(loud));
}

void TestPianoRollView::gridBarLinesDarkerThanBeatLines() {
    auto view = makeView(Roll(128));
    const QImage img = view->viewport()->grab().toImage();
    const int y = view->cellCenter(62, 0).y();   // a white-key row, all silent
    auto left_edge = [&](int step) { return QPoint(view->cellCenter(62, step).x() - 4, y); };   // 8 px per step
    const int bar = luminance(img.pixelColor(left_edge(16)));
    const int beat = luminance(img.pixelColor(left_edge(20)));
    const int plain = luminance(img.pixelColor(left_edge(21)));
    QVERIFY2(bar < beat, qPrintable(QStringLiteral("bar %1 beat %2").arg(bar).arg(beat)));
    QVERIFY2(beat < plain, qPrintable(QStringLiteral("beat %1 plain %2").arg(beat).arg(plain)));
}

void TestPianoRollView::foldedLayout() {
    QVERIFY(!PianoRollView().canFold());
    {
        auto narrow = makeView(Roll(128));
        QVERIFY(!narrow->canFold());
        narrow->setFolded(true);
        QVERIFY(!narrow->folded());
    }

    Roll roll(512);
    const float v = fm::velocity_to_value(80);
    roll.at(60, 300) = v;   // bar 19: the lower band, column 44
    roll.at(72, 5) = v;     // the upper band
    auto view = makeView(roll, QSize(1200, 900));
    view->setZoom(4, 3);
    QVERIFY(view->canFold());
    const QPoint unfolded = view->cellCenter(60, 300);
    view->setFolded(true);
    QVERIFY(view->folded());
    QCOMPARE(view->horizontalScrollBar()->value(), 0);
    QCOMPARE(view->verticalScrollBar()->value(), 0);

    const QPoint at = view->cellCenter(60, 300);
    QCOMPARE(at.x(), view->cellCenter(60, 44).x());                       // same column as step 44
    QVERIFY(at.y() > view->cellCenter(0, 255).y());                       // below the upper band's lowest pitch
    QVERIFY(at.y() - view->cellCenter(60, 44).y() >= 128 * 3);            // a whole band lower
    QVERIFY(at.x() < unfolded.x());
    const QImage img = view->viewport()->grab().toImage();
    QCOMPARE(img.pixelColor(at), colourOf(v));
    QCOMPARE(img.pixelColor(view->cellCenter(72, 5)), colourOf(v));
    QVERIFY(img.pixelColor(view->cellCenter(60, 44)) != colourOf(v));     // the upper band has no note there

    // The separator between the bands: neither a cell nor silence.
    const QPoint gap((at.x()), (view->cellCenter(0, 44).y() + view->cellCenter(127, 300).y()) / 2);
    int p, s;
    QVERIFY(!view->cellAt(gap, &p, &s));
    const QColor sep = img.pixelColor(gap);
    QVERIFY(sep != img.pixelColor(view->cellCenter(62, 40)) && sep != img.pixelColor(view->cellCenter(61, 40)));

    // Unfold again: the note is back on the one long band.
    view->setFolded(false);
    QVERIFY(!view->folded());
    QCOMPARE(view->cellCenter(60, 300), unfolded);
    // A narrower roll unfolds the view.
    view->setFolded(true);
    view->setRoll(Roll(256));
    QVERIFY(!view->folded());
}

void TestPianoRollView::foldWiderRollsInBands() {
    // 600 steps: three bands of 256 steps, the last one 88 steps long.
    Roll roll(600);
    roll.at(30, 520) = fm::velocity_to_value(127);
    auto view = makeView(roll, QSize(1200, 900));
    view->setZoom(4, 2);
    view->setFolded(true);
    QVERIFY(view->folded());
    int p = -1, s = -1;
    const QPoint c = view->cellCenter(30, 520);
    QCOMPARE(c.x(), view->cellCenter(30, 8).x());
    QVERIFY(view->cellAt(c, &p, &s));
    QCOMPARE(p, 30);
    QCOMPARE(s, 520);
    QCOMPARE(view->viewport()->grab().toImage().pixelColor(c), colourOf(fm::velocity_to_value(127)));
    // Past the end of the roll in the last band: no cell.
    const QPoint beyond(view->cellCenter(30, 512 + 100).x(), c.y());   // column 100 of band 2 = step 612
    QVERIFY(!view->cellAt(beyond, &p, &s));
}

void TestPianoRollView::zoomAndScrolling() {
    auto view = makeView(Roll(1024));
    QScrollBar* h = view->horizontalScrollBar();
    QScrollBar* v = view->verticalScrollBar();
    const int area_w = view->viewport()->width() - (view->cellCenter(0, 0).x() - 4);   // less the keyboard strip
    QCOMPARE(h->maximum(), 1024 * 8 - area_w);

    view->setZoom(16, 10);
    QCOMPARE(view->stepWidth(), 16.0);
    QCOMPARE(view->pitchHeight(), 10.0);
    QCOMPARE(h->maximum(), 1024 * 16 - area_w);
    QVERIFY(v->maximum() > 0);
    h->setValue(h->maximum());
    v->setValue(v->maximum());
    // The last step and the lowest pitch are on screen at the end of both scroll bars.
    int p, s;
    QVERIFY(view->cellAt(view->cellCenter(0, 1023), &p, &s));
    QCOMPARE(s, 1023);
    QCOMPARE(p, 0);

    // Clamped at both ends; zoomed right out the roll fits and the scroll bars rest at 0.
    view->setZoom(1000, 1000);
    QVERIFY(view->stepWidth() <= 64 && view->stepWidth() > 16);
    QVERIFY(view->pitchHeight() <= 40 && view->pitchHeight() > 10);
    QVERIFY(h->value() >= 0 && h->value() <= h->maximum());
    view->setZoom(0.001, 0.001);
    QVERIFY(view->stepWidth() > 0 && view->stepWidth() < 1);
    QVERIFY(view->pitchHeight() > 0 && view->pitchHeight() <= 1);
    QCOMPARE(h->maximum(), 0);
    QCOMPARE(v->maximum(), 0);
    QCOMPARE(h->value(), 0);
    QCOMPARE(v->value(), 0);
}

void TestPianoRollView::wheelZoomKeepsCellUnderMouse() {
    auto view = makeView(Roll(1024));
    view->horizontalScrollBar()->setValue(2000);
    view->verticalScrollBar()->setValue(100);
    const QPoint pos = view->cellCenter(60, 300);
    QVERIFY(view->viewport()->rect().contains(pos));
    int p0, s0;
    QVERIFY(view->cellAt(pos, &p0, &s0));
    QCOMPARE(p0, 60);
    QCOMPARE(s0, 300);

    const double w = view->stepWidth(), h = view->pitchHeight();
    wheel(view->viewport(), pos, 120, Qt::ControlModifier);   // time
    QVERIFY(view->stepWidth() > w);
    QCOMPARE(view->pitchHeight(), h);
    int p, s;
    QVERIFY(view->cellAt(pos, &p, &s));
    QCOMPARE(s, 300);
    QCOMPARE(p, 60);
    QVERIFY(view->horizontalScrollBar()->value() > 2000);

    wheel(view->viewport(), pos, 240, Qt::ShiftModifier);     // pitch
    QVERIFY(view->pitchHeight() > h);
    QVERIFY(view->cellAt(pos, &p, &s));
    QCOMPARE(p, 60);
    QCOMPARE(s, 300);

    const double h1 = view->pitchHeight();
    wheel(view->viewport(), pos, -120, Qt::ControlModifier | Qt::ShiftModifier);   // pitch again, out
    QVERIFY(view->pitchHeight() < h1);
    QCOMPARE(view->stepWidth(), w * 1.25);
    QVERIFY(view->cellAt(pos, &p, &s));
    QCOMPARE(p, 60);
    QCOMPARE(s, 300);

    // A plain wheel scrolls, it does not zoom.
    view->setZoom(view->stepWidth(), 10);
    view->verticalScrollBar()->setValue(0);
    const double w2 = view->stepWidth(), h2 = view->pitchHeight();
    wheel(view->viewport(), pos, -120, Qt::NoModifier);
    QCOMPARE(view->stepWidth(), w2);
    QCOMPARE(view->pitchHeight(), h2);
    QVERIFY(view->verticalScrollBar()->value() > 0);
}

void TestPianoRollView::cellMappingsRoundTrip() {
    auto view = makeView(Roll(1024), QSize(900, 700));
    for (bool folded : {false, true}) {
        view->setFolded(folded);
        QCOMPARE(view->folded(), folded);
        for (double zoom : {8.0, 3.0, 13.7}) {
            view->setZoom(zoom, zoom * 0.7);
            view->horizontalScrollBar()->setValue(view->horizontalScrollBar()->maximum() / 3);
            view->verticalScrollBar()->setValue(view->verticalScrollBar()->maximum() / 2);
            int checked = 0;
            const QRect vp = view->viewport()->rect();
            for (int pitch = 0; pitch < 128; pitch += 7) {
                for (int step = 0; step < 1024; step += 13) {
                    const QPoint c = view->cellCenter(pitch, step);
                    if (!vp.contains(c) || c.x() < 48 || c.y() < 20) continue;   // off screen or under a strip
                    int p = -1, s = -1;
                    QVERIFY2(view->cellAt(c, &p, &s), qPrintable(QStringLiteral("pitch %1 step %2").arg(pitch).arg(step)));
                    QCOMPARE(p, pitch);
                    QCOMPARE(s, step);
                    ++checked;
                }
            }
            QVERIFY2(checked > 20, qPrintable(QStringLiteral("only %1 cells on screen").arg(checked)));
        }
    }
    int p, s;
    QVERIFY(!view->cellAt(QPoint(10, 300), &p, &s));   // the keyboard
    QVERIFY(!view->cellAt(QPoint(300, 5), &p, &s));    // the ruler
}

void TestPianoRollView::selectToolDrag() {
    auto view = makeView(Roll(512), QSize(1200, 900));
    QSignalSpy spy(view.get(), &PianoRollView::selectionChanged);
    QWidget* vp = view->viewport();
    QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(70, 10));
    QTest::mouseMove(vp, view->cellCenter(68, 15));
    QTest::mouseMove(vp, view->cellCenter(65, 20));
    QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(65, 20));
    const QRect expected(10, 65, 11, 6);   // steps 10..20, pitches 65..70
    QCOMPARE(view->selection(), expected);
    QVERIFY(spy.count() >= 1);
    QCOMPARE(spy.last().at(0).toRect(), expected);

    // Drawn as a translucent rectangle: a silent cell inside looks different from one outside on the same row.
    const QImage img = vp->grab().toImage();
    QVERIFY(img.pixelColor(view->cellCenter(66, 15)) != img.pixelColor(view->cellCenter(66, 25)));

    // A plain click clears it.
    QTest::mouseClick(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(40, 40));
    QVERIFY(view->selection().isEmpty());
    QVERIFY(spy.last().at(0).toRect().isEmpty());

    // Dragging up-left gives the same normalised rectangle; dragging past the roll's edge clamps to it.
    QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(65, 20));
    QTest::mouseMove(vp, view->cellCenter(70, 10));
    QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(70, 10));
    QCOMPARE(view->selection(), expected);
    QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(5, 3));
    QTest::mouseMove(vp, QPoint(30, view->cellCenter(5, 3).y()));   // over the keyboard: step 0
    QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, QPoint(30, view->cellCenter(5, 3).y()));
    QCOMPARE(view->selection(), QRect(0, 5, 4, 1));

    // Folded: a drag from the end of the upper band into the lower band selects steps across the fold.
    view->setZoom(4, 3);
    view->setFolded(true);
    QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(62, 250));
    QTest::mouseMove(vp, view->cellCenter(60, 260));
    QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(60, 260));
    QCOMPARE(view->selection(), QRect(250, 60, 11, 3));

    view->setSelection(QRect(-5, 120, 20, 50));   // clamped to the roll
    QCOMPARE(view->selection(), QRect(0, 120, 15, 8));
}

void TestPianoRollView::maskPaintAndErase() {
    const int W = 512;
    auto view = makeView(Roll(W), QSize(1200, 900));
    QSignalSpy spy(view.get(), &PianoRollView::maskChanged);
    QWidget* vp = view->viewport();
    QVERIFY(view->mask().empty());
    const QColor before = vp->grab().toImage().pixelColor(view->cellCenter(50, 10));

    view->setTool(PianoRollView::Tool::mask_paint);
    QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(50, 5));
    QTest::mouseMove(vp, view->cellCenter(50, 25));   // one long move: the stroke must not leave holes
    QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(50, 25));
    QVERIFY(spy.count() >= 1);
    const auto& m = view->mask();
    QCOMPARE(m.size(), size_t(128 * W));
    for (int s = 5; s <= 25; ++s) QVERIFY2(m[size_t(50) * W + s] == 1, qPrintable(QStringLiteral("step %1").arg(s)));
    QCOMPARE(int(m[size_t(50) * W + 4]), 0);
    QCOMPARE(int(m[size_t(50) * W + 26]), 0);
    QCOMPARE(int(m[size_t(51) * W + 10]), 0);
    QCOMPARE(int(m[size_t(49) * W + 10]), 0);
    QVERIFY(vp->grab().toImage().pixelColor(view->cellCenter(50, 10)) != before);   // the overlay shows

    view->setTool(PianoRollView::Tool::mask_erase);
    QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(50, 10));
    QTest::mouseMove(vp, view->cellCenter(50, 12));
    QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(50, 12));
    for (int s = 10; s <= 12; ++s) QCOMPARE(int(view->mask()[size_t(50) * W + s]), 0);
    QCOMPARE(int(view->mask()[size_t(50) * W + 9]), 1);
    QCOMPARE(int(view->mask()[size_t(50) * W + 13]), 1);
    QCOMPARE(vp->grab().toImage().pixelColor(view->cellCenter(50, 10)), before);

    // Folded: painting in the lower band marks steps past 256.
    view->setZoom(4, 3);
    view->setFolded(true);
    view->setTool(PianoRollView::Tool::mask_paint);
    QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(40, 300));
    QTest::mouseMove(vp, view->cellCenter(41, 300));
    QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(41, 300));
    QCOMPARE(int(view->mask()[size_t(40) * W + 300]), 1);
    QCOMPARE(int(view->mask()[size_t(41) * W + 300]), 1);
    QCOMPARE(int(view->mask()[size_t(40) * W + 44]), 0);   // the cell drawn above it, in the upper band

    const int n = spy.count();
    view->clearMask();
    QVERIFY(view->mask().empty());
    QCOMPARE(spy.count(), n + 1);

    // Erasing every painted cell leaves no mask at all.
    QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(20, 20));
    QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(20, 20));
    QCOMPARE(int(view->mask()[size_t(20) * W + 20]), 1);
    view->setTool(PianoRollView::Tool::mask_erase);
    QTest::mousePress(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(20, 20));
    QTest::mouseRelease(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(20, 20));
    QVERIFY(view->mask().empty());
}

void TestPianoRollView::keyboardClicks() {
    auto view = makeView(Roll(512), QSize(1200, 900));
    QSignalSpy spy(view.get(), &PianoRollView::keyClicked);
    QWidget* vp = view->viewport();
    QTest::mouseClick(vp, Qt::LeftButton, Qt::NoModifier, QPoint(40, view->cellCenter(60, 0).y()));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.last().at(0).toInt(), 60);
    QTest::mouseClick(vp, Qt::LeftButton, Qt::NoModifier, QPoint(10, view->cellCenter(61, 0).y()));
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.last().at(0).toInt(), 61);
    // A click in the roll is no key.
    QTest::mouseClick(vp, Qt::LeftButton, Qt::NoModifier, view->cellCenter(61, 3));
    QCOMPARE(spy.count(), 2);
    // The keyboard is drawn: a black key is dark at its left end, a white key light.
    const QImage img = vp->grab().toImage();
    QVERIFY(luminance(img.pixelColor(QPoint(5, view->cellCenter(61, 0).y()))) < 3 * 80);
    QVERIFY(luminance(img.pixelColor(QPoint(5, view->cellCenter(60, 0).y()))) > 3 * 180);

    // Folded: the lower band has its own keyboard.
    view->setZoom(4, 3);
    view->setFolded(true);
    QTest::mouseClick(vp, Qt::LeftButton, Qt::NoModifier, QPoint(20, view->cellCenter(72, 300).y()));
    QCOMPARE(spy.count(), 3);
    QCOMPARE(spy.last().at(0).toInt(), 72);
}

void TestPianoRollView::hoverText() {
    Roll roll(128);
    roll.at(64, 37) = fm::velocity_to_value(90);
    roll.at(64, 38) = fm::kUnknown;
    auto view = makeView(roll);
    QSignalSpy spy(view.get(), &PianoRollView::hovered);
    QWidget* vp = view->viewport();
    moveTo(vp, view->cellCenter(64, 37), Qt::NoButton);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.last().at(0).toString(), QStringLiteral("E4 (64) \u00B7 step 37 \u00B7 bar 3 beat 2 \u00B7 velocity 90"));
    moveTo(vp, view->cellCenter(64, 38), Qt::NoButton);
    QVERIFY(spy.last().at(0).toString().endsWith(QStringLiteral("unknown")));
    moveTo(vp, view->cellCenter(60, 0), Qt::NoButton);
    QCOMPARE(spy.last().at(0).toString(), QStringLiteral("C4 (60) \u00B7 step 0 \u00B7 bar 1 beat 1 \u00B7 silence"));
    const int n = spy.count();
    moveTo(vp, view->cellCenter(60, 0) + QPoint(1, 0), Qt::NoButton);   // the same cell: no new signal
    QCOMPARE(spy.count(), n);
    QEvent leave(QEvent::Leave);
    QApplication::sendEvent(vp, &leave);
    QCOMPARE(spy.last().at(0).toString(), QString());
}

void TestPianoRollView::playheadRepaintsOnlyItsStrips() {
    auto view = makeView(Roll(512), QSize(1200, 900));
    QWidget* vp = view->viewport();
    const int y = view->cellCenter(62, 0).y();
    const int x20 = view->cellCenter(62, 20).x() - 4, x40 = view->cellCenter(62, 40).x() - 4;   // left edges
    const QColor plain = vp->grab().toImage().pixelColor(QPoint(x40, y));

    PaintRecorder rec;
    vp->installEventFilter(&rec);
    view->setPlayhead(20);
    QTRY_VERIFY(!rec.regions.empty());
    QImage img = vp->grab().toImage();
    QCOMPARE(img.pixelColor(QPoint(x20, y)), QColor(255, 255, 255));
    rec.regions.clear();
    view->setPlayhead(40);
    QTRY_VERIFY(!rec.regions.empty());
    for (const QRegion& r : rec.regions)
        for (const QRect& rect : r) QVERIFY2(rect.width() <= 12, qPrintable(QStringLiteral("repainted %1 px wide").arg(rect.width())));
    vp->removeEventFilter(&rec);
    img = vp->grab().toImage();
    QCOMPARE(img.pixelColor(QPoint(x40, y)), QColor(255, 255, 255));
    QVERIFY(img.pixelColor(QPoint(x20, y)) != QColor(255, 255, 255));
    view->setPlayhead(-1);
    QCOMPARE(vp->grab().toImage().pixelColor(QPoint(x40, y)), plain);

    // Folded: the playhead of step 300 stands in the lower band, at column 44.
    view->setZoom(4, 3);
    view->setFolded(true);
    view->setPlayhead(300);
    img = vp->grab().toImage();
    const QPoint c = view->cellCenter(62, 300);
    QCOMPARE(img.pixelColor(QPoint(c.x() - 2, c.y())), QColor(255, 255, 255));
    const QPoint up = view->cellCenter(62, 44);
    QVERIFY(img.pixelColor(QPoint(up.x() - 2, up.y())) != QColor(255, 255, 255));
}

void TestPianoRollView::rollUpdateRepaintsOnlyChangedCells() {
    Roll roll(512);
    auto view = makeView(roll, QSize(1200, 900));
    QWidget* vp = view->viewport();
    QCoreApplication::processEvents();
    PaintRecorder rec;
    vp->installEventFilter(&rec);
    roll.at(60, 30) = fm::velocity_to_value(64);
    view->setRoll(roll);
    QTRY_VERIFY(!rec.regions.empty());
    const QRect bounds = rec.regions.back().boundingRect();
    QVERIFY2(bounds.width() <= 12 && bounds.height() <= 10, qPrintable(QStringLiteral("%1x%2").arg(bounds.width()).arg(bounds.height())));
    QVERIFY(bounds.contains(view->cellCenter(60, 30)));
    vp->removeEventFilter(&rec);
    QCOMPARE(vp->grab().toImage().pixelColor(view->cellCenter(60, 30)), colourOf(fm::velocity_to_value(64)));
    QCOMPARE(view->roll(), roll);
    // A 256-row folded roll is taken as the 512-step roll it folds.
    Roll other(512);
    other.at(10, 400) = 1.0f;
    view->setRoll(fm::fold(other));
    QCOMPARE(view->roll(), other);
}

QTEST_MAIN(TestPianoRollView)
#include "test_piano_roll_view.moc"
