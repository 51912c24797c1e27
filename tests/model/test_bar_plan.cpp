// The per-bar plan: chroma, rhythm and density read off a roll in both layouts, what is known of a partly known bar,
// the plan canvas the levels see, and the prior: it keeps known bars, draws supersets of known pitch classes and
// rhythms that keep the known onsets and silences, and learns keys and rhythms; samples keep the plan's rules.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "core/error.h"
#include "model/bar_plan.h"
#include "model/cell_coding.h"
#include "model/fractal_net.h"

namespace {

using torch::indexing::Slice;

fm::ModelConfig config(fm::CanvasLayout layout = fm::CanvasLayout::long_roll) {
    fm::ModelConfig c = fm::model_preset("tiny");
    c.layout = layout;
    return c;
}

// 128 x 64 (4 bars): bar 0 a C major triad held 8 steps; bar 1 three strikes of D4 and one A5; bar 2 silent;
// bar 3 a B that starts in bar 2's last step and sounds on (a note sounding in a bar is in its chroma).
torch::Tensor roll() {
    auto r = torch::zeros({1, 128, 64});
    for (int p : {60, 64, 67}) r.index_put_({0, p, Slice(0, 8)}, 0.7);
    for (int t : {16, 20, 24}) r.index_put_({0, 62, Slice(t, t + 2)}, 0.5 + 0.01 * t);
    r.index_put_({0, 81, 30}, 0.9);
    r.index_put_({0, 71, Slice(47, 52)}, 0.6);
    return r;
}

int64_t set_of(std::initializer_list<int> classes) {
    int64_t s = 0;
    for (int c : classes) s |= int64_t(1) << c;
    return s;
}

}  // namespace

TEST(BarPlan, ChromaAndDensityOfEachBar) {
    const auto c = config();
    auto plans = fm::bar_plans(fm::encode_cells(roll(), c), c);
    ASSERT_EQ(plans.chroma.sizes(), (torch::IntArrayRef{1, 4}));
    EXPECT_EQ(plans.chroma[0][0].item<int64_t>(), set_of({0, 4, 7}));
    EXPECT_EQ(plans.chroma[0][1].item<int64_t>(), set_of({2, 9}));
    EXPECT_EQ(plans.chroma[0][2].item<int64_t>(), set_of({11}));   // the B's onset at step 47
    EXPECT_EQ(plans.chroma[0][3].item<int64_t>(), set_of({11}));   // and its hold into bar 3
    // Density classes: 3 onsets -> class 2 (3-4), 4 -> 2, 1 -> 1 (1-2), 0 -> 0.
    EXPECT_EQ(plans.density[0][0].item<int64_t>(), 2);
    EXPECT_EQ(plans.density[0][1].item<int64_t>(), 2);
    EXPECT_EQ(plans.density[0][2].item<int64_t>(), 1);
    EXPECT_EQ(plans.density[0][3].item<int64_t>(), 0);
    EXPECT_TRUE(plans.known.all().item<bool>());
    // Rhythm: the steps of each bar where a note starts (the B's hold into bar 3 starts nothing there).
    EXPECT_EQ(plans.rhythm[0][0].item<int64_t>(), set_of({0}));
    EXPECT_EQ(plans.rhythm[0][1].item<int64_t>(), set_of({0, 4, 8, 14}));
    EXPECT_EQ(plans.rhythm[0][2].item<int64_t>(), set_of({15}));
    EXPECT_EQ(plans.rhythm[0][3].item<int64_t>(), 0);
    EXPECT_EQ(plans.silent_steps[0][3].item<int64_t>(), 0xFFFF);   // all known, nothing starts
    EXPECT_EQ(plans.silent_steps[0][1].item<int64_t>(), 0xFFFF & ~set_of({0, 4, 8, 14}));
}

TEST(BarPlan, FoldedLayoutReadsTheSamePlans) {
    const auto lc = config(), fc = config(fm::CanvasLayout::folded);
    auto r = roll();
    auto folded = fm::canvas_major(r, fc);   // (1, 256, 32)
    ASSERT_EQ(folded.size(1), 256);
    auto a = fm::bar_plans(fm::encode_cells(r, lc), lc), b = fm::bar_plans(fm::encode_cells(folded, fc), fc);
    EXPECT_TRUE(torch::equal(a.chroma, b.chroma));
    EXPECT_TRUE(torch::equal(a.density, b.density));
    EXPECT_TRUE(torch::equal(a.rhythm, b.rhythm));
    // The plan canvas follows the layout: folding the long one gives the folded one.
    EXPECT_TRUE(torch::equal(fm::canvas_major(fm::plan_canvas(a, lc, 128, 64), fc), fm::plan_canvas(b, fc, 256, 32)));
}

TEST(BarPlan, PartlyKnownBarsKeepWhatIsKnown) {
    const auto c = config();
    auto r = roll();
    r.index_put_({0, Slice(70, 90), Slice(16, 32)}, -1.0);   // bar 1: the A5 is unknown, the D4s stay known
    auto plans = fm::bar_plans(fm::encode_cells(r, c), c);
    EXPECT_TRUE(plans.known[0][0].item<bool>());
    EXPECT_FALSE(plans.known[0][1].item<bool>());
    EXPECT_EQ(plans.known_chroma[0][1].item<int64_t>(), set_of({2}));
    EXPECT_EQ(plans.known_density[0][1].item<int64_t>(), 2);   // the three D4 strikes
}

TEST(BarPlan, PlanCanvasMarksInChromaCellsOnsetStepsAndCarriesTheDensity) {
    const auto c = config();
    ASSERT_TRUE(c.rhythm);
    auto plans = fm::bar_plans(fm::encode_cells(roll(), c), c);
    auto canvas = fm::plan_canvas(plans, c, 128, 64);
    EXPECT_EQ(canvas[0][48][3].item<float>(), 1.0f + 4.0f * 2);          // C3 in bar 0: in the chroma, density class 2
    EXPECT_EQ(canvas[0][61][3].item<float>(), 0.0f + 4.0f * 2);          // C#4: not
    EXPECT_EQ(canvas[0][61][0].item<float>(), 0.0f + 2.0f + 4.0f * 2);   // step 0 starts a note (the triad), on every row
    EXPECT_EQ(canvas[0][50][20].item<float>(), 1.0f + 2.0f + 4.0f * 2);  // any D in bar 1, at a D4 strike
    EXPECT_EQ(canvas[0][71][60].item<float>(), 1.0f);                    // the B in bar 3, density 0
    // Read back per token: a 4x4 token at rows 60..63, steps 16..19 (bar 1) has rows C, C#, D, D#; notes start at
    // its first step only.
    auto tokens = fm::patchify(canvas.index({Slice(), Slice(60, 64), Slice(16, 20)}), 4);   // (1, 1, 16)
    const fm::PlanView v = fm::plan_view(tokens, 4);
    EXPECT_TRUE(torch::equal(v.in[0][0], torch::tensor({0.0f, 0.0f, 1.0f, 0.0f})));
    EXPECT_TRUE(torch::equal(v.onset[0][0], torch::tensor({1.0f, 0.0f, 0.0f, 0.0f})));
    EXPECT_EQ(v.density[0][0].item<int64_t>(), 2);
    // Without the rhythm (the earlier models) the canvas carries no onsets, and the rest reads the same.
    auto old = c;
    old.rhythm = false;
    auto without = fm::plan_view(fm::patchify(fm::plan_canvas(plans, old, 128, 64).index({Slice(), Slice(60, 64), Slice(16, 20)}), 4), 4);
    EXPECT_EQ(without.onset.sum().item<float>(), 0.0f);
    EXPECT_TRUE(torch::equal(without.in, v.in));
    EXPECT_TRUE(torch::equal(without.density, v.density));
}

TEST(BarPlan, PlanCanvasCarriesTheAskedStyleWithoutChangingTheRest) {
    const auto c = config();
    auto plans = fm::bar_plans(fm::encode_cells(roll(), c), c);
    auto token = [&](const torch::Tensor& style) {
        return fm::plan_view(fm::patchify(fm::plan_canvas(plans, c, 128, 64, style).index({Slice(), Slice(60, 64), Slice(16, 20)}), 4), 4);
    };
    const fm::PlanView none = token({}), chorale = token(torch::tensor({4}, torch::kLong));   // 1 + Style::chorale
    EXPECT_EQ(none.style[0][0].item<int64_t>(), 0);
    EXPECT_EQ(chorale.style[0][0].item<int64_t>(), 4);
    EXPECT_TRUE(torch::equal(chorale.in, none.in));
    EXPECT_TRUE(torch::equal(chorale.onset, none.onset));
    EXPECT_TRUE(torch::equal(chorale.density, none.density));
    EXPECT_EQ(none.density[0][0].item<int64_t>(), 2);
    // The densest bar and the last style still read back apart.
    plans.density.fill_(fm::kDensityClasses - 1);
    const fm::PlanView dense = token(torch::tensor({4}, torch::kLong));
    EXPECT_EQ(dense.density[0][0].item<int64_t>(), fm::kDensityClasses - 1);
    EXPECT_EQ(dense.style[0][0].item<int64_t>(), 4);
}

TEST(BarPlan, PriorKeepsKnownOnsetsAndSilencesWhenItDrawsARhythm) {
    torch::manual_seed(0);
    fm::PlanPrior prior(32, true);
    torch::NoGradGuard no_grad;
    const auto c = config();
    auto r = roll().repeat({32, 1, 1});
    r.index_put_({Slice(), Slice(), Slice(22, 32)}, -1.0);   // bar 1: steps 0..5 known (strikes at 0 and 4), the rest not
    r.index_put_({Slice(), Slice(), Slice(32, 48)}, -1.0);   // bar 2 unknown
    auto plans = fm::bar_plans(fm::encode_cells(r, c), c);
    EXPECT_EQ(plans.known_rhythm[0][1].item<int64_t>(), set_of({0, 4}));
    EXPECT_EQ(plans.silent_steps[0][1].item<int64_t>(), set_of({1, 2, 3, 5}));
    auto before = plans.rhythm.clone();
    auto gen = at::detail::createCPUGenerator(11);
    prior->sample(plans, 1.0, gen);
    EXPECT_TRUE(torch::equal(plans.rhythm.index({Slice(), 0}), before.index({Slice(), 0})));
    EXPECT_TRUE(torch::equal(plans.rhythm.index({Slice(), 3}), before.index({Slice(), 3})));
    auto bar1 = plans.rhythm.index({Slice(), 1});
    EXPECT_TRUE((bar1.bitwise_and(set_of({0, 4})) == set_of({0, 4})).all().item<bool>());
    EXPECT_TRUE((bar1.bitwise_and(set_of({1, 2, 3, 5})) == 0).all().item<bool>());
    EXPECT_GT(std::get<0>(at::_unique(plans.rhythm.index({Slice(), 2}))).numel(), 1);   // untrained: spread out
    // What a sampled plan shows the levels is the drawn rhythm.
    auto view = fm::plan_view(fm::patchify(fm::plan_canvas(plans, c, 128, 64), 16), 16);   // (32, 32, 16): bar = token % 4
    for (int b = 0; b < 4; ++b)
        for (int k = 0; k < 16; ++k)
            EXPECT_EQ(view.onset[b][4 * 3 + 2][k].item<float>(), float((plans.rhythm[b][2].item<int64_t>() >> k) & 1)) << b << " " << k;
}

TEST(BarPlan, PriorLearnsARhythmAndSamplesIt) {
    // Every bar: notes start on the beats, and on the off-beat eighths in every other bar. After training, drawn bars
    // start notes on those steps and no others.
    torch::manual_seed(0);
    fm::PlanPrior prior(32, true);
    const int64_t beats = set_of({0, 4, 8, 12}), eighths = set_of({0, 2, 4, 6, 8, 10, 12, 14});
    auto chroma = torch::full({32, 8}, set_of({0, 4, 7}), torch::kLong), density = torch::full({32, 8}, 4, torch::kLong);
    auto rhythm = torch::empty({32, 8}, torch::kLong);
    for (int b = 0; b < 32; ++b)
        for (int j = 0; j < 8; ++j) rhythm[b][j] = (b + j) % 2 ? beats : eighths;
    auto zeros = torch::zeros({32, 8}, torch::kLong);
    fm::BarPlans plans{chroma, density, torch::ones({32, 8}, torch::kBool), chroma, density, rhythm, rhythm, zeros};
    torch::optim::Adam opt(prior->parameters(), torch::optim::AdamOptions(3e-3));
    for (int step = 0; step < 200; ++step) {
        opt.zero_grad();
        auto loss = prior->nll(plans).mean();
        loss.backward();
        opt.step();
    }
    torch::NoGradGuard no_grad;
    auto z = torch::zeros({64, 8}, torch::kLong);
    fm::BarPlans draw{z.clone(), z.clone(), torch::zeros({64, 8}, torch::kBool), z.clone(), z.clone(), z.clone(), z.clone(), z.clone()};
    auto gen = at::detail::createCPUGenerator(3);
    prior->sample(draw, 1.0, gen);
    const double off_grid = (draw.rhythm.bitwise_and(~eighths & 0xFFFF) != 0).to(torch::kFloat32).mean().item<double>();
    EXPECT_LT(off_grid, 0.05);
    // And it alternates: a bar of beats follows a bar of eighths.
    auto first = draw.rhythm.index({Slice(), Slice(0, 7)}), next = draw.rhythm.index({Slice(), Slice(1, 8)});
    const double alternates = (((first == eighths) & (next == beats)) | ((first == beats) & (next == eighths))).to(torch::kFloat32).mean().item<double>();
    EXPECT_GT(alternates, 0.9);
}

TEST(BarPlan, PriorKeepsKnownBarsAndDrawsSupersetsOfKnownPitchClasses) {
    torch::manual_seed(0);
    fm::PlanPrior prior(32);
    torch::NoGradGuard no_grad;
    const auto c = config();
    auto r = roll().repeat({16, 1, 1});
    r.index_put_({Slice(), Slice(70, 90), Slice(16, 32)}, -1.0);   // bar 1 partly known (D is known)
    r.index_put_({Slice(), Slice(), Slice(32, 48)}, -1.0);         // bar 2 unknown
    auto plans = fm::bar_plans(fm::encode_cells(r, c), c);
    auto before = plans.chroma.clone();
    auto gen = at::detail::createCPUGenerator(7);
    prior->sample(plans, 1.0, gen);
    EXPECT_TRUE(torch::equal(plans.chroma.index({Slice(), 0}), before.index({Slice(), 0})));
    EXPECT_TRUE(torch::equal(plans.chroma.index({Slice(), 3}), before.index({Slice(), 3})));
    const int64_t d = set_of({2});
    EXPECT_TRUE((plans.chroma.index({Slice(), 1}).bitwise_and(d) == d).all().item<bool>());
    EXPECT_TRUE((plans.density.index({Slice(), 1}) >= 2).all().item<bool>());
    // An untrained prior spreads over thousands of sets: sixteen draws of bar 2 are not all the same.
    EXPECT_GT(std::get<0>(at::_unique(plans.chroma.index({Slice(), 2}))).numel(), 1);
}

TEST(BarPlan, PriorLearnsAKeyAndSamplesIt) {
    // Bars of C major chords only: after training, drawn bars stay inside the C major scale.
    torch::manual_seed(0);
    fm::PlanPrior prior(32);
    const int64_t chords[4] = {set_of({0, 4, 7}), set_of({5, 9, 0}), set_of({7, 11, 2}), set_of({9, 0, 4})};
    auto chroma = torch::empty({32, 8}, torch::kLong), density = torch::full({32, 8}, 3, torch::kLong);
    for (int b = 0; b < 32; ++b)
        for (int j = 0; j < 8; ++j) chroma[b][j] = chords[(b + j) % 4];
    auto none = torch::zeros({32, 8}, torch::kLong);
    fm::BarPlans plans{chroma, density, torch::ones({32, 8}, torch::kBool), chroma, density, none, none, none};
    torch::optim::Adam opt(prior->parameters(), torch::optim::AdamOptions(1e-2));
    const double first = prior->nll(plans).mean().item<double>();
    for (int step = 0; step < 60; ++step) {
        opt.zero_grad();
        auto loss = prior->nll(plans).mean();
        loss.backward();
        opt.step();
    }
    torch::NoGradGuard no_grad;
    EXPECT_LT(prior->nll(plans).mean().item<double>(), first / 4);
    fm::BarPlans draw{torch::zeros({64, 8}, torch::kLong), torch::zeros({64, 8}, torch::kLong), torch::zeros({64, 8}, torch::kBool),
                      torch::zeros({64, 8}, torch::kLong), torch::zeros({64, 8}, torch::kLong), torch::zeros({64, 8}, torch::kLong),
                      torch::zeros({64, 8}, torch::kLong), torch::zeros({64, 8}, torch::kLong)};
    auto gen = at::detail::createCPUGenerator(3);
    prior->sample(draw, 1.0, gen);
    const int64_t c_major = set_of({0, 2, 4, 5, 7, 9, 11});
    const double inside = (draw.chroma.bitwise_and(~c_major & 4095) == 0).to(torch::kFloat32).mean().item<double>();
    EXPECT_GT(inside, 0.95);
}

TEST(BarPlan, NetCountsThePlanInItsLikelihood) {
    torch::manual_seed(0);
    auto with = config();
    auto without = with;
    without.plan = false;
    fm::FractalNet a(with), b(without);
    torch::NoGradGuard no_grad;
    auto canvas = roll();
    auto nats = a->plan_nll(canvas);
    EXPECT_GT(nats.item<double>(), 0);
    EXPECT_EQ(b->plan_nll(canvas).item<double>(), 0);
    auto gen = at::detail::createCPUGenerator(1);
    EXPECT_TRUE(std::isfinite(a->nll(canvas, {}, gen).item<double>()));
    // The canvas must be whole bars.
    EXPECT_THROW(fm::bar_plans(fm::encode_cells(torch::zeros({1, 128, 40}), with), with), fm::Error);
}


TEST(BarPlan, SamplesKeepThePlansRules) {
    // An untrained net puts notes anywhere. With the rules, every bar of a sample sounds only pitch classes of the
    // chroma drawn for it and starts notes only on its rhythm's steps; without them, both are broken.
    torch::manual_seed(0);
    const auto c = config();
    ASSERT_TRUE(c.plan && c.rhythm && c.cells == fm::CellCoding::notes);
    fm::FractalNet net(c);
    net->eval();
    torch::NoGradGuard no_grad;
    const auto unknown = torch::full({8, 128, 128}, -1.0);
    auto outside = [&](bool rules, int64_t* chroma_out, int64_t* rhythm_out) {
        fm::SampleOptions opt;
        opt.plan_rules = rules;
        fm::BarPlans drawn;
        opt.plans = &drawn;
        auto gen = at::detail::createCPUGenerator(5);
        const auto out = net->sample(unknown, opt, gen, {}, nullptr);
        ASSERT_TRUE((out >= 0).all().item<bool>());
        const auto got = fm::bar_plans(fm::encode_cells(out, c), c);
        *chroma_out = (got.chroma.bitwise_and(drawn.chroma.bitwise_not()) != 0).sum().item<int64_t>();
        *rhythm_out = (got.rhythm.bitwise_and(drawn.rhythm.bitwise_not()) != 0).sum().item<int64_t>();
        EXPECT_GT(got.density.sum().item<int64_t>(), 0);   // notes were drawn
    };
    int64_t chroma = -1, rhythm = -1;
    outside(true, &chroma, &rhythm);
    EXPECT_EQ(chroma, 0);
    EXPECT_EQ(rhythm, 0);
    outside(false, &chroma, &rhythm);
    EXPECT_GT(chroma + rhythm, 0);
}

TEST(BarPlan, RulesLowerTheLikelihoodOfTheData) {
    // The data never breaks its own plan, so scoring without what the plan rules out can only lower its nats.
    torch::manual_seed(0);
    const auto c = config();
    fm::FractalNet net(c);
    net->eval();
    torch::NoGradGuard no_grad;
    auto canvas = roll().repeat({2, 1, 1}).index({Slice(), Slice(), Slice(0, 32)}).repeat({1, 1, 4});   // 128 x 128
    for (bool gate : {true, false}) {
        fm::SampleOptions with, without;
        with.gate = without.gate = gate;
        without.plan_rules = false;
        auto g1 = at::detail::createCPUGenerator(1), g2 = at::detail::createCPUGenerator(1);
        const auto a = net->nll(canvas, with, g1), b = net->nll(canvas, without, g2);
        EXPECT_TRUE(torch::isfinite(a).all().item<bool>()) << gate;
        EXPECT_TRUE((a < b).all().item<bool>()) << gate << " " << a << " " << b;
    }
}
