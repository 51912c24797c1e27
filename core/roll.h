// roll.h — the piano roll, the one data type everything shares.
//
//   fm::Roll r(128);                 // 128 pitches x 128 steps of 1/16 notes, all silent
//   r.at(60, 0) = 100 / 127.0f;      // middle C struck at step 0 with velocity 100
//   fm::Roll sq = fm::fold(fm::Roll(512));   // 256 x 256 square view of a 32-bar roll
//
// Cell values: -1 unknown (to be generated), 0 silence, (0,1] velocity = MIDI velocity / 127.
// Row p of an unfolded roll is MIDI pitch p (0..127); column t is step t.
// Thread-safety: plain value type.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fm {

constexpr int kPitches = 128;
constexpr float kUnknown = -1.0f;
constexpr int kStepsPerQuarter = 4;   // one step is a 1/16 note
constexpr int kStepsPerBar = 16;      // 4/4

struct Roll {
    int rows = kPitches;        // 128, or 256 for a folded 32-bar roll
    int width = 0;              // steps (columns)
    std::vector<float> cells;   // (rows, width), row-major

    Roll() = default;
    explicit Roll(int width, float fill = 0.0f, int rows = kPitches);

    float& at(int row, int step) { return cells[size_t(row) * size_t(width) + size_t(step)]; }
    float at(int row, int step) const { return cells[size_t(row) * size_t(width) + size_t(step)]; }
    bool operator==(const Roll& o) const { return rows == o.rows && width == o.width && cells == o.cells; }
    bool operator!=(const Roll& o) const { return !(*this == o); }
};

// Velocity (1..127) <-> cell value. value_to_velocity rounds and clamps to 1..127.
inline float velocity_to_value(int velocity) { return float(velocity) / 127.0f; }
int value_to_velocity(float value);

// Width `width` starting at step `offset`; steps beyond the roll come back as `fill`.
Roll crop(const Roll& roll, int offset, int width, float fill = 0.0f);
// Extends (or cuts) the roll to `width` steps, new steps set to `fill`.
Roll pad(const Roll& roll, int width, float fill = 0.0f);

// 128 x W -> 256 x W/2: rows 0-127 hold steps 0..W/2-1, rows 128-255 steps W/2..W-1.
// Throws fm::Error unless rows == 128 and W is even. unfold is the exact inverse.
Roll fold(const Roll& roll);
Roll unfold(const Roll& folded);

// Throws fm::Error("width N is not a multiple of 4") etc. when `width` is not a usable roll width.
void check_width(int width);

int count_notes(const Roll& roll);   // runs of equal non-zero value along each row

}  // namespace fm
