// roll_mapper.h — the one mapping between a roll's cells and the screen: step <-> x, pitch <-> y, the zoom, the
// folded bands and the scroll offsets. The piano roll's cells, keyboard and ruler, and the velocity lane under it,
// all take positions from it, so they scroll and zoom together. A plain value: the view builds one from its state
// (PianoRollView::mapper()) and the lane asks for it.
//
//   fm::ui::RollMapper m = view->mapper();
//   double x = m.stepX(64);               // viewport x of step 64's left edge (folded: within its band)
//   int pitch, step;
//   if (m.hit(pos.x(), pos.y(), false, &pitch, &step)) ...
//
// Layout: `left` px of keyboard, `top` px of ruler, then the content scrolled by (scroll_x, scroll_y). Unfolded, one
// band of 128 rows x width columns; folded, bands of 256 steps stacked top to bottom with kBandGap px between them
// (a 512-step roll is fm::fold's 256x256 square). Pitch 127 is each band's top row. Thread-safety: a value.
#pragma once

#include <QRect>
#include <QRectF>

#include <vector>

namespace fm::ui {

struct RollMapper {
    static constexpr int kFoldSteps = 256;   // steps per band of the folded view (16 bars)
    static constexpr int kBandGap = 6;       // px between the bands

    int width = 0;              // steps of the roll
    bool folded = false;        // only meaningful for rolls of 512 steps or more
    double step_px = 8, pitch_px = 6;
    double scroll_x = 0, scroll_y = 0;
    double left = 48, top = 20;

    int bands() const;                            // 0 for an empty roll
    int columns() const;                          // columns of one band
    int bandOf(int step) const { return folded ? step / kFoldSteps : 0; }
    int columnOf(int step) const { return folded ? step % kFoldSteps : step; }
    double bandStride() const;                    // one band's height plus the gap
    double contentWidth() const { return columns() * step_px; }
    double contentHeight() const;

    double columnX(double column) const { return left + column * step_px - scroll_x; }   // a column's left edge
    double stepX(int step) const { return columnX(columnOf(step)); }
    double rowY(int band, double row) const { return top + band * bandStride() + row * pitch_px - scroll_y; }
    double pitchY(int pitch, int band = 0) const { return rowY(band, 127 - pitch); }     // a pitch row's top edge
    double columnAt(double x) const { return (x - left + scroll_x) / step_px; }          // fractional column under x

    // The cell under a viewport point (a pixel's centre). clamp: points off the roll give the nearest cell.
    bool hit(double x, double y, bool clamp, int* pitch, int* step) const;
    bool hitPitch(double y, int* pitch) const;    // the keyboard row at viewport y
    // A steps x pitches rectangle on screen: one rectangle per band it touches.
    std::vector<QRectF> rects(const QRect& steps_by_pitches) const;
};

}  // namespace fm::ui
