// The precision switch: fp32 | bf16 | auto, its fallback where the CPU has no bf16, converted weights for sampling
// and scoring, and autocast for training (fp32 weights, bf16 matmuls, the cast cache cleared between steps).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "core/error.h"
#include "model/engine.h"
#include "model/generator.h"
#include "model/mixed_precision.h"

namespace {

fm::FractalNet tiny_net() {
    fm::ModelConfig c = fm::model_preset("tiny");
    torch::manual_seed(3);
    return fm::FractalNet(c);
}

// A roll with chords and a melody: bits/cell on it depends on every level.
torch::Tensor music_canvas() {
    auto x = torch::zeros({2, 128, 128});
    for (int t = 0; t < 128; t += 8)
        for (int p : {48, 52, 55}) x.index_put_({0, p + t % 24 / 8, torch::indexing::Slice(t, t + 6)}, 0.5);
    for (int t = 0; t < 128; t += 2) x.index_put_({1, 60 + t % 12, torch::indexing::Slice(t, t + 2)}, float(40 + t % 60) / 127.0f);
    return x;
}

}  // namespace

TEST(Precision, NamesParseAndBadNamesAreRefused) {
    for (const char* name : {"fp32", "bf16", "auto"}) EXPECT_STREQ(fm::precision_name(fm::parse_precision(name)), name);
    EXPECT_THROW(fm::parse_precision("fp16"), fm::Error);
    EXPECT_THROW(fm::parse_precision(""), fm::Error);
}

TEST(Precision, AutoPicksBf16OnlyWhereItIsFast) {
    using P = fm::Precision;
    EXPECT_EQ(fm::resolve_precision(P::automatic, /*cuda=*/false, /*cpu_bf16=*/false), P::fp32);   // the fallback
    EXPECT_EQ(fm::resolve_precision(P::automatic, false, true), P::bf16);
    EXPECT_EQ(fm::resolve_precision(P::automatic, true, false), P::bf16);
    EXPECT_EQ(fm::resolve_precision(P::fp32, true, true), P::fp32);   // asked for: kept
    EXPECT_EQ(fm::resolve_precision(P::bf16, false, false), P::bf16);
    // This machine: auto follows what cpuid says.
    EXPECT_EQ(fm::resolve_precision(P::automatic, false), fm::cpu_has_bf16() ? P::bf16 : P::fp32);
}

TEST(Precision, Bf16ConvertsTheMatmulWeightsButNotNormsOrLogits) {
    auto net = tiny_net();
    EXPECT_EQ(fm::apply_precision(net, fm::Precision::bf16), fm::Precision::bf16);
    int bf16 = 0, fp32 = 0;
    for (const auto& kv : net->named_parameters()) {
        const std::string& name = kv.key();
        const bool is_bf16 = kv.value().scalar_type() == torch::kBFloat16;
        bf16 += is_bf16, fp32 += !is_bf16;
        if (name.find("norm") != std::string::npos || name.find("occupancy") != std::string::npos || name.find("head.out") == 0 ||
            name.find("cell_embed") != std::string::npos) {
            EXPECT_FALSE(is_bf16) << name;
        }
        if (name.find("qkv.weight") != std::string::npos || name.find("fc1.weight") != std::string::npos) {
            EXPECT_TRUE(is_bf16) << name;
        }
    }
    EXPECT_GT(bf16, 10);
    EXPECT_GT(fp32, 10);
    net->set_matmul_dtype(torch::kFloat32);   // and back
    for (const auto& p : net->parameters()) EXPECT_EQ(p.scalar_type(), torch::kFloat32);
}

TEST(Precision, Bf16ScoresWithinAPercentOfFp32AndSamplesDeterministically) {
    auto net = tiny_net();
    net->eval();
    torch::NoGradGuard no_grad;
    const auto x = music_canvas();
    auto score = [&] {
        auto gen = at::detail::createCPUGenerator(5);
        return net->nll(x, {}, gen).sum().item<double>();
    };
    const double fp32 = score();
    fm::apply_precision(net, fm::Precision::bf16);
    const double bf16 = score();
    EXPECT_NEAR(bf16 / fp32, 1.0, 0.01) << fp32 << " vs " << bf16;
    EXPECT_NE(bf16, fp32);   // it did run in bf16

    fm::GenerateParams g;
    g.num_iter = {2, 2, 1}, g.seed = 11, g.num_samples = 2;
    const auto a = fm::generate(net, g, {}, nullptr), b = fm::generate(net, g, {}, nullptr);
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0].cells, b[0].cells);   // same seed, same precision: the same rolls
    EXPECT_EQ(a[1].cells, b[1].cells);
    for (float v : a[0].cells) ASSERT_GE(v, 0.0f);
}

TEST(Precision, EngineReportsThePrecisionItUses) {
    const auto e = fm::Engine::create(fm::model_preset("tiny"), 1, "cpu", fm::Precision::fp32);
    EXPECT_EQ(e->precision(), fm::Precision::fp32);
    const auto a = fm::Engine::create(fm::model_preset("tiny"), 1, "cpu", fm::Precision::automatic);
    EXPECT_EQ(a->precision(), fm::cpu_has_bf16() ? fm::Precision::bf16 : fm::Precision::fp32);
}

TEST(Autocast, MatmulsRunInBf16InsideAndFp32AfterAndSettingsAreRestored) {
    torch::nn::Linear lin(8, 4);
    const auto x = torch::randn({3, 8});
    {
        fm::Autocast on(torch::kCPU, true);
        EXPECT_EQ(lin->forward(x).scalar_type(), torch::kBFloat16);
        {
            fm::Autocast off(torch::kCPU, false);   // disabled: changes nothing
            EXPECT_EQ(lin->forward(x).scalar_type(), torch::kBFloat16);
        }
        EXPECT_EQ(fm::linear(*lin, x).scalar_type(), torch::kBFloat16);   // fp32 weights: autocast decides
    }
    EXPECT_EQ(lin->forward(x).scalar_type(), torch::kFloat32);
}

TEST(Autocast, ATrainingStepIsSeenByTheNextForward) {
    // The cast-weight cache must be dropped when the guard ends, or the step after an optimiser update would use the
    // bf16 copies of the old weights.
    auto net = tiny_net();
    net->train();
    torch::optim::AdamW opt(net->parameters(), torch::optim::AdamWOptions(1e-2));
    const auto x = music_canvas();
    std::vector<double> losses;
    for (int step = 0; step < 12; ++step) {
        auto gen = at::detail::createCPUGenerator(7);   // the same masks every step: the loss must fall
        torch::Tensor loss;
        {
            fm::Autocast bf16(torch::kCPU, true);
            auto [nll, count] = net->loss(x, gen);
            loss = nll / count;
        }
        EXPECT_EQ(loss.scalar_type(), torch::kFloat32);
        opt.zero_grad();
        loss.backward();
        for (const auto& p : net->parameters()) {
            ASSERT_EQ(p.scalar_type(), torch::kFloat32);   // master weights stay fp32
            if (p.grad().defined()) {
                ASSERT_EQ(p.grad().scalar_type(), torch::kFloat32);
            }
        }
        opt.step();
        losses.push_back(loss.item<double>());
    }
    EXPECT_LT(losses.back(), losses.front() * 0.8) << losses.front() << " -> " << losses.back();
}
