// The one list of TrainParams' fields: JSON both ways keeps every field, missing and unknown keys, wrong types, and
// validate()'s one-line refusals naming the flag.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/train_params.h"
#include "train_params_support.h"

namespace {

int listed() {
    int n = 0;
    fm::for_each_train_param([&](const char*, auto, const char*) { ++n; });
    return n;
}

// Valid settings (the defaults and the two paths the trainer needs).
fm::TrainParams valid() {
    fm::TrainParams p;
    p.train_data = "songs/", p.output_dir = "runs/x";
    return p;
}

std::string refusal(const fm::TrainParams& p) {
    try {
        fm::validate(p);
    } catch (const fm::Error& e) {
        return e.what();
    }
    return "(accepted)";
}

}  // namespace

TEST(TrainParams, JsonRoundTripKeepsEveryField) {
    const fm::TrainParams d, p = fmtest::all_changed_train_params();
    int changed = 0;
    fm::for_each_train_param([&](const char* name, auto field, const char*) {
        if (p.*field != d.*field) ++changed;
        else ADD_FAILURE() << name << " was not changed";
    });
    EXPECT_EQ(changed, listed());
    EXPECT_NE(p, d);

    const std::string text = fm::train_params_to_json(p);
    const fm::TrainParams back = fm::train_params_from_json(text);
    EXPECT_EQ(back, p);
    fm::for_each_train_param([&](const char* name, auto field, const char*) { EXPECT_EQ(back.*field, p.*field) << name; });

    // One key per field, each named as the list names it, and nothing else.
    const nlohmann::json j = nlohmann::json::parse(text);
    EXPECT_EQ(int(j.size()), listed());
    fm::for_each_train_param([&](const char* name, auto, const char*) { EXPECT_TRUE(j.contains(name)) << name; });
}

TEST(TrainParams, EqualityComparesEveryField) {
    const fm::TrainParams d;
    fm::for_each_train_param([&](const char* name, auto field, const char*) {
        fm::TrainParams p;
        p.*field = fmtest::other(p.*field);
        EXPECT_NE(p, d) << name;
    });
}

TEST(TrainParams, MissingAndNullKeysKeepTheGivenValues) {
    const fm::TrainParams base = fmtest::all_changed_train_params();
    EXPECT_EQ(fm::train_params_from_json("{}", base), base);
    EXPECT_EQ(fm::train_params_from_json("{}"), fm::TrainParams{});
    const fm::TrainParams p = fm::train_params_from_json(R"({"lr": 0.5, "val_fraction": null, "seed": 18446744073709551615})", base);
    EXPECT_EQ(p.lr, 0.5);
    EXPECT_EQ(p.val_fraction, base.val_fraction);
    EXPECT_EQ(p.seed, std::numeric_limits<uint64_t>::max());
    EXPECT_EQ(p.crop_length, base.crop_length);
}

TEST(TrainParams, UnknownKeysAreIgnoredAndListed) {
    std::vector<std::string> unknown;
    const fm::TrainParams p = fm::train_params_from_json(R"({"crop_length": 256, "future_flag": 3, "parameters": 10})", {}, &unknown);
    EXPECT_EQ(p.crop_length, 256);
    EXPECT_EQ(unknown, (std::vector<std::string>{"future_flag", "parameters"}));
    EXPECT_NO_THROW(fm::train_params_from_json(R"({"future_flag": 3})"));
}

TEST(TrainParams, WrongTypesAreRefusedNamingTheField) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({"crop_length": "big"})", "crop_length"}, {R"({"crop_length": 4294967296})", "crop_length"},
        {R"({"crop_length": 12.5})", "crop_length"},  {R"({"seed": -1})", "seed"},
        {R"({"plan": 1})", "plan"},                   {R"({"lr": "fast"})", "lr"},
        {R"({"model": 3})", "model"},                 {R"({"threads": [1]})", "threads"},
    };
    for (const auto& [text, field] : cases) {
        try {
            fm::train_params_from_json(text);
            ADD_FAILURE() << text << " was accepted";
        } catch (const fm::Error& e) {
            EXPECT_NE(std::string(e.what()).find("'" + field + "'"), std::string::npos) << e.what();
        }
    }
    EXPECT_THROW(fm::train_params_from_json("not json"), fm::Error);
    EXPECT_THROW(fm::train_params_from_json("[1, 2]"), fm::Error);
    EXPECT_THROW(fm::train_params_from_json(""), fm::Error);
}

TEST(TrainParams, ValidateAcceptsTheDefaultsAndTheEdges) {
    EXPECT_NO_THROW(fm::validate(valid()));
    fm::TrainParams p = valid();
    p.val_fraction = 0, p.ema = 0, p.threads = 0, p.sample_every = 0, p.warmup_steps = 0, p.plan_batch = 0, p.pitch_shift = 0;
    p.weight_decay = 0, p.crop_length = 16, p.model = "tiny", p.generator_types = "ar,mar,ar,mar", p.scan_order = "column_major";
    p.cells = "velocity", p.device = "cpu", p.precision = "bf16";
    EXPECT_NO_THROW(fm::validate(p));
    p.layout = "folded", p.crop_length = 512, p.val_fraction = 0.999, p.ema = 0.9999, p.pitch_shift = 127;
    EXPECT_NO_THROW(fm::validate(p));
}

TEST(TrainParams, ValidateRefusesOutOfRangeValuesInOneLineNamingTheFlag) {
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    using Change = std::function<void(fm::TrainParams&)>;
    const std::vector<std::pair<std::string, Change>> cases = {
        {"--train_data", [](fm::TrainParams& p) { p.train_data.clear(); }},
        {"--output_dir", [](fm::TrainParams& p) { p.output_dir.clear(); }},
        {"--val_fraction", [](fm::TrainParams& p) { p.val_fraction = 1; }},
        {"--val_fraction", [](fm::TrainParams& p) { p.val_fraction = -0.1; }},
        {"--val_fraction", [=](fm::TrainParams& p) { p.val_fraction = nan; }},
        {"--model", [](fm::TrainParams& p) { p.model = "huge"; }},
        {"--model", [](fm::TrainParams& p) { p.model = "two\nlines"; }},
        {"--generator_types", [](fm::TrainParams& p) { p.generator_types = "mar,mar"; }},
        {"--generator_types", [](fm::TrainParams& p) { p.generator_types = "mar,gan,mar,mar"; }},
        {"--scan_order", [](fm::TrainParams& p) { p.scan_order = "diagonal"; }},
        {"--layout", [](fm::TrainParams& p) { p.layout = "wide"; }},
        {"--crop_length", [](fm::TrainParams& p) { p.crop_length = 0; }},
        {"--crop_length", [](fm::TrainParams& p) { p.crop_length = -16; }},
        {"--crop_length", [](fm::TrainParams& p) { p.crop_length = 100; }},
        {"--layout folded", [](fm::TrainParams& p) { p.layout = "folded", p.crop_length = 48; }},
        {"--train_batch_size", [](fm::TrainParams& p) { p.train_batch_size = 0; }},
        {"--train_batch_size", [](fm::TrainParams& p) { p.train_batch_size = -2; }},
        {"--max_steps", [](fm::TrainParams& p) { p.max_steps = 0; }},
        {"--lr", [](fm::TrainParams& p) { p.lr = 0; }},
        {"--lr", [](fm::TrainParams& p) { p.lr = -3e-4; }},
        {"--lr", [=](fm::TrainParams& p) { p.lr = nan; }},
        {"--lr", [=](fm::TrainParams& p) { p.lr = inf; }},
        {"--weight_decay", [](fm::TrainParams& p) { p.weight_decay = -0.1; }},
        {"--weight_decay", [=](fm::TrainParams& p) { p.weight_decay = nan; }},
        {"--warmup_steps", [](fm::TrainParams& p) { p.warmup_steps = -1; }},
        {"--grad_clip", [](fm::TrainParams& p) { p.grad_clip = 0; }},
        {"--grad_clip", [=](fm::TrainParams& p) { p.grad_clip = inf; }},
        {"--pitch_shift", [](fm::TrainParams& p) { p.pitch_shift = -1; }},
        {"--pitch_shift", [](fm::TrainParams& p) { p.pitch_shift = 128; }},
        {"--cells", [](fm::TrainParams& p) { p.cells = "bits"; }},
        {"--plan_batch", [](fm::TrainParams& p) { p.plan_batch = -1; }},
        {"--ema", [](fm::TrainParams& p) { p.ema = 1; }},
        {"--ema", [](fm::TrainParams& p) { p.ema = -0.5; }},
        {"--device", [](fm::TrainParams& p) { p.device = "tpu"; }},
        {"--device", [](fm::TrainParams& p) { p.device = "cuda:0"; }},
        {"--precision", [](fm::TrainParams& p) { p.precision = "fp8"; }},
        {"--eval_every", [](fm::TrainParams& p) { p.eval_every = 0; }},
        {"--val_crops", [](fm::TrainParams& p) { p.val_crops = 0; }},
        {"--sample_every", [](fm::TrainParams& p) { p.sample_every = -1; }},
        {"--threads", [](fm::TrainParams& p) { p.threads = -1; }},
    };
    for (const auto& [flag, change] : cases) {
        fm::TrainParams p = valid();
        change(p);
        const std::string why = refusal(p);
        EXPECT_EQ(why.rfind(flag, 0), 0u) << "expected a message starting with " << flag << ", got: " << why;
        EXPECT_EQ(why.find('\n'), std::string::npos) << why;
    }
}
