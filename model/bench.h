// bench.h — how fast the model samples and trains on this machine: the `bench` command's measurements.
//
//   fm::BenchParams p;  p.model = "base";  p.widths = {128, 1024};
//   for (const fm::BenchResult& r : fm::run_bench(p, print_line)) ...
//
// Random weights unless a checkpoint is given. Sampling generates every cell of a (batch, 128, width) roll in one
// canvas; training runs forward, backward, clipping and AdamW on batches of synthetic piano rolls (a bass, chords
// and a melody in every bar, about 3 % of cells sounding, as in POP909) or on crops of --data. Peak memory is the
// process's resident set (VmHWM), reset before each configuration. Thread-safety: one call at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/progress.h"
#include "model/precision.h"

namespace fm {

struct BenchParams {
    std::string model = "base";               // preset, when no checkpoint
    std::string checkpoint;                   // a trained net instead of random weights
    std::string generator_types;              // override (random weights only), e.g. "ar,mar,mar,mar"
    std::string scan_order;                   // override (random weights only)
    std::string pitch_range = "all";          // the model's pitches (random weights only): all | piano | LOW-HIGH
    std::vector<int> widths{128};             // steps per sample
    std::vector<int> batches{1};              // samples per sampling call
    std::vector<int> num_iter{8, 4, 2};       // MAR iterations at levels 0, 1, 2
    int gate = -1;                            // empty-patch gating: 1 on, 0 off, -1 on with a checkpoint only
    int train_batch = 8;                      // 0: no training measurement
    int repeats = 1;                          // timed runs per configuration (after one untimed warm-up)
    int threads = 0;                          // 0: all cores (OMP_NUM_THREADS when set)
    std::string data;                         // optional MIDI folder or list for training batches
    std::string device = "cpu";
    Precision precision = Precision::automatic;   // sampling: converted weights; training: autocast
    uint64_t seed = 0;
};

struct BenchResult {
    int target_width = 0, batch = 0, threads = 0;
    std::string device, model, generator_types, num_iter_list, precision;   // precision: fp32 or bf16, as used
    std::string pitch_range = "all";
    bool gate = false;
    int64_t parameters = 0;
    double seconds_per_sample = 0;            // wall time of one sampling call / batch
    double level_seconds[4] = {};             // per sample, each level alone (3: the velocity head)
    double train_ms_per_step = 0;             // at train_batch, this width (0 when not measured)
    double train_samples_per_s = 0;
    double gflops = 0;                        // sampling: counted matmul work / wall time
    double level_gflops[4] = {};              // the same per level, over its own time
    double peak_gflops = 0;                   // a large matmul in the precision used, same threads, same run
    double peak_rss_mb = 0;                   // resident set high-water mark during this configuration
};

std::string bench_to_json(const BenchResult& r);   // one line

// Runs every (width, batch) configuration; `on_result` sees each as it completes. Cancel stops between configurations.
std::vector<BenchResult> run_bench(const BenchParams& p, const std::function<void(const BenchResult&)>& on_result,
                                   const CancelFlag* cancel = nullptr);

}  // namespace fm
