// trainer.h — training the fractal model on a folder or list of MIDI files (no torch in this header).
//
//   fm::TrainParams p;                       // defaults below; the CLI's flags take theirs from here
//   p.train_data = "pop909/"; p.output_dir = "runs/small";
//   fm::train(p, [](const fm::TrainStatus& s) { ... }, &cancel);   // cancel: saves `last` and returns
//
// Each step's crops and masks come from (seed, step) alone, so a resumed run continues exactly.
// The output folder gets val_files.txt (the held-out files, one per line: `fractalmidi eval --data` takes it).
// Time spent inside on_step (a paused UI, say) is not counted in steps_per_s or the ETA.
// Thread-safety: one call at a time per output folder.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/dataset.h"
#include "core/progress.h"
#include "core/roll.h"

namespace fm {

struct TrainParams {
    std::string train_data;                  // folder (recursive) or list file of MIDI files
    std::string val_data;                    // the same; empty: val_fraction of train_data's files, by seed
    double val_fraction = 0.1;
    std::string model = "small";             // tiny | small | base
    std::string generator_types = "mar,mar,mar,mar";   // levels 0, 1, 2 and the velocity head
    std::string scan_order = "row_major";    // AR levels: row_major (pitch first) | column_major (time first)
    std::string layout = "long";             // 512-wide models: long (128x512) | folded (256x256)
    int crop_length = 128;                   // steps per training crop (multiple of 16)
    int train_batch_size = 8;                // crops per step
    int max_steps = 1000;
    double lr = 3e-4;                        // peak learning rate (AdamW)
    double weight_decay = 0.05;
    int warmup_steps = 100;                  // linear warm-up, then cosine decay to 10 % of lr
    double grad_clip = 3.0;                  // max global gradient norm
    int pitch_shift = 3;                     // augmentation: semitones up or down
    std::string cells = "notes";             // what a cell's class means: notes (silence, hold, onset at velocity k) |
                                             // velocity (silence, velocity k; the models made before notes existed)
    bool pitch_positions = true;             // tokens learn their pitch class and octave (model_config.h)
    bool plan = true;                        // a per-bar plan (chroma, density) as the coarsest level (model/bar_plan.h)
    int plan_batch = 64;                     // crops per step the plan prior learns from (the batch's and more; plan only)
    double ema = 0.999;                      // decay of the weights' moving average used for validation, previews and
                                             // best.safetensors (0: off, the raw weights); warms up as (1+n)/(10+n)
    uint64_t seed = 0;
    std::string device = "auto";             // cpu | cuda | auto
    std::string precision = "auto";          // fp32 | bf16 | auto: the forward's matmuls under autocast (weights, optimiser
                                             // state and checkpoints stay fp32; validation and previews run in fp32)
    std::string output_dir;                  // checkpoints, metrics.jsonl, config.json, caches
    bool resume = false;                     // continue from output_dir/last.safetensors
    std::string init_from;                   // a new run starts from this checkpoint's weights and architecture
                                             // (e.g. a 128-step model fine-tuned on 512-step crops); its own
                                             // crop_length and layout are this run's
    int eval_every = 100;                    // steps between validation bits/cell (and checkpoints)
    int val_crops = 32;                      // validation crops (fixed)
    int sample_every = 0;                    // steps between preview samples (0: none); written to samples/step_N.mid
    int threads = 0;                         // intra-op threads; 0: all cores
};

struct TrainStatus {
    int step = 0, max_steps = 0;
    double loss_bits = 0;        // training loss of this step, bits per reached cell
    double steps_per_s = 0;
    double eta_s = 0;
    double val_bits = -1;        // set on validation steps
    double lr = 0;
    bool stopped = false;        // cancelled: no step was taken; `message` says where it was saved
    std::string message;         // a line for the log when something happened (checkpoint written, ...)
    // Set once, before the first step (step = the start step, loss 0): what the scan of the data found.
    bool scanned = false;
    CacheSummary dataset;
    // Set on sample steps: a preview drawn with the current weights, and the .mid it was saved to.
    Roll sample;
    std::string sample_path;
};

// Trains; throws fm::Error on bad input (no data, bad flags, unreadable checkpoint on resume).
void train(const TrainParams& params, const std::function<void(const TrainStatus&)>& on_step, const CancelFlag* cancel);

}  // namespace fm
