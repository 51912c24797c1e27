// A run folder's config.json written and read back without training: every field survives (val_fraction above all:
// a resumed run must keep its split), older folders read as what they meant, unknown keys and bad files.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/log.h"
#include "model/run_folder.h"
#include "support/test_support.h"
#include "train_params_support.h"

namespace {

void write_text(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    f << text;
}

// Collects the library's warnings while it lives.
struct Warnings {
    std::vector<std::string> lines;
    Warnings() {
        fm::set_log_sink([this](fm::LogLevel level, const std::string& m) {
            if (level == fm::LogLevel::warning) lines.push_back(m);
        });
    }
    ~Warnings() { fm::set_log_sink({}); }
    bool any(const std::string& part) const {
        for (const std::string& l : lines)
            if (l.find(part) != std::string::npos) return true;
        return false;
    }
};

}  // namespace

TEST(RunFolder, WrittenSettingsReadBackFieldForField) {
    const std::string dir = fmtest::temp_dir("run-params");
    fm::TrainParams p = fmtest::all_changed_train_params();
    p.val_fraction = 0.35;
    p.device = "cuda:0";   // as the trainer resolved it
    fm::RunSummary summary;
    summary.train_files = 12, summary.val_files = 3, summary.parameters = 1000, summary.model_config = R"({"preset": "tiny"})";
    fm::write_run_params(dir, p, summary);

    Warnings warnings;
    const fm::TrainParams back = fm::read_run_params(dir);
    fm::TrainParams expected = p;
    expected.device = "cuda", expected.output_dir = dir, expected.resume = false;   // read_run_params' own three
    EXPECT_EQ(back, expected);
    fm::for_each_train_param([&](const char* name, auto field, const char*) { EXPECT_EQ(back.*field, expected.*field) << name; });
    EXPECT_EQ(back.val_fraction, 0.35);
    EXPECT_TRUE(warnings.lines.empty()) << warnings.lines.front();   // the summary's keys are known
}

TEST(RunFolder, AnOlderConfigReadsAsWhatThatRunUsed) {
    // The keys a config.json had before val_fraction, cells, pitch positions, the plan and the moving average.
    const std::string dir = fmtest::temp_dir("run-params");
    write_text(dir + "/config.json", R"({"train_data": "songs", "val_data": "", "model": "tiny", "generator_types": "mar,mar,mar,mar",
        "scan_order": "row_major", "crop_length": 64, "train_batch_size": 2, "max_steps": 40, "lr": 0.001,
        "weight_decay": 0.05, "warmup_steps": 4, "grad_clip": 3.0, "pitch_shift": 3, "seed": 5, "init_from": "",
        "eval_every": 10, "val_crops": 4, "sample_every": 0, "threads": 2, "device": "cpu",
        "train_files": 9, "val_files": 1, "parameters": 1234, "model_config": {}})");
    Warnings warnings;
    const fm::TrainParams p = fm::read_run_params(dir);
    EXPECT_EQ(p.cells, "velocity");
    EXPECT_FALSE(p.pitch_positions);
    EXPECT_FALSE(p.plan);
    EXPECT_EQ(p.ema, 0.0);
    EXPECT_EQ(p.val_fraction, 0.1);
    EXPECT_EQ(p.precision, "auto");
    EXPECT_EQ(p.layout, "long");
    EXPECT_EQ(p.crop_length, 64);
    EXPECT_EQ(p.seed, 5u);
    EXPECT_TRUE(warnings.any("val_fraction")) << "a folder that did not record its split says so";
    EXPECT_EQ(warnings.lines.size(), 1u);
}

TEST(RunFolder, UnknownKeysAreIgnoredWithAWarningAndBadFilesRefused) {
    const std::string dir = fmtest::temp_dir("run-params");
    write_text(dir + "/config.json", R"({"train_data": "songs", "val_fraction": 0.2, "dropout": 0.1})");
    {
        Warnings warnings;
        EXPECT_EQ(fm::read_run_params(dir).val_fraction, 0.2);
        EXPECT_TRUE(warnings.any("dropout"));
    }
    write_text(dir + "/config.json", R"({"train_data": "songs", "crop_length": "long"})");
    try {
        fm::read_run_params(dir);
        ADD_FAILURE() << "a crop_length that is a string was read";
    } catch (const fm::Error& e) {
        EXPECT_NE(std::string(e.what()).find("crop_length"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("config.json"), std::string::npos) << e.what();
    }
    write_text(dir + "/config.json", "{ torn");
    EXPECT_THROW(fm::read_run_params(dir), fm::Error);
    EXPECT_THROW(fm::read_run_params(fmtest::temp_dir("empty")), fm::Error);
}

// Found by tests/fuzz/fuzz_run_folder.cpp (UBSan: 5.09223e+20 is outside the range of int): a step that is not an
// integer an int holds was converted anyway (undefined behaviour; in practice a garbage step). Such lines are
// skipped like any other unreadable line.
TEST(RunFolder, MetricLinesWithAStepOutOfRangeAreSkipped) {
    const std::string dir = fmtest::temp_dir("run-metrics");
    write_text(dir + "/metrics.jsonl",
               "{\"step\":1,\"loss_bits\":0.91,\"elapsed_s\":0.5}\n"
               "{\"step\":509223372036854775808.0,\"sample\":\"sample-50.mid\"}\n"   // the fuzzer's line, reduced
               "{\"step\":2147483648}\n{\"step\":-2147483649}\n{\"step\":18446744073709551615}\n"
               "{\"step\":1.5}\n{\"step\":\"3\"}\n"
               "{\"step\":2147483647,\"val_bits\":0.29}\n");
    const std::vector<fm::RunMetric> m = fm::read_run_metrics(dir);
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m[0].step, 1);
    EXPECT_EQ(m[0].loss_bits, 0.91);
    EXPECT_EQ(m[1].step, 2147483647);
    EXPECT_EQ(m[1].val_bits, 0.29);
}
