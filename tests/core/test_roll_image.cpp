// test_roll_image.cpp — render_roll_rgb and save_roll_png: where a cell lands in the picture, its colour,
// the folded layout, and that the PNG on disk decodes (with stb_image) to the same pixels.
#include <gtest/gtest.h>

#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#include <stb/stb_image.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/roll.h"
#include "core/roll_image.h"
#include "support/test_support.h"

namespace {

struct Image {
    int w = 0, h = 0;
    std::vector<uint8_t> rgb;
    fm::Rgb px(int x, int y) const {
        const size_t i = (size_t(y) * size_t(w) + size_t(x)) * 3;
        return {rgb[i], rgb[i + 1], rgb[i + 2]};
    }
};

Image render(const fm::Roll& roll, int scale) {
    Image im{roll.width * scale, roll.rows * scale, fm::render_roll_rgb(roll, scale)};
    EXPECT_EQ(im.rgb.size(), size_t(im.w) * size_t(im.h) * 3);
    return im;
}

const fm::Rgb kBlack{0, 0, 0};
const fm::Rgb kGrey{128, 128, 128};

// HSV hue in degrees (0..360) of a colour.
double hue(const fm::Rgb& c) {
    const double r = c[0], g = c[1], b = c[2];
    const double mx = std::max({r, g, b}), mn = std::min({r, g, b});
    if (mx == mn) return 0.0;
    double h;
    if (mx == r) h = 60.0 * std::fmod((g - b) / (mx - mn), 6.0);
    else if (mx == g) h = 60.0 * ((b - r) / (mx - mn) + 2.0);
    else h = 60.0 * ((r - g) / (mx - mn) + 4.0);
    return h < 0 ? h + 360.0 : h;
}

int count_non_black(const Image& im) {
    int n = 0;
    for (int y = 0; y < im.h; ++y)
        for (int x = 0; x < im.w; ++x) n += im.px(x, y) != kBlack;
    return n;
}

}  // namespace

TEST(RollImage, CellColours) {
    EXPECT_EQ(fm::cell_colour(-1.0f), kGrey);
    EXPECT_EQ(fm::cell_colour(0.0f), kBlack);
    const fm::Rgb quiet = fm::cell_colour(fm::velocity_to_value(1));
    EXPECT_EQ(quiet[2], 255) << "velocity 1 is blue";
    EXPECT_EQ(quiet[0], 0);
    EXPECT_LT(quiet[1], 32);
    EXPECT_EQ(fm::cell_colour(fm::velocity_to_value(127)), (fm::Rgb{255, 0, 0}));
    // Middle velocities pass through green: hue near 120 degrees at value 0.5.
    EXPECT_NEAR(hue(fm::cell_colour(0.5f)), 120.0, 2.0);
}

TEST(RollImage, HueFallsMonotonicallyWithVelocity) {
    // Blue (240) at velocity 1 down to red (0) at 127, every velocity its own colour.
    double prev = 361.0;
    for (int v = 1; v <= 127; ++v) {
        const fm::Rgb c = fm::cell_colour(fm::velocity_to_value(v));
        EXPECT_EQ(std::max({c[0], c[1], c[2]}), 255) << "velocity " << v << " is fully bright";
        EXPECT_EQ(std::min({c[0], c[1], c[2]}), 0) << "velocity " << v << " is fully saturated";
        const double h = hue(c);
        EXPECT_LT(h, prev) << "velocity " << v;
        prev = h;
    }
    EXPECT_GT(hue(fm::cell_colour(fm::velocity_to_value(1))), 235.0);
    EXPECT_EQ(prev, 0.0);
}

TEST(RollImage, NoteAtScale1) {
    fm::Roll roll(16);
    roll.at(60, 5) = fm::velocity_to_value(127);
    roll.at(127, 0) = -1.0f;
    roll.at(0, 15) = fm::velocity_to_value(1);
    const Image im = render(roll, 1);
    ASSERT_EQ(im.w, 16);
    ASSERT_EQ(im.h, 128);
    EXPECT_EQ(im.px(5, 127 - 60), (fm::Rgb{255, 0, 0}));
    EXPECT_EQ(im.px(0, 0), kGrey) << "pitch 127 is the top row";
    EXPECT_EQ(im.px(15, 127), fm::cell_colour(fm::velocity_to_value(1))) << "pitch 0 is the bottom row";
    // Neighbours of the note stay black: one pixel per cell, no bleeding.
    EXPECT_EQ(im.px(4, 67), kBlack);
    EXPECT_EQ(im.px(6, 67), kBlack);
    EXPECT_EQ(im.px(5, 66), kBlack);
    EXPECT_EQ(im.px(5, 68), kBlack);
    EXPECT_EQ(count_non_black(im), 3);
}

TEST(RollImage, NoteAtScale3) {
    fm::Roll roll(16);
    for (int t = 5; t < 9; ++t) roll.at(60, t) = fm::velocity_to_value(64);   // pitch 60, steps 5-8
    roll.at(127, 0) = -1.0f;
    const Image im = render(roll, 3);
    ASSERT_EQ(im.w, 48);
    ASSERT_EQ(im.h, 384);
    const fm::Rgb c = fm::cell_colour(fm::velocity_to_value(64));
    for (int y = 3 * 67; y < 3 * 68; ++y)
        for (int x = 15; x < 27; ++x) EXPECT_EQ(im.px(x, y), c) << x << "," << y;
    EXPECT_EQ(im.px(14, 3 * 67), kBlack);
    EXPECT_EQ(im.px(27, 3 * 67), kBlack);
    EXPECT_EQ(im.px(15, 3 * 67 - 1), kBlack);
    EXPECT_EQ(im.px(15, 3 * 68), kBlack);
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 3; ++x) EXPECT_EQ(im.px(x, y), kGrey);
    EXPECT_EQ(im.px(3, 0), kBlack);
    EXPECT_EQ(im.px(0, 3), kBlack);
    EXPECT_EQ(count_non_black(im), 4 * 9 + 9);
}

TEST(RollImage, EveryPitchHasItsOwnRow) {
    // One note per pitch, at step = pitch % 16, each with its own velocity: the pixel at row 127-p is its colour.
    fm::Roll roll(16);
    for (int p = 0; p < 128; ++p) roll.at(p, p % 16) = fm::velocity_to_value(p == 0 ? 127 : p);
    const Image im = render(roll, 2);
    for (int p = 0; p < 128; ++p) {
        const fm::Rgb c = fm::cell_colour(fm::velocity_to_value(p == 0 ? 127 : p));
        ASSERT_EQ(im.px(2 * (p % 16) + 1, 2 * (127 - p) + 1), c) << "pitch " << p;
    }
    EXPECT_EQ(count_non_black(im), 128 * 4);
}

TEST(RollImage, FoldedRollFirstHalfInUpperBand) {
    // 128 x 8 roll: pitch 60 sounds at step 1 (first half) and step 6 (second half) with different velocities.
    fm::Roll roll(8);
    roll.at(60, 1) = fm::velocity_to_value(127);   // red
    roll.at(60, 6) = fm::velocity_to_value(1);     // blue
    const fm::Roll folded = fm::fold(roll);
    const Image im = render(folded, 1);
    ASSERT_EQ(im.w, 4);
    ASSERT_EQ(im.h, 256);
    EXPECT_EQ(im.px(1, 127 - 60), (fm::Rgb{255, 0, 0})) << "step 1: upper band, column 1";
    EXPECT_EQ(im.px(2, 128 + 127 - 60), fm::cell_colour(fm::velocity_to_value(1))) << "step 6: lower band, column 2";
    EXPECT_EQ(count_non_black(im), 2);
    // Each band has pitch 127 on top: row 0 of the folded roll's band 2 (pitch 0, second half) at the bottom.
    fm::Roll edge(8);
    edge.at(0, 4) = -1.0f;
    edge.at(127, 4) = -1.0f;
    const Image e = render(fm::fold(edge), 1);
    EXPECT_EQ(e.px(0, 255), kGrey);
    EXPECT_EQ(e.px(0, 128), kGrey);
    EXPECT_EQ(e.px(0, 127), kBlack);
    EXPECT_EQ(e.px(0, 0), kBlack);
}

TEST(RollImage, RejectsRowsThatAreNotWholeBands) {
    // A band is 128 rows drawn upside down; a 64- or 200-row roll would be drawn outside its image.
    EXPECT_THROW(fm::render_roll_rgb(fm::Roll(4, 0.5f, 64), 1), fm::Error);
    EXPECT_THROW(fm::render_roll_rgb(fm::Roll(4, 0.5f, 200), 2), fm::Error);
    const std::string dir = fmtest::temp_dir("roll_image");
    EXPECT_THROW(fm::save_roll_png(dir + "/x.png", fm::Roll(4, 0.5f, 64), 1), fm::Error);
    EXPECT_FALSE(std::filesystem::exists(dir + "/x.png"));
    // Three bands are fine: pitch 127 of band 2 at row 256.
    fm::Roll three(2, 0.0f, 384);
    three.at(2 * 128 + 127, 1) = -1.0f;
    const Image im = render(three, 1);
    EXPECT_EQ(im.px(1, 256), kGrey);
    EXPECT_EQ(count_non_black(im), 1);
}

TEST(RollImage, RejectsScaleBelowOne) { EXPECT_THROW(fm::render_roll_rgb(fm::Roll(4), 0), fm::Error); }

TEST(RollImage, SavedPngDecodesToTheRenderedPixels) {
    const std::string dir = fmtest::temp_dir("roll_image");
    fm::Roll roll(24);
    for (int p = 0; p < 128; ++p)
        for (int t = 0; t < 24; ++t) {
            const int k = (p * 24 + t) % 130;   // every velocity, silence and unknown
            roll.at(p, t) = k == 128 ? 0.0f : k == 129 ? -1.0f : fm::velocity_to_value(k == 0 ? 127 : k);
        }
    for (int scale : {1, 3}) {
        const std::string path = dir + "/roll" + std::to_string(scale) + ".png";
        fm::save_roll_png(path, roll, scale);
        int w = 0, h = 0, channels = 0;
        uint8_t* data = stbi_load(path.c_str(), &w, &h, &channels, 3);
        ASSERT_NE(data, nullptr) << "stb_image cannot decode " << path << ": " << stbi_failure_reason();
        const std::vector<uint8_t> decoded(data, data + size_t(w) * size_t(h) * 3);
        stbi_image_free(data);
        EXPECT_EQ(w, 24 * scale);
        EXPECT_EQ(h, 128 * scale);
        EXPECT_EQ(channels, 3);
        EXPECT_TRUE(decoded == fm::render_roll_rgb(roll, scale)) << "scale " << scale;
    }
}

TEST(RollImage, SavedFoldedPngIsSquare) {
    const std::string dir = fmtest::temp_dir("roll_image");
    fm::Roll roll(512);
    roll.at(60, 300) = fm::velocity_to_value(127);
    const std::string path = dir + "/folded.png";
    fm::save_roll_png(path, fm::fold(roll), 1);
    int w = 0, h = 0, channels = 0;
    uint8_t* data = stbi_load(path.c_str(), &w, &h, &channels, 3);
    ASSERT_NE(data, nullptr);
    EXPECT_EQ(w, 256);
    EXPECT_EQ(h, 256);
    // Step 300 = second half, column 44, lower band.
    const size_t i = (size_t(128 + 127 - 60) * 256 + 44) * 3;
    EXPECT_EQ(data[i], 255);
    EXPECT_EQ(data[i + 1], 0);
    EXPECT_EQ(data[i + 2], 0);
    stbi_image_free(data);
}

TEST(RollImage, SaveOverwritesAndLeavesNoTemporaryFile) {
    const std::string dir = fmtest::temp_dir("roll_image");
    const std::string path = dir + "/a.png";
    fm::save_roll_png(path, fm::Roll(8), 1);
    fm::save_roll_png(path, fm::Roll(12), 1);
    int w = 0, h = 0, channels = 0;
    ASSERT_TRUE(stbi_info(path.c_str(), &w, &h, &channels));
    EXPECT_EQ(w, 12);
    int entries = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) ++entries, (void)e;
    EXPECT_EQ(entries, 1);
}

TEST(RollImage, UnwritablePathThrowsNamingIt) {
    const std::string dir = fmtest::temp_dir("roll_image");
    const std::string path = dir + "/no/such/folder/roll.png";
    try {
        fm::save_roll_png(path, fm::Roll(8), 1);
        FAIL() << "no fm::Error for " << path;
    } catch (const fm::Error& e) {
        EXPECT_EQ(e.file(), path);
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir + "/no"));
}

TEST(RollImage, EmptyRollThrows) {
    const std::string dir = fmtest::temp_dir("roll_image");
    const std::string path = dir + "/empty.png";
    EXPECT_THROW(fm::save_roll_png(path, fm::Roll(0), 1), fm::Error);
    EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(CellColour, NotANumberIsDrawnAsUnknown) {
    EXPECT_EQ(fm::cell_colour(std::nanf("")), (fm::Rgb{128, 128, 128}));
}
