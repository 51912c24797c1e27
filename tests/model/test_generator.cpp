// Generation through the library call the CLI and the studio use: modes, widths, windows, determinism.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "model/generator.h"

namespace {

fm::FractalNet tiny_net(int crop_length = 128, fm::CanvasLayout layout = fm::CanvasLayout::long_roll,
                        fm::CellCoding cells = fm::CellCoding::notes) {
    fm::ModelConfig c = fm::model_preset("tiny");
    c.crop_length = crop_length;
    c.layout = layout;
    c.cells = cells;
    torch::manual_seed(1);
    return fm::FractalNet(c);
}

fm::Roll source(int width) {   // cells encode their coordinates (velocity from pitch and step)
    fm::Roll r(width);
    for (int t = 0; t < width; t += 2) r.at(40 + t % 40, t) = float(1 + (t * 7) % 127) / 127.0f;
    return r;
}

fm::GenerateParams quick(int width) {
    fm::GenerateParams g;
    g.width = width, g.num_iter = {2, 2, 1}, g.seed = 9;
    return g;
}

bool fully_known(const fm::Roll& r) {
    for (float v : r.cells)
        if (v < 0) return false;
    return true;
}

}  // namespace

constexpr fm::CellCoding kCodings[] = {fm::CellCoding::notes, fm::CellCoding::velocity};

TEST(Generator, InpaintingKeepsEveryCellOutsideTheMask) {
  for (auto cells : kCodings) {
    SCOPED_TRACE(fm::to_string(cells));
    auto net = tiny_net(128, fm::CanvasLayout::long_roll, cells);
    auto g = quick(128);
    g.mode = fm::GenerateMode::inpainting, g.input = source(128), g.mask_start = 32, g.mask_end = 80, g.pitch_low = 50, g.pitch_high = 70;
    const auto out = fm::generate(net, g, {}, nullptr);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(fully_known(out[0]));
    int changed_inside = 0;
    for (int p = 0; p < 128; ++p)
        for (int t = 0; t < 128; ++t) {
            const bool inside = t >= 32 && t < 80 && p >= 50 && p <= 70;
            if (!inside) ASSERT_EQ(out[0].at(p, t), g.input.at(p, t)) << "pitch " << p << " step " << t;
            else changed_inside += out[0].at(p, t) != g.input.at(p, t);
        }
    EXPECT_GT(changed_inside, 0);   // a random net does not reproduce the source
  }
}

TEST(Generator, ContinuationKeepsThePrefixAndFillsTheRest) {
    for (auto cells : kCodings) {
        auto net = tiny_net(128, fm::CanvasLayout::long_roll, cells);
        auto g = quick(128);
        g.mode = fm::GenerateMode::continuation, g.input = source(128), g.condition_length = 48;
        const auto out = fm::generate(net, g, {}, nullptr);
        EXPECT_TRUE(fully_known(out[0])) << fm::to_string(cells);
        EXPECT_EQ(fm::crop(out[0], 0, 48), fm::crop(g.input, 0, 48)) << fm::to_string(cells);
    }
}

TEST(Generator, AnyWidthThatIsAMultipleOfFourAndWindowsBeyondTheTrainedWidth) {
  for (auto cells : kCodings) {
    auto net = tiny_net(128, fm::CanvasLayout::long_roll, cells);
    for (int w : {128, 132, 256, 512}) {
        int reports = 0;
        const auto out = fm::generate(net, quick(w), [&](const fm::Progress& p) { ++reports; EXPECT_EQ(p.canvas->width, w); }, nullptr);
        EXPECT_EQ(out[0].width, w);
        EXPECT_TRUE(fully_known(out[0])) << w << " " << fm::to_string(cells);
        EXPECT_GT(reports, 0);
    }
  }
    auto net = tiny_net(128);
    EXPECT_THROW(fm::generate(net, quick(130), {}, nullptr), fm::Error);
}

TEST(Generator, ReportsSayWhichWindowOfHowMany) {
    auto net = tiny_net(128);
    const auto spans = fm::generation_windows(256, net->config());
    ASSERT_EQ(spans.size(), 3u);   // 0..128, 64..192, 128..256: the trained width, overlapping by half
    EXPECT_EQ(spans[1].offset, 64);
    EXPECT_EQ(spans[2].offset + spans[2].width, 256);
    EXPECT_EQ(fm::generation_windows(128, net->config()).size(), 1u);
    EXPECT_THROW(fm::generation_windows(0, net->config()), fm::Error);
    std::vector<int> seen;   // the window of each report, in order
    fm::generate(net, quick(256), [&](const fm::Progress& p) {
        EXPECT_EQ(p.windows, 3);
        if (seen.empty() || seen.back() != p.window) seen.push_back(p.window);
    }, nullptr);
    EXPECT_EQ(seen, (std::vector<int>{0, 1, 2}));
}

TEST(Generator, FoldedLayoutGenerates512Steps) {
    for (auto cells : kCodings) {
        auto net = tiny_net(512, fm::CanvasLayout::folded, cells);
        const auto out = fm::generate(net, quick(512), {}, nullptr);
        EXPECT_EQ(out[0].width, 512);
        EXPECT_EQ(out[0].rows, 128);
        EXPECT_TRUE(fully_known(out[0])) << fm::to_string(cells);
    }
}

TEST(Generator, SameSeedSameRollsDifferentSeedDifferentRolls) {
    auto net = tiny_net();
    auto g = quick(64);
    g.num_samples = 2;
    const auto a = fm::generate(net, g, {}, nullptr), b = fm::generate(net, g, {}, nullptr);
    EXPECT_EQ(a[0], b[0]);
    EXPECT_EQ(a[1], b[1]);
    EXPECT_NE(a[0], a[1]);
    g.seed = 10;
    EXPECT_NE(fm::generate(net, g, {}, nullptr)[0], a[0]);
}

TEST(Generator, BadParametersAreRefused) {
    auto net = tiny_net();
    auto g = quick(128);
    g.mode = fm::GenerateMode::continuation;   // no input
    EXPECT_THROW(fm::generate(net, g, {}, nullptr), fm::Error);
    g.input = source(128), g.condition_length = 200;
    EXPECT_THROW(fm::generate(net, g, {}, nullptr), fm::Error);
    g = quick(128);
    g.mode = fm::GenerateMode::inpainting, g.input = source(128), g.mask_start = 10, g.mask_end = 10;
    EXPECT_THROW(fm::generate(net, g, {}, nullptr), fm::Error);
    g = quick(128);
    g.temperature = 0;
    EXPECT_THROW(fm::generate(net, g, {}, nullptr), fm::Error);
    g = quick(128);
    g.velocity_temperature = -1;
    EXPECT_THROW(fm::generate(net, g, {}, nullptr), fm::Error);
    g = quick(128);
    g.plan_temperature = 0;
    EXPECT_THROW(fm::generate(net, g, {}, nullptr), fm::Error);
}

TEST(Generator, PlanTemperatureReachesTheBarPlan) {
    auto net = tiny_net();
    ASSERT_TRUE(net->config().plan);
    auto g = quick(128);
    const fm::Roll a = fm::generate(net, g, {}, nullptr)[0];
    EXPECT_EQ(fm::generate(net, g, {}, nullptr)[0], a) << "same seed, same roll";
    g.plan_temperature = 0.2;   // other plans: other rolls from the same seed
    EXPECT_NE(fm::generate(net, g, {}, nullptr)[0], a);
}

TEST(Generator, LowVelocityTemperatureConcentratesVelocities) {
    auto net = tiny_net();
    auto g = quick(128);
    g.gate = false;   // every cell reaches the head: many draws
    g.velocity_temperature = 1.0;
    const fm::Roll plain = fm::generate(net, g, {}, nullptr)[0];
    auto entropy = [](const fm::Roll& r) {   // of the velocities drawn (silence left out), in bits
        std::vector<double> count(128, 0.0);
        double n = 0;
        for (float v : r.cells)
            if (v > 0) count[size_t(fm::value_to_velocity(v))] += 1, n += 1;
        double h = 0;
        for (double c : count)
            if (c > 0) h -= c / n * std::log2(c / n);
        return h;
    };
    g.velocity_temperature = 0.05;
    const fm::Roll sharp = fm::generate(net, g, {}, nullptr)[0];
    EXPECT_LT(entropy(sharp), entropy(plain) - 1.0) << entropy(sharp) << " vs " << entropy(plain);
}
