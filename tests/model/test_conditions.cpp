// Conditions: their codes, a crop's own labels, the plan prior's bounds (an asked chord's tones, a locked key's scale),
// guidance, and generation through the library with them (random tiny weights: the rules hold whatever the weights).
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/harmony.h"
#include "model/bar_plan.h"
#include "model/cell_coding.h"
#include "model/checkpoint.h"
#include "core/file_io.h"
#include "model/conditions.h"
#include "model/generator.h"
#include "model/model_config.h"

namespace {

fm::FractalNet tiny_net(bool plan = true) {
    fm::ModelConfig c = fm::model_preset("tiny");
    c.plan = c.rhythm = c.conditions = plan;
    torch::manual_seed(3);
    return fm::FractalNet(c);
}

// Bars of block chords, one per bar, each tone held for the whole bar.
fm::Roll chord_bars(const std::vector<std::string>& names, int bars) {
    fm::Roll r(bars * fm::kStepsPerBar);
    for (int b = 0; b < bars; ++b) {
        const uint16_t tones = fm::chord_pitch_classes(fm::parse_chord(names[size_t(b) % names.size()]));
        for (int pc = 0; pc < 12; ++pc)
            if (tones >> pc & 1)
                for (int t = 0; t < fm::kStepsPerBar; ++t) r.at(60 + pc, b * fm::kStepsPerBar + t) = 0.7f;
    }
    return r;
}

int notes_outside(const fm::Roll& r, uint16_t scale) {
    int n = 0;
    for (int p = 0; p < r.rows; ++p)
        for (int t = 0; t < r.width; ++t) n += r.at(p, t) > 0 && !(scale >> (p % 12) & 1);
    return n;
}

}  // namespace

TEST(Conditions, NamesAndCodes) {
    EXPECT_EQ(fm::parse_style("JSB"), fm::Style::chorale);
    EXPECT_EQ(fm::parse_style("pop909"), fm::Style::pop);
    EXPECT_EQ(fm::parse_style(""), fm::Style::any);
    EXPECT_THROW(fm::parse_style("jazz"), fm::Error);
    EXPECT_EQ(fm::style_of_path("/data/nottingham/reels_1.mid"), fm::Style::folk);
    EXPECT_EQ(fm::style_of_path("/data/asap/Bach/Fugue/bwv_846/midi_score.mid"), fm::Style::classical);
    EXPECT_EQ(fm::style_of_path("/home/me/song.mid"), fm::Style::any);
    EXPECT_EQ(fm::tempo_bin(50), 0);
    EXPECT_EQ(fm::tempo_bin(100), 3);
    EXPECT_EQ(fm::tempo_bin(200), fm::kTempoBins - 1);
    EXPECT_EQ(fm::density_bin(0), 0);
    EXPECT_EQ(fm::density_bin(12), 5);
    EXPECT_EQ(fm::density_bin(100), fm::kDensityBins - 1);
    EXPECT_EQ(fm::density_bin_of_level(0.0), 1);   // the sparsest playing, never a silent bar
    EXPECT_EQ(fm::density_bin_of_level(1.0), fm::kDensityBins - 1);
    EXPECT_LT(fm::density_bin_of_level(0.3), fm::density_bin_of_level(0.7));
    EXPECT_EQ(fm::chord_code(fm::no_chord()), 0);
    EXPECT_NE(fm::chord_code(fm::parse_chord("Am")), fm::chord_code(fm::parse_chord("A")));
    EXPECT_EQ(fm::key_of_code(fm::key_code(fm::parse_key("F# minor"))), fm::parse_key("F# minor"));
    fm::Conditions c;
    c.chords = fm::parse_chords("C G");
    EXPECT_EQ(fm::chord_code_at(c, 3), fm::chord_code(fm::parse_chord("G")));   // a progression repeats
    c.density = {0.5, -1};
    EXPECT_GT(fm::density_code_at(c, 0), 0);
    EXPECT_EQ(fm::density_code_at(c, 1), 0);   // a free bar
    c.tempo = -3;
    EXPECT_THROW(fm::check_conditions(c), fm::Error);
}

TEST(Conditions, ACropsOwnLabels) {
    const fm::Roll r = chord_bars({"C", "F", "G", "C"}, 4);
    const fm::Conditions c = fm::conditions_of(r, 96, fm::Style::folk);
    ASSERT_EQ(c.chords.size(), 4u);
    EXPECT_TRUE(fm::same_chord(c.chords[1], fm::parse_chord("F")));
    EXPECT_TRUE(fm::same_chord(c.chords[2], fm::parse_chord("G")));
    EXPECT_EQ(fm::key_of_code(c.key), fm::parse_key("C major"));
    ASSERT_EQ(c.density.size(), 4u);
    EXPECT_EQ(fm::density_bin_of_level(c.density[0]), fm::density_bin(3));   // three notes start in each bar
    EXPECT_EQ(c.tempo, 96);
    EXPECT_EQ(c.style, fm::Style::folk);
}

TEST(Conditions, ConfigFieldIsReadAndOldFilesHaveNone) {
    fm::ModelConfig c = fm::model_preset("tiny");
    EXPECT_TRUE(c.conditions);
    EXPECT_TRUE(fm::config_from_json(fm::config_to_json(c)).conditions);
    std::string old = fm::config_to_json(c);
    old.replace(old.find("\"conditions\":true"), 17, "\"conditionz\":true");
    EXPECT_FALSE(fm::config_from_json(old).conditions);
}

TEST(Conditions, PlanDrawsHoldTheAskedChordsTonesWithinTheLockedScale) {
    fm::PlanPrior prior(32, true, true);
    prior->eval();
    torch::NoGradGuard no_grad;
    const int64_t b = 6, bars = 8;
    auto classes = torch::full({b, 128, bars * 16}, -1.0);
    fm::BarPlans plans = fm::bar_plans(classes, fm::model_preset("tiny"));
    fm::Conditions c;
    c.key = fm::key_code(fm::parse_key("A minor"));
    c.chords = fm::parse_chords("Am F C E7");   // E7's G# is outside A natural minor: allowed in its bar only
    const auto cond = fm::plan_conditions({c}, b, 0, bars, torch::kCPU);
    for (double guidance : {1.0, 3.0}) {
        fm::BarPlans draw = plans;
        draw.chroma = plans.chroma.clone(), draw.density = plans.density.clone(), draw.rhythm = plans.rhythm.clone();
        auto gen = at::detail::createCPUGenerator(5);
        prior->sample(draw, cond, 1.0, guidance, gen);
        const uint16_t scale = fm::key_scale(fm::parse_key("A minor"));
        for (int64_t i = 0; i < b; ++i)
            for (int64_t j = 0; j < bars; ++j) {
                const int64_t chroma = draw.chroma[i][j].item<int64_t>();
                const int64_t tones = fm::chord_pitch_classes(c.chords[size_t(j) % 4]);
                EXPECT_EQ(chroma & tones, tones) << "bar " << j;
                EXPECT_EQ(chroma & ~int64_t(scale | tones), 0) << "bar " << j;
                EXPECT_LE(__builtin_popcountll(uint64_t(chroma & ~tones)), c.passing_tones) << "bar " << j;   // passing notes at most
            }
    }
    // A key alone: phrases (4 bars) open and close on the tonic triad.
    fm::Conditions k;
    k.key = fm::key_code(fm::parse_key("D major"));
    const auto keyed = fm::plan_conditions({k}, b, 0, bars, torch::kCPU);
    {
        fm::BarPlans draw = plans;
        draw.chroma = plans.chroma.clone(), draw.density = plans.density.clone(), draw.rhythm = plans.rhythm.clone();
        auto gen = at::detail::createCPUGenerator(6);
        prior->sample(draw, keyed, 1.0, 1.0, gen);
        const int64_t triad = fm::chord_pitch_classes(fm::parse_chord("D"));
        for (int64_t i = 0; i < b; ++i)
            for (int64_t j : {0, 3, 4, 7}) EXPECT_EQ(draw.chroma[i][j].item<int64_t>() & triad, triad) << "bar " << j;
    }
    // Unlocked: the scale is not a bound (a random prior strays from it somewhere in 48 bars).
    c.scale_lock = false;
    const auto free = fm::plan_conditions({c}, b, 0, bars, torch::kCPU);
    EXPECT_EQ((free.allow == fm::kChromaSets - 1).all().item<bool>(), true);
}

TEST(Conditions, PriorNllDependsOnTheConditionsOnceTrained) {
    fm::PlanPrior prior(32, true, true);
    const auto classes = fm::encode_cells(torch::zeros({2, 128, 128}), fm::model_preset("tiny"));
    const fm::BarPlans plans = fm::bar_plans(classes, fm::model_preset("tiny"));
    fm::Conditions c;
    c.key = 3;
    const auto cond = fm::plan_conditions({c}, 2, 0, 8, torch::kCPU);
    // Zero tables at first: a model without conditions computes the same (--init_from starts where it was).
    EXPECT_TRUE(torch::allclose(prior->nll(plans, cond), prior->nll(plans)));
    torch::NoGradGuard no_grad;
    for (auto& kv : prior->named_parameters())
        if (kv.key() == "key_in.weight") kv.value().normal_(0, 1);
    EXPECT_FALSE(torch::allclose(prior->nll(plans, cond), prior->nll(plans)));
}

TEST(Conditions, GuidanceLeavesTheStyleAsItIsAndPushesTheRest) {
    torch::manual_seed(4);
    fm::PlanPrior prior(32, true, true);
    torch::NoGradGuard no_grad;
    for (auto& kv : prior->named_parameters())   // a trained prior: every condition moves the draws
        if (kv.key().find("_in.weight") != std::string::npos) kv.value().normal_(0, 1);
    const auto tiny = fm::model_preset("tiny");
    const fm::BarPlans plans = fm::bar_plans(fm::encode_cells(torch::full({4, 128, 128}, -1.0), tiny), tiny);
    auto draw = [&](const fm::Conditions& c, double guidance) {
        fm::BarPlans d = plans;
        d.chroma = plans.chroma.clone(), d.density = plans.density.clone(), d.rhythm = plans.rhythm.clone();
        auto gen = at::detail::createCPUGenerator(8);
        prior->sample(d, fm::plan_conditions({c}, 4, 0, 8, torch::kCPU), 1.0, guidance, gen);
        return torch::stack({d.chroma, d.density, d.rhythm});
    };
    fm::Conditions style;
    style.style = fm::Style::chorale;
    EXPECT_TRUE(torch::equal(draw(style, 3.0), draw(style, 1.0)));   // the style alone: nothing to guide
    fm::Conditions both = style;
    both.tempo = 70;
    EXPECT_FALSE(torch::equal(draw(both, 3.0), draw(both, 1.0)));    // the tempo is guided
}

TEST(Conditions, GenerationInALockedKeyStaysInItsScale) {
    auto net = tiny_net();
    fm::GenerateParams g;
    g.width = 128, g.num_samples = 2, g.num_iter = {2, 2, 1}, g.seed = 4, g.temperature = 1.5;
    g.conditions.key = fm::key_code(fm::parse_key("Eb major"));
    g.guidance = 2.0;
    int notes = 0;
    for (const fm::Roll& r : fm::generate(net, g, {}, nullptr)) {
        EXPECT_EQ(notes_outside(r, fm::key_scale(fm::parse_key("Eb major"))), 0);
        notes += fm::count_notes(r);
    }
    EXPECT_GT(notes, 0);   // random weights still play
    // The same seed without the key: notes outside the scale (what the lock ruled out).
    g.conditions = {};
    int outside = 0;
    for (const fm::Roll& r : fm::generate(net, g, {}, nullptr)) outside += notes_outside(r, fm::key_scale(fm::parse_key("Eb major")));
    EXPECT_GT(outside, 0);
}

TEST(Conditions, AModelWithoutAPlanRefusesThem) {
    auto net = tiny_net(false);
    fm::GenerateParams g;
    g.width = 64, g.num_iter = {1, 1, 1};
    g.conditions.chords = fm::parse_chords("C");
    EXPECT_THROW(fm::generate(net, g, {}, nullptr), fm::Error);
    g.conditions = {};
    g.guidance = -1;
    EXPECT_THROW(fm::generate(net, g, {}, nullptr), fm::Error);
}

TEST(Conditions, AFreePlanKeepsTheUnconditionedSamplesOfTheModelItCameFrom) {
    fm::ModelConfig plain_config = fm::model_preset("tiny");
    plain_config.conditions = false;
    fm::FractalNet plain = fm::seeded_net(plain_config, 2);
    const fm::ScratchPath file("test-free-plan", ".safetensors");
    fm::save_checkpoint(file.path(), plain, nullptr);

    fm::ModelConfig c = plain_config;
    c.conditions = c.free_plan = true;
    fm::FractalNet net = fm::seeded_net(c, 9);
    const auto left = fm::warm_start(file.path(), net);   // the plain prior becomes the free one too
    for (const std::string& name : left) EXPECT_EQ(name.find("_in.weight") != std::string::npos, true) << name;   // condition tables only
    {   // the conditioned prior then learns: here, made different
        torch::NoGradGuard no_grad;
        for (auto& kv : net->named_parameters())
            if (kv.key().rfind("plan.", 0) == 0) kv.value().normal_(0, 0.5);
    }
    fm::GenerateParams g;
    g.width = 128, g.num_samples = 2, g.num_iter = {2, 2, 1}, g.seed = 21;
    EXPECT_EQ(fm::generate(net, g, {}, nullptr), fm::generate(plain, g, {}, nullptr));   // asks for nothing: the old prior
    g.conditions.density = {0.9};
    EXPECT_NE(fm::generate(net, g, {}, nullptr), fm::generate(plain, g, {}, nullptr));   // asks: the conditioned one
    EXPECT_TRUE(fm::config_from_json(fm::config_to_json(c)).free_plan);
}

TEST(Conditions, StyleInTheLevelsLeavesSamplesThatAskNoStyleAsTheyWere) {
    fm::ModelConfig plain_config = fm::model_preset("tiny");
    fm::FractalNet plain = fm::seeded_net(plain_config, 2);
    const fm::ScratchPath file("test-level-style", ".safetensors");
    fm::save_checkpoint(file.path(), plain, nullptr);

    fm::ModelConfig c = plain_config;
    c.level_style = true;
    fm::FractalNet net = fm::seeded_net(c, 9);
    const auto left = fm::warm_start(file.path(), net);
    ASSERT_EQ(left.size(), 3u);   // one style table per level, new
    for (const std::string& name : left) EXPECT_NE(name.find(".style_embed."), std::string::npos) << name;
    {   // the styles then learn: here, made different; row 0 (no style asked) is never trained
        torch::NoGradGuard no_grad;
        for (auto& kv : net->named_parameters())
            if (kv.key().find(".style_embed.") != std::string::npos) kv.value().slice(0, 1).normal_(0, 0.5);
    }
    fm::GenerateParams g;
    g.width = 128, g.num_samples = 2, g.num_iter = {2, 2, 1}, g.seed = 21;
    EXPECT_EQ(fm::generate(net, g, {}, nullptr), fm::generate(plain, g, {}, nullptr));   // asks for nothing
    g.conditions.key = fm::key_code(fm::parse_key("D major"));
    EXPECT_EQ(fm::generate(net, g, {}, nullptr), fm::generate(plain, g, {}, nullptr));   // asks, but not for a style
    g.conditions.style = fm::Style::chorale;
    EXPECT_NE(fm::generate(net, g, {}, nullptr), fm::generate(plain, g, {}, nullptr));   // a style: the levels see it
    EXPECT_TRUE(fm::config_from_json(fm::config_to_json(c)).level_style);
    auto before = nlohmann::json::parse(fm::config_to_json(c));
    before.erase("level_style");
    EXPECT_FALSE(fm::config_from_json(before.dump()).level_style);   // files written before the field: none
}

// export --plan_only_style: a style whose level vectors are dropped samples as the same net without the table does (the
// plan alone carries it), and the other styles keep theirs.
TEST(Conditions, AStyleDroppedFromTheLevelsActsThroughThePlanAlone) {
    fm::ModelConfig plain_config = fm::model_preset("tiny");
    fm::FractalNet plain = fm::seeded_net(plain_config, 2);
    EXPECT_FALSE(fm::drop_level_style(plain, fm::Style::chorale));   // no table to drop from
    const fm::ScratchPath file("test-drop-style", ".safetensors");
    fm::save_checkpoint(file.path(), plain, nullptr);
    fm::ModelConfig c = plain_config;
    c.level_style = true;
    fm::FractalNet net = fm::seeded_net(c, 9);
    fm::warm_start(file.path(), net);
    {
        torch::NoGradGuard no_grad;
        for (auto& kv : net->named_parameters())
            if (kv.key().find(".style_embed.") != std::string::npos) kv.value().slice(0, 1).normal_(0, 0.5);
    }
    std::map<std::string, torch::Tensor> before;
    for (auto& kv : net->named_parameters()) before[kv.key()] = kv.value().clone();
    EXPECT_FALSE(fm::drop_level_style(net, fm::Style::any));
    ASSERT_TRUE(fm::drop_level_style(net, fm::Style::chorale));
    int tables = 0;
    for (auto& kv : net->named_parameters()) {
        if (kv.key().find(".style_embed.") == std::string::npos) {
            EXPECT_TRUE(torch::equal(kv.value(), before[kv.key()])) << kv.key();
            continue;
        }
        ++tables;
        const int64_t row = 1 + int64_t(fm::Style::chorale);
        EXPECT_EQ(kv.value()[row].abs().sum().item<float>(), 0.0f) << kv.key();
        EXPECT_TRUE(torch::equal(kv.value().slice(0, 0, row), before[kv.key()].slice(0, 0, row))) << kv.key();
        EXPECT_TRUE(torch::equal(kv.value().slice(0, row + 1), before[kv.key()].slice(0, row + 1))) << kv.key();
    }
    EXPECT_EQ(tables, 3);
    fm::GenerateParams g;
    g.width = 128, g.num_samples = 2, g.num_iter = {2, 2, 1}, g.seed = 21;
    g.conditions.style = fm::Style::chorale;
    EXPECT_EQ(fm::generate(net, g, {}, nullptr), fm::generate(plain, g, {}, nullptr));
    g.conditions.style = fm::Style::folk;
    EXPECT_NE(fm::generate(net, g, {}, nullptr), fm::generate(plain, g, {}, nullptr));
}
