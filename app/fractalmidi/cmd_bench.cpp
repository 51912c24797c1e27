// fractalmidi bench — sampling and training speed, memory and FLOP/s of a model on this machine.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "commands.h"
#include "core/error.h"
#include "int_list.h"
#include "interrupt.h"
#include "model/bench.h"
#include "model/precision.h"

namespace fmcli {

namespace {

struct BenchArgs {
    fm::BenchParams p;
    std::string widths = "128", batches = "1", num_iter = "8,4,2", precision = "auto";
    bool gate = false, no_gate = false, no_train = false, json = false;
};

void print(const fm::BenchResult& r, bool json) {
    if (json) {
        std::printf("%s\n", fm::bench_to_json(r).c_str());
    } else {
        std::printf("%4d wide, batch %2d: %7.3f s/sample (levels %.3f %.3f %.3f %.3f)", r.target_width, r.batch, r.seconds_per_sample,
                    r.level_seconds[0], r.level_seconds[1], r.level_seconds[2], r.level_seconds[3]);
        if (r.train_ms_per_step > 0) std::printf("  train %8.1f ms/step", r.train_ms_per_step);
        std::printf("  %6.1f GFLOP/s of %6.1f peak (levels %.0f %.0f %.0f %.0f)  %7.0f MB peak RSS\n", r.gflops, r.peak_gflops,
                    r.level_gflops[0], r.level_gflops[1], r.level_gflops[2], r.level_gflops[3], r.peak_rss_mb);
    }
    std::fflush(stdout);
}

void run(BenchArgs& a) {
    a.p.widths = parse_int_list(a.widths, "--target_width");
    a.p.batches = parse_int_list(a.batches, "--batch");
    a.p.num_iter = parse_int_list(a.num_iter, "--num_iter_list", 3);
    if (a.gate && a.no_gate) throw fm::Error("--gate and --no_gate exclude each other");
    a.p.gate = a.gate ? 1 : a.no_gate ? 0 : -1;
    if (a.no_train) a.p.train_batch = 0;
    a.p.precision = fm::parse_precision(a.precision);
    Interrupt interrupt;
    bool header = false;
    fm::run_bench(a.p, [&](const fm::BenchResult& r) {
        if (!a.json && !header) {
            std::printf("%s (%lld parameters, %s, iterations %s, gating %s) on %s, %d threads, %s\n", r.model.c_str(),
                        (long long)r.parameters, r.generator_types.c_str(), r.num_iter_list.c_str(), r.gate ? "on" : "off",
                        r.device.c_str(), r.threads, r.precision.c_str());
            header = true;
        }
        print(r, a.json);
    }, interrupt.flag());
}

}  // namespace

void add_bench_command(CLI::App& app) {
    auto a = std::make_shared<BenchArgs>();
    CLI::App* cmd = app.add_subcommand("bench", "Measure sampling and training speed, memory and GFLOP/s (random weights unless --checkpoint)");
    cmd->add_option("--model", a->p.model, "Preset with random weights: tiny, small or base")->capture_default_str();
    cmd->add_option("--checkpoint", a->p.checkpoint, "A trained checkpoint instead of random weights");
    cmd->add_option("--target_width", a->widths, "Steps per sample, comma-separated (e.g. 128,256,512,1024)")->capture_default_str();
    cmd->add_option("--batch", a->batches, "Samples per sampling call, comma-separated (e.g. 1,8)")->capture_default_str();
    cmd->add_option("--num_iter_list", a->num_iter, "MAR iterations at levels 0, 1, 2")->capture_default_str();
    cmd->add_option("--generator_types", a->p.generator_types, "Four of mar|ar (random weights only; the fourth names the velocity head)");
    cmd->add_option("--scan_order", a->p.scan_order, "AR scan: row_major or column_major (random weights only)");
    cmd->add_option("--pitch_range", a->p.pitch_range, "The model's pitches: all, piano (21-108) or LOW-HIGH (random weights only)")->capture_default_str();
    cmd->add_flag("--gate", a->gate, "Empty-patch gating on (default: on with a checkpoint, off with random weights)");
    cmd->add_flag("--no_gate", a->no_gate, "Empty-patch gating off");
    cmd->add_option("--train_batch", a->p.train_batch, "Batch of the training measurement")->capture_default_str();
    cmd->add_flag("--no_train", a->no_train, "Skip the training measurement");
    cmd->add_option("--data", a->p.data, "MIDI folder or list for training batches (default: synthetic piano rolls)");
    cmd->add_option("--repeats", a->p.repeats, "Timed runs per configuration, after one warm-up")->capture_default_str();
    cmd->add_option("--threads", a->p.threads, "Intra-op threads (default: all cores)");
    cmd->add_option("--device", a->p.device, "cpu, cuda or auto")->capture_default_str();
    cmd->add_option("--precision", a->precision, fm::kPrecisionHelp)->capture_default_str();
    cmd->add_option("--seed", a->p.seed, "Seed of the weights, rolls and draws")->capture_default_str();
    cmd->add_flag("--json", a->json, "One JSON object per configuration and line");
    cmd->callback([a] { run(*a); });
}

}  // namespace fmcli
