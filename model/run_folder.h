// run_folder.h — reading back a training run's folder (what fm::train writes), without torch.
//
//   fm::TrainParams p = fm::read_run_params("runs/small");         // config.json; fm::Error when absent or bad
//   for (const fm::RunMetric& m : fm::read_run_metrics("runs/small")) plot(m.step, m.loss_bits);
//   for (const fm::RunCheckpoint& c : fm::list_run_checkpoints("runs/small")) list(c.name, c.step, c.val_bits);
//
// The studio uses these to reopen a stopped (or crashed) run: its settings, its curves and its checkpoints.
// Thread-safety: free functions; a run that is still training may append to metrics.jsonl meanwhile (a torn last
// line is skipped).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/trainer.h"

namespace fm {

// The run's settings as fm::train resolved them (config.json), with output_dir = dir and resume = false.
// Fields an older config.json lacks read as what that run used: cells "velocity", pitch_positions, plan off and
// ema 0 (runs before those existed), and the defaults for the rest. val_fraction was not recorded before the
// note-cell models: it reads as 0.1, the default then, with a warning (a run started with another --val_fraction
// needs it again; fm::train refuses a resume whose split would train on a file the folder's val_files.txt holds
// out). Keys this version does not know are ignored with a warning (a folder from a newer version).
TrainParams read_run_params(const std::string& dir);

// What fm::train records beside the settings.
struct RunSummary {
    int64_t train_files = 0, val_files = 0;
    int64_t parameters = 0;
    std::string model_config;   // fm::config_to_json of the model
};
// Writes dir/config.json whole (temporary file, rename): every field of `as_used` (device and precision as
// resolved) and the summary. read_run_params reads it back.
void write_run_params(const std::string& dir, const TrainParams& as_used, const RunSummary& summary);

struct RunMetric {
    int step = 0;
    double loss_bits = 0;
    double val_bits = -1;       // -1 on steps without validation
    double elapsed_s = 0;
    std::string sample;         // the preview sample written at this step, or ""
};
// metrics.jsonl, in file order (a resumed run appends); empty when there is none. Unreadable lines (torn, not JSON,
// without a "step" that is an integer an int holds) are skipped: bad content never makes it throw.
std::vector<RunMetric> read_run_metrics(const std::string& dir);

struct RunCheckpoint {
    std::string path, name;     // name: "best", "last", or the file's stem
    int step = -1;              // from the checkpoint's metadata (-1 when it has none)
    double best_val_bits = -1;  // the best validation figure when it was written (-1 when unknown)
};
// Every .safetensors in the folder, "best" first, then "last", then the others by name. A file whose header
// cannot be read is listed with step -1 (generation will then say why it cannot load it).
std::vector<RunCheckpoint> list_run_checkpoints(const std::string& dir);

}  // namespace fm
