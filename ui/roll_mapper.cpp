#include "ui/roll_mapper.h"

#include <algorithm>
#include <cmath>

#include "core/roll.h"

namespace fm::ui {

int RollMapper::bands() const {
    if (width <= 0) return 0;
    return folded ? (width + kFoldSteps - 1) / kFoldSteps : 1;
}

int RollMapper::columns() const { return folded ? kFoldSteps : std::max(width, 0); }

double RollMapper::bandStride() const { return kPitches * pitch_px + (folded ? kBandGap : 0); }

double RollMapper::contentHeight() const {
    const int n = bands();
    return n == 0 ? 0.0 : n * bandStride() - (folded ? kBandGap : 0);
}

bool RollMapper::hit(double x, double y, bool clamp, int* pitch, int* step) const {
    if (width <= 0) return false;
    const int cols = columns(), n = bands();
    int col = int(std::floor(columnAt(x)));
    const double cy = y - top + scroll_y;
    int band = int(std::floor(cy / bandStride()));
    if (clamp) {
        col = std::clamp(col, 0, cols - 1);
        band = std::clamp(band, 0, n - 1);
    } else if (col < 0 || col >= cols || band < 0 || band >= n) {
        return false;
    }
    int row = int(std::floor((cy - band * bandStride()) / pitch_px));
    if (row < 0 || row >= kPitches) {   // above the roll, or in the gap under a band
        if (!clamp) return false;
        row = std::clamp(row, 0, kPitches - 1);
    }
    int s = folded ? band * kFoldSteps + col : col;
    if (s >= width) {   // the end of a partial last band
        if (!clamp) return false;
        s = width - 1;
    }
    *pitch = kPitches - 1 - row;
    *step = s;
    return true;
}

bool RollMapper::hitPitch(double y, int* pitch) const {
    if (width <= 0 || y < top) return false;
    const double cy = y - top + scroll_y;
    const int band = int(std::floor(cy / bandStride()));
    if (band < 0 || band >= bands()) return false;
    const int row = int(std::floor((cy - band * bandStride()) / pitch_px));
    if (row < 0 || row >= kPitches) return false;
    *pitch = kPitches - 1 - row;
    return true;
}

std::vector<QRectF> RollMapper::rects(const QRect& r) const {
    std::vector<QRectF> out;
    const QRect c = r.normalized() & QRect(0, 0, width, kPitches);
    if (c.isEmpty()) return out;
    const int row_top = kPitches - 1 - c.bottom(), row_bottom = kPitches - c.top();   // rows [row_top, row_bottom)
    const int first_band = bandOf(c.left()), last_band = bandOf(c.right());
    for (int b = first_band; b <= last_band; ++b) {
        const int band_start = folded ? b * kFoldSteps : 0;
        const int s0 = std::max(c.left(), band_start), s1 = folded ? std::min(c.right(), band_start + kFoldSteps - 1) : c.right();
        out.emplace_back(QPointF(columnX(s0 - band_start), rowY(b, row_top)), QPointF(columnX(s1 - band_start + 1), rowY(b, row_bottom)));
    }
    return out;
}

}  // namespace fm::ui
