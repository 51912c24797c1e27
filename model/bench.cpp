#include "bench.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "core/dataset.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/roll.h"
#include "model/canvas.h"
#include "model/checkpoint.h"
#include "model/fractal_net.h"
#include "model/mixed_precision.h"

namespace fm {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void sync(const torch::Device& device) {
    if (device.is_cuda()) torch::cuda::synchronize();
}

// Linux keeps the resident-set high-water mark in /proc/self/status; writing 5 to clear_refs resets it.
void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

double peak_rss_mb() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return 0;
}

// Best of a few large matmuls in `dtype`: the machine's practical peak on these threads.
double matmul_peak_gflops(const torch::Device& device, torch::ScalarType dtype) {
    const int64_t n = device.is_cuda() ? 8192 : 2048;
    auto a = torch::randn({n, n}, torch::TensorOptions().device(device)).to(dtype), b = torch::randn({n, n}, a.options());
    double best = 0;
    for (int i = 0; i < 8; ++i) {
        sync(device);
        const auto t = Clock::now();
        auto c = torch::mm(a, b);
        sync(device);
        if (i > 0) best = std::max(best, 2.0 * double(n) * double(n) * double(n) / since(t) / 1e9);
    }
    return best;
}

// Piano music in every bar: a bass note, two chords of three notes and a melody of short notes; ~3 % of cells.
Roll synthetic_roll(int width, std::mt19937_64& rng) {
    Roll r(width);
    auto pick = [&](int lo, int hi) { return lo + int(rng() % uint64_t(hi - lo + 1)); };
    auto note = [&](int pitch, int start, int len, int velocity) {
        for (int t = start; t < std::min(width, start + len); ++t) r.at(pitch, t) = float(velocity) / 127.0f;
    };
    for (int bar = 0; bar < width; bar += kStepsPerBar) {
        note(pick(36, 48), bar, 8, pick(50, 80));
        for (int half = 0; half < 2; ++half) {
            const int root = pick(55, 64), v = pick(40, 70);
            for (int k : {0, 4, 7}) note(root + k, bar + 8 * half, 6, v);
        }
        for (int t = bar; t < bar + kStepsPerBar;) {
            const int len = pick(1, 4);
            note(pick(67, 84), t, len, pick(60, 110));
            t += len + pick(0, 1);
        }
    }
    return r;
}

std::vector<Roll> training_rolls(const BenchParams& p, int width, int count, const std::string& cache) {
    std::vector<Roll> rolls;
    if (!p.data.empty()) {
        const Dataset ds = Dataset::open(cache);
        std::vector<int> files;
        for (int i = 0; i < ds.size(); ++i) files.push_back(i);
        CropSampler sampler(ds, files, {width, 0, p.seed, kStepsPerBar});
        for (int i = 0; i < count; ++i) rolls.push_back(sampler.next());
    } else {
        std::mt19937_64 rng(p.seed);
        for (int i = 0; i < count; ++i) rolls.push_back(synthetic_roll(width, rng));
    }
    return rolls;
}

std::string join(const std::vector<int>& v) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s;
}

}  // namespace

std::string bench_to_json(const BenchResult& r) {
    nlohmann::json j = {{"target_width", r.target_width},
                        {"batch", r.batch},
                        {"seconds_per_sample", r.seconds_per_sample},
                        {"level_seconds", {r.level_seconds[0], r.level_seconds[1], r.level_seconds[2], r.level_seconds[3]}},
                        {"train_ms_per_step", r.train_ms_per_step},
                        {"train_samples_per_s", r.train_samples_per_s},
                        {"gflops", r.gflops},
                        {"level_gflops", {r.level_gflops[0], r.level_gflops[1], r.level_gflops[2], r.level_gflops[3]}},
                        {"precision", r.precision},
                        {"peak_gflops", r.peak_gflops},
                        {"peak_rss_mb", r.peak_rss_mb},
                        {"threads", r.threads},
                        {"device", r.device},
                        {"model", r.model},
                        {"parameters", r.parameters},
                        {"generator_types", r.generator_types}, {"pitch_range", r.pitch_range},
                        {"num_iter_list", r.num_iter_list},
                        {"gate", r.gate}};
    return j.dump();
}

std::vector<BenchResult> run_bench(const BenchParams& p, const std::function<void(const BenchResult&)>& on_result,
                                   const CancelFlag* cancel) {
    if (p.num_iter.size() != 3) throw Error("--num_iter_list needs 3 entries");
    for (int w : p.widths)
        if (w <= 0 || w % 16 != 0) throw Error("--target_width " + std::to_string(w) + " must be a positive multiple of 16");
    for (int b : p.batches)
        if (b <= 0) throw Error("--batch entries must be positive");
    if (p.repeats <= 0 || p.train_batch < 0) throw Error("--repeats must be positive and --train_batch not negative");
    const torch::Device device = resolve_device(p.device);
    use_threads(p.threads);

    // Training batches from real files: one cache, private to this run.
    const fm::ScratchPath scratch("fractalmidi-bench", ".fmcache");   // private to this run, removed when done
    const std::string& cache = scratch.path();
    if (!p.data.empty() && build_cache(p.data, cache).usable == 0) throw Error("no usable MIDI file", p.data);

    const Precision precision = resolve_precision(p.precision, device.is_cuda());
    const bool bf16 = precision == Precision::bf16;
    const double peak = matmul_peak_gflops(device, matmul_dtype(precision));
    if (!p.checkpoint.empty() && p.pitch_range != "all") throw Error("--pitch_range applies to random weights only (a checkpoint has its own)");
    std::vector<BenchResult> results;
    for (int width : p.widths)
        for (int batch : p.batches) {
            if (cancelled(cancel)) return results;
            reset_peak_rss();
            // The net: a checkpoint, or a preset with random weights whose crop length is this width (one canvas).
            // Made twice, the same each time: converted for sampling, then fp32 again for training under autocast.
            auto make_net = [&] {
                if (!p.checkpoint.empty()) return load_net(p.checkpoint, device);
                ModelConfig c = model_preset(p.model);
                if (!p.generator_types.empty()) set_generator_types(c, p.generator_types);
                if (!p.scan_order.empty()) c.scan = parse_scan_order(p.scan_order);
                parse_pitch_range(p.pitch_range, &c.pitch_low, &c.pitch_high);
                check_heights_and_tracks(c);
                c.crop_length = width;
                FractalNet n = seeded_net(c, p.seed);
                n->to(device);
                return n;
            };
            FractalNet net = make_net();
            const ModelConfig config = net->config();
            BenchResult r;
            r.target_width = width, r.batch = batch, r.threads = torch::get_num_threads(), r.device = device.str();
            r.model = p.checkpoint.empty() ? p.model : p.checkpoint;
            r.pitch_range = std::to_string(config.pitch_low) + "-" + std::to_string(config.pitch_high);
            r.generator_types = generator_types(config), r.num_iter_list = join(p.num_iter), r.precision = precision_name(precision);
            r.gate = p.gate < 0 ? !p.checkpoint.empty() : p.gate == 1;
            for (auto& t : net->parameters()) r.parameters += t.numel();
            r.peak_gflops = peak;

            // Sampling: one untimed warm-up, then `repeats` timed calls.
            {
                torch::NoGradGuard no_grad;
                net->eval();
                net->set_matmul_dtype(matmul_dtype(precision));
                SampleOptions opt;
                opt.num_iter = {p.num_iter[0], p.num_iter[1], p.num_iter[2]};
                opt.gate = r.gate;
                // Every cell to be drawn (but a pitch range's padding rows, known silent).
                const auto canvas = rolls_to_canvas(std::vector<Roll>(size_t(batch), Roll(width, kUnknown, roll_rows(config))), config, device, kUnknown);
                auto gen = at::detail::createCPUGenerator(p.seed);
                net->sample(canvas, opt, gen, {}, cancel);
                SampleStats stats;
                opt.stats = &stats;
                sync(device);
                const auto t = Clock::now();
                for (int i = 0; i < p.repeats; ++i) net->sample(canvas, opt, gen, {}, cancel);
                sync(device);
                const double seconds = since(t);
                const double samples = double(p.repeats) * batch;
                r.seconds_per_sample = seconds / samples;
                double flops = 0;
                for (int l = 0; l < 4; ++l) {
                    r.level_seconds[l] = stats.seconds[l] / samples, flops += stats.flops[l];
                    r.level_gflops[l] = stats.seconds[l] > 0 ? stats.flops[l] / stats.seconds[l] / 1e9 : 0.0;
                }
                r.gflops = flops / seconds / 1e9;
            }

            // Training: forward, backward, clipping and AdamW at train_batch; one untimed warm-up step.
            if (p.train_batch > 0) {
                net = make_net();
                net->train();
                torch::optim::AdamW opt(net->parameters(), torch::optim::AdamWOptions(1e-4).weight_decay(0.05).betas({0.9, 0.95}));
                const auto batch_canvas = rolls_to_canvas(training_rolls(p, width, p.train_batch, cache), config, device, 0.0f);
                auto gen = at::detail::createCPUGenerator(p.seed + 1);
                double seconds = 0;
                for (int i = 0; i <= p.repeats; ++i) {
                    sync(device);
                    const auto t = Clock::now();
                    torch::Tensor loss;
                    {
                        Autocast autocast(device, bf16);
                        auto [nll, count] = net->loss(batch_canvas, gen);
                        loss = nll / count;
                    }
                    opt.zero_grad();
                    loss.backward();
                    torch::nn::utils::clip_grad_norm_(net->parameters(), 3.0);
                    opt.step();
                    sync(device);
                    if (i > 0) seconds += since(t);
                }
                r.train_ms_per_step = seconds / p.repeats * 1000.0;
                r.train_samples_per_s = p.train_batch / (seconds / p.repeats);
            }
            r.peak_rss_mb = peak_rss_mb();
            results.push_back(r);
            if (on_result) on_result(r);
        }
    return results;
}

}  // namespace fm
