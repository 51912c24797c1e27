#include "roll.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "error.h"

namespace fm {

Roll::Roll(int width_, float fill, int rows_) : rows(rows_), width(width_) {
    if (width_ < 0 || rows_ <= 0) throw Error("roll size " + std::to_string(rows_) + "x" + std::to_string(width_) + " is invalid");
    cells.assign(size_t(rows_) * size_t(width_), fill);
}

int value_to_velocity(float value) {
    if (std::isnan(value)) return 1;
    const int v = int(std::lround(std::clamp(double(value), 0.0, 1.0) * 127.0));
    return std::clamp(v, 1, 127);
}

Roll crop(const Roll& roll, int offset, int width, float fill) {
    if (width < 0) throw Error("crop width " + std::to_string(width) + " is negative");
    Roll out(width, fill, roll.rows);
    int begin = std::max(offset, 0);
    int end = int(std::min<int64_t>(int64_t(offset) + width, roll.width));   // no int overflow near INT_MAX
    if (begin >= end) return out;
    for (int r = 0; r < roll.rows; ++r)
        std::copy(&roll.cells[size_t(r) * roll.width + begin], &roll.cells[size_t(r) * roll.width + end],
                  &out.cells[size_t(r) * width + (begin - offset)]);
    return out;
}

Roll pad(const Roll& roll, int width, float fill) { return crop(roll, 0, width, fill); }

Roll fold(const Roll& roll) {
    if (roll.rows != kPitches) throw Error("fold needs a 128-row roll, got " + std::to_string(roll.rows) + " rows");
    if (roll.width % 2 != 0) throw Error("fold needs an even width, got " + std::to_string(roll.width));
    const int half = roll.width / 2;
    Roll out(half, 0.0f, 2 * kPitches);
    for (int h = 0; h < 2; ++h)
        for (int p = 0; p < kPitches; ++p)
            std::copy_n(&roll.cells[size_t(p) * roll.width + size_t(h) * half], half,
                        &out.cells[size_t(h * kPitches + p) * half]);
    return out;
}

Roll unfold(const Roll& folded) {
    if (folded.rows != 2 * kPitches)
        throw Error("unfold needs a 256-row roll, got " + std::to_string(folded.rows) + " rows");
    const int half = folded.width;
    Roll out(2 * half, 0.0f, kPitches);
    for (int h = 0; h < 2; ++h)
        for (int p = 0; p < kPitches; ++p)
            std::copy_n(&folded.cells[size_t(h * kPitches + p) * half], half,
                        &out.cells[size_t(p) * out.width + size_t(h) * half]);
    return out;
}

void check_width(int width) {
    if (width <= 0) throw Error("width " + std::to_string(width) + " must be positive");
    if (width % kStepsPerQuarter != 0)
        throw Error("width " + std::to_string(width) + " is not a multiple of 4 steps (one quarter note)");
}

int count_notes(const Roll& roll) {
    int n = 0;
    for (int r = 0; r < roll.rows; ++r) {
        float prev = 0.0f;
        for (int t = 0; t < roll.width; ++t) {
            float v = roll.at(r, t);
            if (v > 0.0f && v != prev) ++n;
            prev = v;
        }
    }
    return n;
}

}  // namespace fm
