// trainer.h — training the fractal model on a folder or list of MIDI files (no torch in this header).
//
//   fm::TrainParams p;                       // defaults in train_params.h; the CLI's flags take theirs from there
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
#include "model/train_params.h"   // fm::TrainParams

namespace fm {

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

// Trains; throws fm::Error on bad input (no data, fm::validate's refusals, unreadable checkpoint on resume, a resume
// whose split would train on files the folder's val_files.txt holds out).
void train(const TrainParams& params, const std::function<void(const TrainStatus&)>& on_step, const CancelFlag* cancel);

}  // namespace fm
