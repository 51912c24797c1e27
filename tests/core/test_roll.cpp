// test_roll.cpp — the roll type: fold/unfold, crop/pad, widths, velocity <-> value, note counting.
//
// The rolls here encode their own coordinates (STYLE.md #15): cell (p, t) of a 128 x 512 roll holds
// (p * 512 + t + 1) / 65536, so every cell is distinct and exact in float32, and a cell that lands in the
// wrong place is named exactly by the failing assertion.
#include <cmath>
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "core/roll.h"

namespace {

constexpr int kW = 512;

float code(int p, int t) { return float(p * kW + t + 1) / 65536.0f; }

fm::Roll coded_roll() {
    fm::Roll r(kW);
    for (int p = 0; p < fm::kPitches; ++p)
        for (int t = 0; t < kW; ++t) r.at(p, t) = code(p, t);
    return r;
}

// What the cell's code says about where it came from.
int code_pitch(float v) { return (int(v * 65536.0f) - 1) / kW; }
int code_step(float v) { return (int(v * 65536.0f) - 1) % kW; }

std::string error_of(void (*f)()) {
    try {
        f();
    } catch (const fm::Error& e) {
        return e.what();
    }
    return "(no fm::Error thrown)";
}

}  // namespace

TEST(Roll, ConstructorShapeAndFill) {
    fm::Roll r(12, -1.0f);
    EXPECT_EQ(r.rows, 128);
    EXPECT_EQ(r.width, 12);
    ASSERT_EQ(r.cells.size(), 128u * 12u);
    for (float v : r.cells) EXPECT_EQ(v, -1.0f);
    fm::Roll f(6, 0.0f, 256);
    EXPECT_EQ(f.rows, 256);
    EXPECT_EQ(f.cells.size(), 256u * 6u);
    // at() is row-major: (row, step) -> row * width + step.
    f.at(200, 5) = 0.5f;
    EXPECT_EQ(f.cells[200u * 6u + 5u], 0.5f);
    EXPECT_THROW(fm::Roll(-4), fm::Error);
    EXPECT_THROW(fm::Roll(4, 0.0f, 0), fm::Error);
}

TEST(Roll, CodedRollCellsAreDistinct) {
    // The premise of the other tests: decoding gives the coordinates back.
    const fm::Roll r = coded_roll();
    for (int p = 0; p < fm::kPitches; p += 7)
        for (int t = 0; t < kW; t += 13) {
            EXPECT_EQ(code_pitch(r.at(p, t)), p);
            EXPECT_EQ(code_step(r.at(p, t)), t);
        }
    EXPECT_EQ(r.at(127, 511), 1.0f);
    EXPECT_GT(r.at(0, 0), 0.0f);
}

TEST(Roll, FoldPlacesBothHalves) {
    const fm::Roll r = coded_roll();
    const fm::Roll f = fm::fold(r);
    ASSERT_EQ(f.rows, 256);
    ASSERT_EQ(f.width, 256);
    for (int p = 0; p < fm::kPitches; ++p)
        for (int t = 0; t < 256; ++t) {
            ASSERT_EQ(f.at(p, t), code(p, t)) << "upper band, pitch " << p << " step " << t;
            ASSERT_EQ(f.at(128 + p, t), code(p, 256 + t)) << "lower band, pitch " << p << " step " << 256 + t;
        }
}

TEST(Roll, FoldUnfoldAreExactInverses) {
    const fm::Roll r = coded_roll();
    const fm::Roll back = fm::unfold(fm::fold(r));
    EXPECT_EQ(back.rows, 128);
    EXPECT_EQ(back.width, 512);
    EXPECT_TRUE(back == r);

    // And the other way round, on a 256 x 256 square with its own coordinates in it.
    fm::Roll sq(256, 0.0f, 256);
    for (int r2 = 0; r2 < 256; ++r2)
        for (int t = 0; t < 256; ++t) sq.at(r2, t) = float(r2 * 256 + t + 1) / 65536.0f;
    const fm::Roll u = fm::unfold(sq);
    ASSERT_EQ(u.rows, 128);
    ASSERT_EQ(u.width, 512);
    EXPECT_EQ(u.at(5, 300), sq.at(128 + 5, 44));
    EXPECT_EQ(u.at(127, 255), sq.at(127, 255));
    EXPECT_TRUE(fm::fold(u) == sq);
}

TEST(Roll, FoldOfOtherEvenWidths) {
    // 128 x 8 -> 256 x 4: steps 0-3 above, 4-7 below.
    fm::Roll r(8);
    for (int p = 0; p < 128; ++p)
        for (int t = 0; t < 8; ++t) r.at(p, t) = float(p * 8 + t + 1) / 1024.0f;
    const fm::Roll f = fm::fold(r);
    ASSERT_EQ(f.rows, 256);
    ASSERT_EQ(f.width, 4);
    EXPECT_EQ(f.at(60, 3), r.at(60, 3));
    EXPECT_EQ(f.at(128 + 60, 0), r.at(60, 4));
    EXPECT_EQ(f.at(255, 3), r.at(127, 7));
    EXPECT_TRUE(fm::unfold(f) == r);
}

TEST(Roll, FoldRejectsOddWidthAndNon128Rows) {
    EXPECT_THROW(fm::fold(fm::Roll(511)), fm::Error);
    EXPECT_THROW(fm::fold(fm::Roll(3)), fm::Error);
    EXPECT_THROW(fm::fold(fm::Roll(512, 0.0f, 256)), fm::Error);   // already folded
    EXPECT_THROW(fm::fold(fm::Roll(512, 0.0f, 64)), fm::Error);
    EXPECT_THROW(fm::unfold(fm::Roll(256)), fm::Error);              // 128 rows: not folded
    EXPECT_THROW(fm::unfold(fm::Roll(256, 0.0f, 255)), fm::Error);
    EXPECT_THROW(fm::unfold(fm::Roll(256, 0.0f, 512)), fm::Error);
}

TEST(Roll, CropInside) {
    const fm::Roll r = coded_roll();
    const fm::Roll c = fm::crop(r, 100, 64);
    ASSERT_EQ(c.rows, 128);
    ASSERT_EQ(c.width, 64);
    for (int p = 0; p < 128; ++p)
        for (int t = 0; t < 64; ++t) ASSERT_EQ(c.at(p, t), code(p, 100 + t)) << p << "," << t;
}

TEST(Roll, CropBeyondTheEndFills) {
    const fm::Roll r = coded_roll();
    const fm::Roll c = fm::crop(r, 500, 32, -1.0f);
    ASSERT_EQ(c.width, 32);
    for (int p = 0; p < 128; ++p) {
        for (int t = 0; t < 12; ++t) ASSERT_EQ(c.at(p, t), code(p, 500 + t));
        for (int t = 12; t < 32; ++t) ASSERT_EQ(c.at(p, t), -1.0f) << p << "," << t;
    }
    // Entirely past the end: all fill.
    const fm::Roll past = fm::crop(r, 600, 8, 0.25f);
    ASSERT_EQ(past.width, 8);
    for (float v : past.cells) ASSERT_EQ(v, 0.25f);
    // Exactly at the end.
    const fm::Roll at_end = fm::crop(r, 512, 4);
    for (float v : at_end.cells) ASSERT_EQ(v, 0.0f);
}

TEST(Roll, CropNegativeOffsetFills) {
    const fm::Roll r = coded_roll();
    const fm::Roll c = fm::crop(r, -3, 8, -1.0f);
    ASSERT_EQ(c.width, 8);
    for (int p = 0; p < 128; ++p) {
        for (int t = 0; t < 3; ++t) ASSERT_EQ(c.at(p, t), -1.0f);
        for (int t = 3; t < 8; ++t) ASSERT_EQ(c.at(p, t), code(p, t - 3)) << p << "," << t;
    }
    // Window wholly before the roll, and one wider than the roll on both sides.
    const fm::Roll before = fm::crop(r, -20, 8, 0.5f);
    for (float v : before.cells) ASSERT_EQ(v, 0.5f);
    const fm::Roll wide = fm::crop(r, -4, 520, -1.0f);
    ASSERT_EQ(wide.width, 520);
    for (int p = 0; p < 128; p += 9) {
        EXPECT_EQ(wide.at(p, 3), -1.0f);
        EXPECT_EQ(wide.at(p, 4), code(p, 0));
        EXPECT_EQ(wide.at(p, 515), code(p, 511));
        EXPECT_EQ(wide.at(p, 516), -1.0f);
    }
}

TEST(Roll, CropKeepsRowsOfAFoldedRoll) {
    const fm::Roll f = fm::fold(coded_roll());
    const fm::Roll c = fm::crop(f, 10, 4);
    ASSERT_EQ(c.rows, 256);
    ASSERT_EQ(c.width, 4);
    EXPECT_EQ(c.at(200, 1), f.at(200, 11));
    EXPECT_EQ(c.at(200, 1), code(72, 256 + 11));
}

TEST(Roll, CropFarPastTheEndDoesNotOverflow) {
    // offset + width beyond INT_MAX: still a window wholly past the end (was a signed overflow).
    const fm::Roll c = fm::crop(coded_roll(), 2147483647 - 2, 8, -1.0f);
    ASSERT_EQ(c.width, 8);
    for (float v : c.cells) ASSERT_EQ(v, -1.0f);
}

TEST(Roll, CropRejectsNegativeWidth) { EXPECT_THROW(fm::crop(coded_roll(), 0, -4), fm::Error); }

TEST(Roll, PadExtendsAndCuts) {
    const fm::Roll r = coded_roll();
    const fm::Roll longer = fm::pad(r, 520, -1.0f);
    ASSERT_EQ(longer.width, 520);
    for (int p = 0; p < 128; ++p) {
        ASSERT_EQ(longer.at(p, 0), code(p, 0));
        ASSERT_EQ(longer.at(p, 511), code(p, 511));
        for (int t = 512; t < 520; ++t) ASSERT_EQ(longer.at(p, t), -1.0f);
    }
    const fm::Roll shorter = fm::pad(r, 100);
    ASSERT_EQ(shorter.width, 100);
    EXPECT_EQ(shorter.at(64, 99), code(64, 99));
    EXPECT_TRUE(fm::pad(r, 512) == r);
}

TEST(Roll, CheckWidth) {
    EXPECT_NO_THROW(fm::check_width(132));
    EXPECT_NO_THROW(fm::check_width(4));
    EXPECT_NO_THROW(fm::check_width(512));
    const std::string msg = error_of([] { fm::check_width(130); });
    EXPECT_NE(msg.find("multiple of 4"), std::string::npos) << msg;
    EXPECT_NE(msg.find("130"), std::string::npos) << msg;
    EXPECT_THROW(fm::check_width(2), fm::Error);
    EXPECT_THROW(fm::check_width(0), fm::Error);
    EXPECT_THROW(fm::check_width(-4), fm::Error);
    EXPECT_THROW(fm::check_width(-1), fm::Error);
}

TEST(Roll, VelocityRoundTripForAll127Velocities) {
    for (int v = 1; v <= 127; ++v) {
        const float value = fm::velocity_to_value(v);
        EXPECT_GT(value, 0.0f);
        EXPECT_LE(value, 1.0f);
        EXPECT_EQ(fm::value_to_velocity(value), v) << "velocity " << v;
    }
    EXPECT_EQ(fm::velocity_to_value(127), 1.0f);
    // Distinct velocities give distinct, increasing values (the model's 127 classes).
    for (int v = 2; v <= 127; ++v) EXPECT_LT(fm::velocity_to_value(v - 1), fm::velocity_to_value(v));
}

TEST(Roll, ValueToVelocityRoundsAndClamps) {
    EXPECT_EQ(fm::value_to_velocity(100.4f / 127.0f), 100);
    EXPECT_EQ(fm::value_to_velocity(100.6f / 127.0f), 101);
    EXPECT_EQ(fm::value_to_velocity(0.0f), 1);    // a sounding cell never exports velocity 0 (a note-off)
    EXPECT_EQ(fm::value_to_velocity(0.001f), 1);
    EXPECT_EQ(fm::value_to_velocity(-1.0f), 1);
    EXPECT_EQ(fm::value_to_velocity(1.5f), 127);
}

TEST(Roll, CountNotes) {
    fm::Roll r(32);
    EXPECT_EQ(fm::count_notes(r), 0);
    const float a = fm::velocity_to_value(100), b = fm::velocity_to_value(90);
    for (int t = 0; t < 4; ++t) r.at(60, t) = a;          // one note
    for (int t = 6; t < 8; ++t) r.at(60, t) = a;          // a second after a gap
    for (int t = 8; t < 10; ++t) r.at(60, t) = b;         // a third touching it, with another value
    r.at(0, 31) = a;                                       // edges: pitch 0, last step
    r.at(127, 0) = b;                                      // pitch 127, first step
    EXPECT_EQ(fm::count_notes(r), 5);
    // Unknown cells are not notes and end a run; a run after them counts again.
    for (int t = 0; t < 32; ++t) r.at(64, t) = -1.0f;
    EXPECT_EQ(fm::count_notes(r), 5);
    r.at(64, 10) = a;
    r.at(64, 11) = a;
    EXPECT_EQ(fm::count_notes(r), 6);
    // Every cell of the coded roll differs from its neighbours: one note per cell.
    EXPECT_EQ(fm::count_notes(coded_roll()), 128 * 512);
    // A folded roll counts over all of its 256 rows.
    EXPECT_EQ(fm::count_notes(fm::fold(coded_roll())), 128 * 512);
}

TEST(Roll, Equality) {
    fm::Roll a = coded_roll(), b = coded_roll();
    EXPECT_TRUE(a == b);
    b.at(77, 301) = 0.0f;
    EXPECT_TRUE(a != b);
    // Same cells, other shape.
    fm::Roll c(4, 0.0f, 256), d(8, 0.0f, 128);
    EXPECT_EQ(c.cells, d.cells);
    EXPECT_FALSE(c == d);
}

TEST(Velocity, NotANumberAndOutOfRangeValuesGiveValidVelocities) {
    EXPECT_EQ(fm::value_to_velocity(std::nanf("")), 1);
    EXPECT_EQ(fm::value_to_velocity(-3.0f), 1);
    EXPECT_EQ(fm::value_to_velocity(9.0f), 127);
}
