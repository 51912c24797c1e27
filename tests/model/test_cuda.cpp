// The model on a CUDA device: a training run, its checkpoints on the CPU, the likelihood against the CPU's, and
// sampling (repeatable by seed, known cells kept). Each test skips where LibTorch sees no GPU (CI, most machines);
// they run where one is lent (docs/PERFORMANCE.md, "On a GPU").
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <vector>

#include "core/notes.h"
#include "model/canvas.h"
#include "model/checkpoint.h"
#include "model/engine.h"
#include "model/scoring.h"
#include "model/trainer.h"
#include "support/test_support.h"

namespace {

#define FM_NEEDS_GPU()                                                              \
    do {                                                                            \
        if (!torch::cuda::is_available()) GTEST_SKIP() << "LibTorch sees no CUDA device"; \
    } while (0)

std::string small_corpus() {
    const std::string dir = fmtest::temp_dir("corpus");
    for (int f = 0; f < 4; ++f) {
        fmtest::TrackBuilder t;
        for (int i = 0; i < 64; ++i) t.note(i * 240, i * 240 + 200, 50 + (i * (f + 3)) % 24, 40 + (i * 7) % 80);
        fmtest::write_midi(dir, "song" + std::to_string(f) + ".mid", fmtest::make_smf(1, 480, {t.build()}));
    }
    return dir;
}

}  // namespace

TEST(Cuda, TrainingRunsOnTheGpuAndItsCheckpointLoadsOnTheCpu) {
    FM_NEEDS_GPU();
    fm::TrainParams p;
    p.train_data = small_corpus(), p.output_dir = fmtest::temp_dir("run"), p.model = "tiny", p.crop_length = 64;
    p.train_batch_size = 4, p.max_steps = 8, p.warmup_steps = 2, p.eval_every = 4, p.val_crops = 2, p.seed = 3;
    p.device = "cuda", p.precision = "bf16";
    std::vector<double> losses, vals;
    fm::train(p, [&](const fm::TrainStatus& s) {
        if (s.scanned) return;
        losses.push_back(s.loss_bits);
        if (s.val_bits >= 0) vals.push_back(s.val_bits);
    }, nullptr);
    ASSERT_EQ(losses.size(), 8u);
    for (double l : losses) EXPECT_TRUE(std::isfinite(l) && l > 0) << l;
    ASSERT_FALSE(vals.empty());
    for (double v : vals) EXPECT_TRUE(std::isfinite(v) && v > 0) << v;

    fm::Metadata meta;
    fm::FractalNet net = fm::load_net(p.output_dir + "/last.safetensors", torch::kCPU, &meta);
    EXPECT_EQ(meta.at("step"), "8");
    for (const auto& kv : net->named_parameters()) {
        EXPECT_TRUE(kv.value().device().is_cpu()) << kv.key();
        EXPECT_TRUE(torch::isfinite(kv.value()).all().item<bool>()) << kv.key();
    }
}

TEST(Cuda, BitsPerCellOnTheGpuMatchTheCpu) {
    FM_NEEDS_GPU();
    fm::FractalNet net = fm::seeded_net(fm::model_preset("tiny"), 4);
    torch::NoGradGuard no_grad;
    net->eval();
    std::vector<fm::Roll> rolls;
    for (int i = 0; i < 3; ++i) {
        fm::Roll r(net->config().crop_length, 0.0f);
        for (int t = 0; t < r.width; t += 4) r.at(48 + (t + 5 * i) % 24, t) = 0.6f;
        rolls.push_back(r);
    }
    const fm::SampleOptions opt;
    const bool tf32 = at::globalContext().allowTF32CuBLAS();   // another test's run may have turned TF32 on
    at::globalContext().setAllowTF32CuBLAS(false);
    auto g_cpu = at::detail::createCPUGenerator(9);
    const double cpu = fm::bits_per_cell(net, fm::rolls_to_canvas(rolls, net->config(), torch::kCPU, 0.0f), opt, g_cpu, 2, 2);
    net->to(torch::kCUDA);
    auto g_gpu = at::detail::createCPUGenerator(9);   // the orders come from the same stream
    const double gpu = fm::bits_per_cell(net, fm::rolls_to_canvas(rolls, net->config(), torch::kCUDA, 0.0f), opt, g_gpu, 2, 2);
    at::globalContext().setAllowTF32CuBLAS(tf32);
    EXPECT_GT(cpu, 0.0);
    EXPECT_NEAR(gpu, cpu, 1e-3 * cpu);   // fp32 on both: only the order of the additions differs
}

TEST(Cuda, SamplingOnTheGpuRepeatsBySeedAndKeepsTheKnownCells) {
    FM_NEEDS_GPU();
    const auto engine = fm::Engine::create(fm::model_preset("tiny"), 1, "cuda", fm::Precision::fp32);
    ASSERT_EQ(engine->device().rfind("cuda", 0), 0u) << engine->device();
    fm::GenerateParams g;
    g.width = 128, g.num_iter = {2, 2, 1}, g.seed = 3, g.num_samples = 2;
    const auto a = engine->generate(g, {}, nullptr), b = engine->generate(g, {}, nullptr);
    ASSERT_EQ(a.size(), 2u);
    EXPECT_TRUE(a[0] == b[0] && a[1] == b[1]) << "the same seed drew another roll";
    for (const fm::Roll& r : a) {
        ASSERT_EQ(r.width, 128);
        for (int p = 0; p < 128; ++p)
            for (int t = 0; t < r.width; ++t) ASSERT_TRUE(r.at(p, t) >= 0.0f && r.at(p, t) <= 1.0f) << p << "," << t;
    }

    // Inpainting the second half: the first half stays as given, cell for cell.
    g.mode = fm::GenerateMode::inpainting, g.input = a[0], g.mask_start = 64, g.mask_end = 128, g.num_samples = 1, g.seed = 8;
    const auto c = engine->generate(g, {}, nullptr);
    ASSERT_EQ(c.size(), 1u);
    for (int p = 0; p < 128; ++p)
        for (int t = 0; t < 64; ++t) ASSERT_EQ(c[0].at(p, t), a[0].at(p, t)) << p << "," << t;
}
