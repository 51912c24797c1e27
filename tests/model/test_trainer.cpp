// The trainer end to end on MIDI the test writes: checkpoints, metrics, exact resume, bad input.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "model/checkpoint.h"
#include "model/trainer.h"
#include "support/test_support.h"

namespace fs = std::filesystem;

namespace {

std::string make_corpus() {
    const std::string dir = fmtest::temp_dir("corpus");
    for (int f = 0; f < 6; ++f) {
        fmtest::TrackBuilder t;
        for (int i = 0; i < 64; ++i) t.note(i * 240, i * 240 + 200, 50 + (i * (f + 3)) % 24, 40 + (i * 7) % 80);
        fmtest::write_midi(dir, "song" + std::to_string(f) + ".mid", fmtest::make_smf(1, 480, {t.build()}));
    }
    return dir;
}

fm::TrainParams tiny_params(const std::string& data, const std::string& out, int steps) {
    fm::TrainParams p;
    p.train_data = data, p.output_dir = out, p.model = "tiny", p.crop_length = 64, p.train_batch_size = 2;
    p.max_steps = steps, p.warmup_steps = 2, p.eval_every = 3, p.val_crops = 2, p.seed = 11, p.threads = 1, p.device = "cpu";
    return p;
}

}  // namespace

TEST(Trainer, ResumeContinuesExactlyWhereItStopped) {
    const std::string data = make_corpus();
    const std::string straight = fmtest::temp_dir("run"), split = fmtest::temp_dir("run");
    fm::train(tiny_params(data, straight, 6), {}, nullptr);

    // Stop after step 3 (cancel), then resume to 6.
    fm::CancelFlag cancel{false};
    int last_step = 0;
    fm::train(tiny_params(data, split, 6), [&](const fm::TrainStatus& s) { if (!s.stopped) last_step = s.step; if (s.step == 3) cancel = true; }, &cancel);
    EXPECT_EQ(last_step, 3);
    fm::Metadata meta;
    fm::load_net(split + "/last.safetensors", torch::kCPU, &meta);
    EXPECT_EQ(meta.at("step"), "3");
    auto p = tiny_params(data, split, 6);
    p.resume = true;
    int first_resumed = 0;
    fm::train(p, [&](const fm::TrainStatus& s) { if (first_resumed == 0) first_resumed = s.step; }, nullptr);
    EXPECT_EQ(first_resumed, 4);

    auto a = fm::load_net(straight + "/last.safetensors", torch::kCPU);
    auto b = fm::load_net(split + "/last.safetensors", torch::kCPU);
    for (const auto& kv : a->named_parameters()) EXPECT_TRUE(torch::equal(kv.value(), b->named_parameters()[kv.key()])) << kv.key();
    EXPECT_TRUE(fs::exists(straight + "/best.safetensors"));
    EXPECT_TRUE(fs::exists(straight + "/config.json"));
    std::ifstream metrics(straight + "/metrics.jsonl");
    int lines = 0;
    for (std::string line; std::getline(metrics, line);) ++lines;
    EXPECT_EQ(lines, 6);
}

TEST(Trainer, BadInputIsRefusedBeforeTraining) {
    const std::string out = fmtest::temp_dir("run");
    auto p = tiny_params(fmtest::temp_dir("empty"), out, 2);
    EXPECT_THROW(fm::train(p, {}, nullptr), fm::Error);   // no MIDI in the folder
    p = tiny_params(make_corpus(), out, 2);
    p.crop_length = 130;
    EXPECT_THROW(fm::train(p, {}, nullptr), fm::Error);
    p.crop_length = 64;
    p.generator_types = "mar,mar";
    EXPECT_THROW(fm::train(p, {}, nullptr), fm::Error);
}
