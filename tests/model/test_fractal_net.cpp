// The fractal net itself: shapes, learning, sampling rules, AR causality, every generator mix.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "core/error.h"
#include "model/fractal_net.h"

namespace {

fm::ModelConfig tiny(const std::string& types = "mar,mar,mar,mar", fm::ScanOrder scan = fm::ScanOrder::row_major) {
    fm::ModelConfig c = fm::model_preset("tiny");
    fm::set_generator_types(c, types);
    c.scan = scan;
    return c;
}

torch::Generator generator(uint64_t seed) {
    auto g = at::detail::createCPUGenerator(seed);
    return g;
}

// A few fixed rolls with notes: (B, 128, W).
torch::Tensor toy_rolls(int64_t b, int64_t w) {
    auto x = torch::zeros({b, 128, w});
    for (int64_t i = 0; i < b; ++i)
        for (int64_t t = 0; t < w; t += 4) {
            x.index_put_({i, 60 + (t / 4 + i) % 12, t}, 100 / 127.0);
            x.index_put_({i, 60 + (t / 4 + i) % 12, t + 1}, 100 / 127.0);
            x.index_put_({i, 48, t}, 64 / 127.0);
        }
    return x;
}

}  // namespace

TEST(FractalNet, PatchifyRoundTrips) {
    auto x = torch::arange(2 * 32 * 48, torch::kFloat32).view({2, 32, 48});
    auto tokens = fm::patchify(x, 16);
    ASSERT_EQ(tokens.sizes(), (std::vector<int64_t>{2, 6, 256}));
    EXPECT_EQ(tokens[0][1][0].item<float>(), x[0][0][16].item<float>());   // token 1 = grid (0, 1)
    EXPECT_EQ(tokens[0][3][0].item<float>(), x[0][16][0].item<float>());   // token 3 = grid (1, 0)
    EXPECT_TRUE(torch::equal(fm::unpatchify(tokens, 16, 2, 3), x));
}

// Entropy (nats per cell) of the data's marginal distribution over the 128 velocity classes.
double marginal_entropy(const torch::Tensor& x) {
    auto k = (x * 127).round().to(torch::kLong).view({-1});
    auto p = torch::bincount(k, {}, 128).to(torch::kDouble) / double(k.size(0));
    return -(p * torch::log(p.clamp_min(1e-300))).sum().item<double>();
}

// Trains the net on x for `steps` steps; returns the mean loss (nats per cell) of the last 50.
double overfit(fm::FractalNet& net, const torch::Tensor& x, int steps, double lr) {
    auto gen = generator(1);
    torch::optim::AdamW opt(net->parameters(), torch::optim::AdamWOptions(lr));
    double recent = 0;
    const int window = 50;
    for (int step = 0; step < steps; ++step) {
        auto [nll, count] = net->loss(x, gen);
        auto loss = nll / count;
        opt.zero_grad();
        loss.backward();
        opt.step();
        if (step >= steps - window) recent += loss.item<double>() / window;
    }
    return recent;
}

TEST(FractalNet, TinyModelLearnsAFixedPatternFarBelowTheMarginal) {
    // Pitches 60-63 held at velocity 64 throughout: the model must learn where the notes are, at every level.
    torch::manual_seed(0);
    fm::FractalNet net(tiny());
    auto x = torch::zeros({1, 128, 32});
    x.index_put_({0, torch::indexing::Slice(60, 64), torch::indexing::Slice()}, 64 / 127.0);
    const double marginal = marginal_entropy(x);
    const double recent = overfit(net, x, 450, 3e-3);
    EXPECT_LT(recent, 0.25 * marginal) << "marginal " << marginal << " nats/cell, mean of the last 50 losses " << recent;
}

TEST(FractalNet, TinyModelLearnsAMelodyWithItsVelocities) {
    // A melody of notes 1-4 steps long at four velocities over a bass line: onsets, lengths and velocities all vary,
    // and each note keeps its velocity along its length, which the model must learn to copy.
    torch::manual_seed(0);
    fm::FractalNet net(tiny());
    auto x = torch::zeros({1, 128, 64});
    const int velocities[] = {40, 64, 90, 110};
    for (int t = 0, k = 0; t < 64; ++k) {
        const int len = 1 + (k * 7) % 4, pitch = 60 + (k * 5) % 12;
        x.index_put_({0, pitch, torch::indexing::Slice(t, std::min(64, t + len))}, velocities[(k * 3) % 4] / 127.0);
        t += len + (k % 3 == 0 ? 1 : 0);
    }
    for (int t = 0; t < 64; t += 8) x.index_put_({0, 36 + (t / 8) % 3, torch::indexing::Slice(t, t + 6)}, 70 / 127.0);
    const double marginal = marginal_entropy(x);
    const double recent = overfit(net, x, 800, 3e-3);
    EXPECT_LT(recent, 0.5 * marginal) << "marginal " << marginal << " nats/cell, mean of the last 50 losses " << recent;
}

TEST(FractalNet, SamplingFillsUnknownsKeepsKnownsAndIsDeterministic) {
    torch::manual_seed(0);
    fm::FractalNet net(tiny());
    net->eval();
    torch::NoGradGuard no_grad;
    auto canvas = toy_rolls(1, 32);
    canvas.index_put_({0, torch::indexing::Slice(), torch::indexing::Slice(16, 32)}, -1.0);   // generate the second half
    fm::SampleOptions opt;
    auto g1 = generator(42), g2 = generator(42), g3 = generator(43);
    int reports = 0;
    bool levels_seen[3] = {false, false, false};
    auto out1 = net->sample(canvas, opt, g1, [&](int level, int, int, const torch::Tensor&) { ++reports, levels_seen[level] = true; }, nullptr);
    auto out2 = net->sample(canvas, opt, g2, {}, nullptr);
    auto out3 = net->sample(canvas, opt, g3, {}, nullptr);
    EXPECT_TRUE((out1 >= 0).all().item<bool>());
    EXPECT_TRUE(torch::equal(out1.index({0, torch::indexing::Slice(), torch::indexing::Slice(0, 16)}),
                             canvas.index({0, torch::indexing::Slice(), torch::indexing::Slice(0, 16)})));
    EXPECT_TRUE(torch::equal(out1, out2));
    EXPECT_FALSE(torch::equal(out1, out3));
    EXPECT_TRUE(levels_seen[0] && levels_seen[1] && levels_seen[2]);
    // Values are velocity classes k/127.
    auto k = out1 * 127;
    EXPECT_TRUE(torch::allclose(k, k.round(), 0, 1e-4));
}

TEST(FractalNet, GatingOffStillSamplesAndScoresEveryCell) {
    // The net is one model with or without empty-patch gating: both fill every unknown and give a finite likelihood.
    torch::manual_seed(0);
    fm::FractalNet net(tiny());
    net->eval();
    torch::NoGradGuard no_grad;
    for (bool gate : {true, false}) {
        fm::SampleOptions opt;
        opt.gate = gate;
        auto gen = generator(7);
        auto out = net->sample(torch::full({2, 128, 32}, -1.0), opt, gen, {}, nullptr);
        EXPECT_TRUE((out >= 0).all().item<bool>()) << "gate " << gate;
        auto nll = net->nll(toy_rolls(2, 32), opt, gen);
        EXPECT_TRUE(torch::isfinite(nll).all().item<bool>()) << "gate " << gate;
        EXPECT_GT(nll.min().item<double>(), 0) << "gate " << gate;
    }
}

TEST(FractalNet, CancelReturnsAPartialCanvas) {
    torch::manual_seed(0);
    fm::FractalNet net(tiny());
    torch::NoGradGuard no_grad;
    auto canvas = torch::full({1, 128, 64}, -1.0);
    fm::CancelFlag cancel{false};
    auto gen = generator(3);
    auto out = net->sample(canvas, {}, gen, [&](int level, int step, int, const torch::Tensor&) { if (level == 0 && step == 2) cancel = true; }, &cancel);
    const auto unknown = (out < 0).sum().item<int64_t>();
    EXPECT_GT(unknown, 0);
    EXPECT_LT(unknown, 128 * 64);
}

TEST(FractalNet, ArLevelIsCausal) {
    for (auto scan : {fm::ScanOrder::row_major, fm::ScanOrder::column_major}) {
        torch::manual_seed(0);
        fm::FractalNet net(tiny("ar,mar,mar,mar", scan));
        net->eval();
        torch::NoGradGuard no_grad;
        fm::Level level(net->config(), 0, 0);
        level->eval();
        const int64_t gr = 8, gc = 4, t = gr * gc;
        auto tokens = torch::randint(0, 129, {1, t, 256}).to(torch::kFloat32);   // cell classes
        const auto pitch = level->token_bias(32 + torch::div(torch::arange(t), gc, "floor").unsqueeze(0) * 16, {});   // a patch at row 32
        auto order = scan == fm::ScanOrder::row_major ? torch::arange(t) : torch::arange(t).view({gr, gc}).t().reshape({-1}).contiguous();
        auto z1 = level->encode_causal(tokens, {}, gr, gc, order, pitch);
        // Change every token from scan position 10 on: outputs at scan positions <= 10 must not change.
        auto changed = tokens.clone();
        for (int64_t j = 10; j < t; ++j) changed.index_put_({0, order[j].item<int64_t>()}, torch::randint(0, 129, {256}).to(torch::kFloat32));
        auto z2 = level->encode_causal(changed, {}, gr, gc, order, pitch);
        for (int64_t j = 0; j < t; ++j) {
            const int64_t p = order[j].item<int64_t>();
            const bool same = torch::allclose(z1[0][p], z2[0][p], 1e-5, 1e-5);
            if (j <= 10) {
                EXPECT_TRUE(same) << "scan position " << j;
            } else if (j > 11) {
                EXPECT_FALSE(same) << "scan position " << j;
            }
        }
        // The KV-cached path gives the same outputs as teacher forcing.
        fm::KVCache cache;
        auto z = level->start({}, 1, gr, gc, order[0].item<int64_t>(), pitch, cache);
        for (int64_t j = 0; j < t; ++j) {
            const int64_t p = order[j].item<int64_t>();
            EXPECT_TRUE(torch::allclose(z[0][0], z1[0][p], 1e-4, 1e-4)) << "cached step " << j;
            if (j + 1 < t) z = level->step(tokens.index({torch::indexing::Slice(), p}), order[j + 1].item<int64_t>(), gr, gc, pitch, cache);
        }
    }
}

TEST(FractalNet, EveryGeneratorMixTrainsAndSamplesAtSeveralWidths) {
    const char* mixes[] = {"mar,mar,mar,mar", "ar,mar,mar,mar", "mar,ar,mar,mar", "mar,mar,ar,mar", "ar,ar,ar,ar"};
    for (const char* mix : mixes)
        for (auto scan : {fm::ScanOrder::row_major, fm::ScanOrder::column_major})
            for (int64_t w : {32, 48}) {
                torch::manual_seed(0);
                auto config = tiny(mix, scan);
                if (w == 48) config.cells = fm::CellCoding::velocity, config.pitch_positions = false, config.plan = false;   // both codings, with and without a plan
                fm::FractalNet net(config);
                auto gen = generator(5);
                auto [nll, count] = net->loss(toy_rolls(2, w), gen);
                EXPECT_GT(count.item<double>(), 0) << mix;
                (nll / count).backward();
                torch::NoGradGuard no_grad;
                auto out = net->sample(torch::full({2, 128, w}, -1.0), {}, gen, {}, nullptr);
                EXPECT_TRUE((out >= 0).all().item<bool>()) << mix << " width " << w;
                auto bits = net->nll(toy_rolls(1, w), {}, gen);
                EXPECT_TRUE(std::isfinite(bits.item<double>())) << mix;
            }
}

TEST(FractalNet, LevelsBelowTheTopLearnWhetherTheirPatchWasGated) {
    torch::manual_seed(0);
    fm::FractalNet net(tiny());
    ASSERT_TRUE(net->config().gate_flag);
    auto params = net->named_parameters();
    ASSERT_EQ(params.find("level0.ungated"), nullptr) << "level 0 has no level above";
    auto gen = generator(5);
    auto [nll, count] = net->loss(toy_rolls(4, 32), gen);
    (nll / count).backward();
    // Empty patches kept for training walk ungated: the flag's vectors get a gradient from them.
    for (const char* name : {"level1.ungated", "level2.ungated"}) {
        ASSERT_NE(params.find(name), nullptr) << name;
        EXPECT_GT(params[name].grad().abs().sum().item<double>(), 0) << name;
    }
    // A file without the field reads as off: the earlier models keep their exact parameters.
    auto old = fm::config_from_json(R"({"format":"fractalmidi-model","version":2,"levels":[{"width":32,"depth":1,"heads":2,"generator":"mar"},)"
                                    R"({"width":32,"depth":1,"heads":2,"generator":"mar"},{"width":16,"depth":1,"heads":1,"generator":"mar"},)"
                                    R"({"width":16,"depth":1,"heads":1,"generator":"mar"}],"scan_order":"row_major","layout":"long","crop_length":128})");
    EXPECT_FALSE(old.gate_flag);
    EXPECT_FALSE(old.plan);
    EXPECT_FALSE(old.rhythm);
}

TEST(FractalNet, EveryLevelLearnsFromThePlansRhythm) {
    torch::manual_seed(0);
    fm::FractalNet net(tiny());
    ASSERT_TRUE(net->config().plan && net->config().rhythm);
    auto params = net->named_parameters();
    auto gen = generator(5);
    auto [nll, count] = net->loss(toy_rolls(4, 32), gen);
    (nll / count).backward();
    // The rhythm enters each level at zero (so --init_from from a model without it starts where that model was) and
    // moves from there; the prior's rhythm heads learn too.
    for (const char* name : {"level0.plan_cols.weight", "level1.plan_cols.weight", "level2.plan_cols.weight", "plan.first_out.weight",
                             "plan.second_out.weight", "plan.rhythm_in.weight", "plan.rhythm_density.weight"}) {
        ASSERT_NE(params.find(name), nullptr) << name;
        EXPECT_EQ(params[name].abs().sum().item<double>() > 0, std::string(name).find("plan_cols") == std::string::npos &&
                                                                   std::string(name).find("rhythm_") == std::string::npos) << name;
        EXPECT_GT(params[name].grad().abs().sum().item<double>(), 0) << name;
    }
}

TEST(FractalNet, FillingOccupiedPatchesAddsNotes) {
    torch::manual_seed(0);
    fm::FractalNet net(tiny());
    net->eval();
    torch::NoGradGuard no_grad;
    // Cells that rarely hold a note: many 4x4 patches drawn occupied come out silent unless filled.
    net->named_parameters()["level2.occupancy.bias"].fill_(-4.0);
    fm::SampleOptions loose, filled;
    filled.keep_occupied = true;
    double notes[2] = {0, 0};
    for (int seed = 0; seed < 4; ++seed) {
        auto g1 = generator(uint64_t(seed)), g2 = generator(uint64_t(seed));
        notes[0] += (net->sample(torch::full({2, 128, 32}, -1.0), loose, g1, {}, nullptr) > 0).sum().item<double>();
        notes[1] += (net->sample(torch::full({2, 128, 32}, -1.0), filled, g2, {}, nullptr) > 0).sum().item<double>();
    }
    EXPECT_GT(notes[1], notes[0]);
}

// A crop's training loss depends on its own key, not on the other crops of its batch (or their number): the two
// halves of a batch, each with its crops' keys, add up to the whole batch (what data-parallel shards rely on).
TEST(FractalNet, ACropsLossDependsOnItsKeyNotOnItsBatchMates) {
    fm::FractalNet net = fm::seeded_net(fm::model_preset("tiny"), 5);
    const auto x = toy_rolls(4, net->config().crop_length);
    const auto keys = torch::tensor({11, 22, 33, 44}, torch::kLong);
    auto gen = at::detail::createCPUGenerator(1);
    const auto [nll, count] = net->loss({x}, gen, keys);
    const auto [nll_a, count_a] = net->loss({x.slice(0, 0, 2)}, gen, keys.slice(0, 0, 2));
    const auto [nll_b, count_b] = net->loss({x.slice(0, 2, 4)}, gen, keys.slice(0, 2, 4));
    EXPECT_NEAR(nll.item<double>(), nll_a.item<double>() + nll_b.item<double>(), 1e-4 * std::abs(nll.item<double>()));
    EXPECT_DOUBLE_EQ(count.item<double>(), count_a.item<double>() + count_b.item<double>());
    // Other keys, other masks.
    const auto [other, other_count] = net->loss({x}, gen, keys + 1);
    EXPECT_NE(other.item<double>(), nll.item<double>());
    EXPECT_THROW(net->loss({x}, gen, keys.slice(0, 0, 3)), fm::Error);
}
