// bits_per_cell, the likelihood of validation and eval: the nats of nll() over the cells, in bits; orders average
// draws taken from the generator in sequence; the same seed gives the same figure; bad arguments are refused.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>

#include "core/error.h"
#include "model/canvas.h"
#include "model/scoring.h"

namespace {

torch::Tensor crops(const fm::ModelConfig& c, int n) {
    std::vector<fm::Roll> rolls;
    for (int i = 0; i < n; ++i) {
        fm::Roll r(c.crop_length, 0.0f);
        for (int t = 0; t < c.crop_length; t += 4) r.at(48 + (t + 5 * i) % 24, t) = 0.5f + 0.01f * float(i);
        rolls.push_back(r);
    }
    return fm::rolls_to_canvas(rolls, c, torch::kCPU, 0.0f);
}

}  // namespace

TEST(Scoring, BitsAreTheNatsOfNllOverTheCellsAndOrdersAverage) {
    fm::FractalNet net = fm::seeded_net(fm::model_preset("tiny"), 4);
    torch::NoGradGuard no_grad;
    net->eval();
    const auto canvas = crops(net->config(), 3);
    fm::SampleOptions opt;

    auto g1 = at::detail::createCPUGenerator(9), g2 = at::detail::createCPUGenerator(9);
    double nats = 0;   // by hand: one crop at a time, two orders each, from one generator in sequence
    for (int64_t i = 0; i < 3; ++i)
        for (int o = 0; o < 2; ++o) nats += net->nll(canvas.slice(0, i, i + 1), opt, g1).sum().item<double>() / 2;
    const double bits = fm::bits_per_cell(net, canvas, opt, g2, 2, 1);
    EXPECT_NEAR(bits, nats / std::log(2.0) / double(canvas.numel()), 1e-9);
    EXPECT_GT(bits, 0.0);

    auto g3 = at::detail::createCPUGenerator(9);
    EXPECT_DOUBLE_EQ(fm::bits_per_cell(net, canvas, opt, g3, 2, 1), bits);   // same seed, same figure
    auto g4 = at::detail::createCPUGenerator(9);
    EXPECT_NE(fm::bits_per_cell(net, canvas, opt, g4, 1, 1), bits);          // one order is another draw

    auto g5 = at::detail::createCPUGenerator(9);
    EXPECT_THROW(fm::bits_per_cell(net, canvas, opt, g5, 0, 1), fm::Error);
    EXPECT_THROW(fm::bits_per_cell(net, canvas.slice(0, 0, 0), opt, g5, 1, 1), fm::Error);
}
