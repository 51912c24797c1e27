// checkpoint.h — the net's weights (and optionally the optimiser's state) in a safetensors file whose
// metadata holds the model config as JSON, readable from Python. Written whole or not at all.
//
//   fm::save_checkpoint("run/last.safetensors", net, &opt, {{"step", "1200"}});
//   fm::FractalNet net = fm::load_net("run/last.safetensors", device);   // config from the file
//
// Thread-safety: free functions; the net must not be training while it is saved.
#pragma once

#include <torch/torch.h>

#include <map>
#include <string>

#include "model/fractal_net.h"

namespace fm {

using Metadata = std::map<std::string, std::string>;

// fp16: the weights stored as F16 (half the size; a shipped model), read back as float32.
void save_checkpoint(const std::string& path, FractalNet& net, torch::optim::AdamW* optimizer, const Metadata& extra = {},
                     bool fp16 = false);

// Reads the config and weights; throws fm::Error(reason, path) on a missing, truncated, corrupt or mismatched file.
FractalNet load_net(const std::string& path, const torch::Device& device, Metadata* metadata = nullptr);
// Loads the weights (and the optimiser state when present and `optimizer` is given) into an existing net.
void load_checkpoint_into(const std::string& path, FractalNet& net, torch::optim::AdamW* optimizer, Metadata* metadata = nullptr);

}  // namespace fm
