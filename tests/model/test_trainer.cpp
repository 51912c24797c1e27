// The trainer end to end on MIDI the test writes: checkpoints, metrics, exact resume, bad input.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/midi_roll.h"
#include "core/notes.h"
#include "core/safetensors.h"
#include "model/checkpoint.h"
#include "model/run_folder.h"
#include "model/trainer.h"
#include "support/test_support.h"

namespace fs = std::filesystem;

namespace {

// Six songs in a fresh folder (`corpus`: a folder of that name inside it, whose name gives the songs' style).
std::string make_corpus(const std::string& corpus = "") {
    std::string dir = fmtest::temp_dir("corpus");
    if (!corpus.empty()) fs::create_directories(dir += "/" + corpus);
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
    fm::train(p, [&](const fm::TrainStatus& s) { if (first_resumed == 0 && !s.scanned) first_resumed = s.step; }, nullptr);
    EXPECT_EQ(first_resumed, 4);

    auto a = fm::load_net(straight + "/last.safetensors", torch::kCPU);
    auto b = fm::load_net(split + "/last.safetensors", torch::kCPU);
    for (const auto& kv : a->named_parameters()) EXPECT_TRUE(torch::equal(kv.value(), b->named_parameters()[kv.key()])) << kv.key();
    const fm::StFile fa = fm::load_safetensors(straight + "/last.safetensors"), fb = fm::load_safetensors(split + "/last.safetensors");
    int averages = 0;
    for (const fm::StTensor& t : fa.tensors)
        if (t.name.rfind("ema.", 0) == 0) {   // the weights' moving average resumes exactly too
            ASSERT_NE(fb.find(t.name), nullptr) << t.name;
            EXPECT_EQ(fb.find(t.name)->bytes, t.bytes) << t.name;
            ++averages;
        }
    EXPECT_GT(averages, 0);
    EXPECT_TRUE(fs::exists(straight + "/best.safetensors"));
    EXPECT_TRUE(fs::exists(straight + "/config.json"));
    std::ifstream metrics(straight + "/metrics.jsonl");
    int lines = 0;
    for (std::string line; std::getline(metrics, line);) ++lines;
    EXPECT_EQ(lines, 6);
}

// What a SIGKILL leaves behind (scripts/soak-train.sh makes it for real): the temporary file of a checkpoint write cut
// short, and metrics lines past the last checkpoint ending in a torn one. The resume clears both, and its metrics
// then hold every step once.
TEST(Trainer, ResumeClearsWhatAKilledRunLeftBehind) {
    const std::string data = make_corpus(), out = fmtest::temp_dir("run");
    fm::train(tiny_params(data, out, 6), {}, nullptr);
    auto p = tiny_params(data, out, 9);
    p.resume = true;
    const std::string partial = out + "/last.safetensors.tmp123456", unrelated = out + "/notes.tmp1";
    std::ofstream(partial) << "half a checkpoint";
    std::ofstream(unrelated) << "not ours";
    std::ofstream(out + "/metrics.jsonl", std::ios::app) << "{\"step\": 7, \"loss_bits\": 1}\n{\"step\": 8, \"lo";
    fm::train(p, {}, nullptr);
    EXPECT_FALSE(fs::exists(partial));
    EXPECT_TRUE(fs::exists(unrelated));   // only write_file_atomic's own temporary names are removed
    std::vector<int64_t> steps;
    for (const fm::RunMetric& m : fm::read_run_metrics(out)) steps.push_back(m.step);
    EXPECT_EQ(steps, (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9}));

    // Killed before its first checkpoint: started again at step 0 (--resume, or Start in the studio), the run does not
    // keep the lines it wrote.
    for (const bool resume : {true, false}) {
        const std::string early = fmtest::temp_dir("run");
        std::ofstream(early + "/metrics.jsonl") << "{\"step\": 1, \"loss_bits\": 1}\n{\"step\": 2, \"loss_bits\": 1}\n";
        auto q = tiny_params(data, early, 3);
        q.resume = resume;
        fm::train(q, {}, nullptr);
        steps.clear();
        for (const fm::RunMetric& m : fm::read_run_metrics(early)) steps.push_back(m.step);
        EXPECT_EQ(steps, (std::vector<int64_t>{1, 2, 3})) << "resume " << resume;
    }
}

TEST(Trainer, TheMovingAverageIsWhatBestKeepsAndLastCarriesItForResume) {
    const std::string data = make_corpus();
    for (double ema : {0.5, 0.0}) {
        const std::string out = fmtest::temp_dir("run");
        auto p = tiny_params(data, out, 6);
        p.ema = ema, p.eval_every = 6;   // one validation, at the end: best is written then
        fm::train(p, {}, nullptr);
        const fm::StFile last = fm::load_safetensors(out + "/last.safetensors");
        auto best = fm::load_net(out + "/best.safetensors", torch::kCPU)->named_parameters();
        auto raw = fm::load_net(out + "/last.safetensors", torch::kCPU)->named_parameters();
        int differ = 0;
        for (const auto& kv : raw) {
            const fm::StTensor* avg = last.find("ema." + kv.key());
            if (ema == 0) {
                EXPECT_EQ(avg, nullptr) << kv.key();
                EXPECT_TRUE(torch::equal(best[kv.key()], kv.value())) << kv.key();
                continue;
            }
            ASSERT_NE(avg, nullptr) << kv.key();
            auto t = torch::from_blob(const_cast<uint8_t*>(avg->bytes.data()), kv.value().sizes(), torch::kFloat32);
            EXPECT_TRUE(torch::equal(best[kv.key()], t)) << kv.key();
            differ += !torch::equal(t, kv.value());
        }
        if (ema > 0) {
            EXPECT_GT(differ, 0);
        }
    }
    EXPECT_THROW(fm::train([&] { auto p = tiny_params(data, fmtest::temp_dir("run"), 2); p.ema = 1.0; return p; }(), {}, nullptr), fm::Error);
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

TEST(Trainer, ReportsTheDataScanWritesSamplesAndTheHeldOutList) {
    const std::string data = make_corpus();
    { std::ofstream bad(data + "/broken.mid", std::ios::binary); bad << "MThd not really"; }
    const std::string out = fmtest::temp_dir("run");
    auto p = tiny_params(data, out, 4);
    p.sample_every = 2;
    std::vector<fm::TrainStatus> seen;
    fm::train(p, [&](const fm::TrainStatus& s) { seen.push_back(s); }, nullptr);

    ASSERT_FALSE(seen.empty());
    ASSERT_TRUE(seen.front().scanned);   // the scan comes first, before any step
    const fm::CacheSummary& scan = seen.front().dataset;
    EXPECT_EQ(scan.files, 7);
    EXPECT_EQ(scan.usable, 6);
    ASSERT_EQ(scan.failed, 1);
    EXPECT_NE(scan.failures.at(0).path.find("broken.mid"), std::string::npos);
    EXPECT_NE(seen.front().message.find("1 failed"), std::string::npos);

    int samples = 0;
    for (const fm::TrainStatus& s : seen) {
        if (s.scanned) continue;
        if (s.step % 2 != 0) {
            EXPECT_EQ(s.sample.width, 0) << s.step;
            continue;
        }
        ++samples;
        ASSERT_EQ(s.sample.width, 64) << s.step;
        for (int x = 0; x < 64; ++x)
            for (int pitch = 0; pitch < 128; ++pitch) ASSERT_GE(s.sample.at(pitch, x), 0.0f);   // fully drawn
        ASSERT_TRUE(fs::exists(s.sample_path)) << s.sample_path;
        // The saved file holds the sample's strikes (the import's re-strike rule may shorten a touching note by a step).
        auto onsets = [](const fm::Roll& r) {
            std::vector<std::array<int, 3>> o;
            for (const fm::StepNote& n : fm::roll_to_notes(r)) o.push_back({n.pitch, n.start, n.velocity});
            return o;
        };
        EXPECT_EQ(onsets(fm::load_midi(s.sample_path).roll), onsets(s.sample)) << s.sample_path;
    }
    EXPECT_EQ(samples, 2);

    std::ifstream list(out + "/val_files.txt");
    int listed = 0;
    for (std::string line; std::getline(list, line);) {
        if (line.empty() || line[0] == '#') continue;
        EXPECT_TRUE(fs::exists(line)) << line;
        EXPECT_EQ(line.find("broken.mid"), std::string::npos);
        ++listed;
    }
    EXPECT_GE(listed, 1);
}

TEST(Trainer, RunFolderReadsBackSettingsCurvesAndCheckpoints) {
    const std::string data = make_corpus();
    const std::string out = fmtest::temp_dir("run");
    auto p = tiny_params(data, out, 4);
    p.sample_every = 4;
    p.val_fraction = 0.35, p.cells = "velocity", p.pitch_positions = false, p.ema = 0.9;   // not the defaults
    fm::train(p, {}, nullptr);

    const fm::TrainParams back = fm::read_run_params(out);
    EXPECT_EQ(back.train_data, p.train_data);
    EXPECT_EQ(back.model, "tiny");
    EXPECT_EQ(back.crop_length, 64);
    EXPECT_EQ(back.max_steps, 4);
    EXPECT_EQ(back.eval_every, 3);
    EXPECT_EQ(back.sample_every, 4);
    EXPECT_EQ(back.seed, 11u);
    EXPECT_EQ(back.device, "cpu");
    EXPECT_EQ(back.output_dir, out);
    EXPECT_EQ(back.val_fraction, 0.35);   // a resumed run keeps its split
    EXPECT_EQ(back.cells, "velocity");
    EXPECT_FALSE(back.pitch_positions);
    EXPECT_EQ(back.ema, 0.9);
    EXPECT_EQ(fm::load_net(out + "/last.safetensors", torch::kCPU)->config().cells, fm::CellCoding::velocity);

    const auto metrics = fm::read_run_metrics(out);
    ASSERT_EQ(metrics.size(), 4u);
    EXPECT_EQ(metrics[2].step, 3);
    EXPECT_GE(metrics[2].val_bits, 0.0);   // validated at step 3 and at the end
    EXPECT_LT(metrics[1].val_bits, 0.0);
    EXPECT_TRUE(fs::exists(metrics[3].sample));

    const auto checkpoints = fm::list_run_checkpoints(out);
    ASSERT_EQ(checkpoints.size(), 2u);
    EXPECT_EQ(checkpoints[0].name, "best");
    EXPECT_EQ(checkpoints[1].name, "last");
    EXPECT_EQ(checkpoints[1].step, 4);
    EXPECT_GT(checkpoints[0].best_val_bits, 0.0);

    EXPECT_THROW(fm::read_run_params(fmtest::temp_dir("empty")), fm::Error);   // not a run folder
}

TEST(Trainer, ResumeRefusesASplitThatWouldTrainOnHeldOutFiles) {
    const std::string data = make_corpus();
    const std::string out = fmtest::temp_dir("run");
    auto p = tiny_params(data, out, 2);
    p.val_fraction = 0.6;
    fm::train(p, {}, nullptr);
    p.max_steps = 3, p.resume = true;
    p.val_fraction = 0.1;   // what a folder that did not record its share used to resume with
    try {
        fm::train(p, {}, nullptr);
        ADD_FAILURE() << "resumed on files the run held out";
    } catch (const fm::Error& e) {
        EXPECT_NE(std::string(e.what()).find("held out"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("--val_fraction"), std::string::npos) << e.what();
    }
    p = fm::read_run_params(out);   // what the studio's Resume does: the run's own settings
    p.max_steps = 3, p.resume = true;
    fm::train(p, {}, nullptr);
    EXPECT_EQ(fm::read_run_metrics(out).back().step, 3);
}

TEST(Trainer, InitFromStartsANewRunFromAnotherRunsWeightsAtItsOwnWidth) {
    const std::string data = make_corpus();
    const std::string first = fmtest::temp_dir("run"), second = fmtest::temp_dir("run");
    fm::train(tiny_params(data, first, 3), {}, nullptr);

    auto p = tiny_params(data, second, 3);
    p.init_from = first + "/last.safetensors";
    p.crop_length = 128;   // the 8-bar crops of the first run become 128-step ones
    p.model = "small";     // ignored: the architecture is the source's
    fm::CancelFlag cancel{false};
    fm::train(p, [&](const fm::TrainStatus& s) { if (s.scanned) cancel = true; }, &cancel);   // stop before step 1

    fm::Metadata meta;
    auto a = fm::load_net(first + "/last.safetensors", torch::kCPU);
    auto b = fm::load_net(second + "/last.safetensors", torch::kCPU, &meta);
    EXPECT_EQ(meta.at("step"), "0");
    EXPECT_EQ(b->config().crop_length, 128);
    for (const auto& kv : a->named_parameters()) EXPECT_TRUE(torch::equal(kv.value(), b->named_parameters()[kv.key()])) << kv.key();
    EXPECT_EQ(fm::read_run_params(second).init_from, p.init_from);

    p.init_from = first + "/missing.safetensors";
    EXPECT_THROW(fm::train(p, {}, nullptr), fm::Error);
}

TEST(Trainer, TrainOnlyStyleTeachesTheLevelsStyleVectorsAndNothingElse) {
    const std::string data = make_corpus("nottingham");   // style folk, never dropped: a style other than the default's
    const std::string first = fmtest::temp_dir("run"), second = fmtest::temp_dir("run");
    fm::train(tiny_params(data, first, 2), {}, nullptr);

    auto p = tiny_params(data, second, 3);
    p.init_from = first + "/last.safetensors", p.train_only = "style", p.ema = 0, p.lr = 1e-2;
    fm::train(p, {}, nullptr);
    auto a = fm::load_net(first + "/last.safetensors", torch::kCPU);
    auto b = fm::load_net(second + "/last.safetensors", torch::kCPU);
    EXPECT_TRUE(b->config().level_style);
    EXPECT_EQ(b->config().free_plan, a->config().free_plan);
    int styles = 0;
    for (const auto& kv : a->named_parameters()) {
        const torch::Tensor after = b->named_parameters()[kv.key()];
        if (kv.key().find(".style_embed.") == std::string::npos) {
            EXPECT_TRUE(torch::equal(kv.value(), after)) << kv.key();
            continue;
        }
        ++styles;
        EXPECT_TRUE(torch::equal(after[0], torch::zeros_like(after[0]))) << kv.key() << ": no style asked stays zero";
        EXPECT_FALSE(torch::equal(kv.value()[3], after[3])) << kv.key() << ": folk learnt";   // 1 + Style::folk
        EXPECT_TRUE(torch::equal(kv.value()[1], after[1])) << kv.key() << ": pop had no crop";
    }
    EXPECT_EQ(styles, 3);   // one table per level

    p.init_from.clear();   // a part of what? refused before anything is written
    const std::string third = fmtest::temp_dir("run");
    p.output_dir = third;
    EXPECT_THROW(fm::train(p, {}, nullptr), fm::Error);
    p.init_from = first + "/last.safetensors", p.conditions = false;
    EXPECT_THROW(fm::train(p, {}, nullptr), fm::Error);
}

TEST(Trainer, TwoRunsCannotShareAFolder) {
    const std::string data = make_corpus();
    const std::string out = fmtest::temp_dir("run");
    const int fd = ::open((out + "/train.lock").c_str(), O_CREAT | O_RDWR, 0644);   // a run that is still going
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
    try {
        fm::train(tiny_params(data, out, 2), {}, nullptr);
        ADD_FAILURE() << "a second run was let into a locked folder";
    } catch (const fm::Error& e) {
        EXPECT_NE(std::string(e.what()).find("another training run"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(out + "/last.safetensors"));
    ::close(fd);   // the first run ends: the folder is free
    fm::train(tiny_params(data, out, 2), {}, nullptr);
    EXPECT_TRUE(fs::exists(out + "/last.safetensors"));
}
