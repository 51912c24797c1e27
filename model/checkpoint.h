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
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "model/fractal_net.h"

namespace fm {

using Metadata = std::map<std::string, std::string>;

// fp16: the weights stored as F16 (half the size; a shipped model), read back as float32. ema: a training run's
// moving average of the weights, stored beside them ("ema." tensors) so that a resumed run continues it exactly.
void save_checkpoint(const std::string& path, FractalNet& net, torch::optim::AdamW* optimizer, const Metadata& extra = {},
                     bool fp16 = false, FractalNet* ema = nullptr);

// Reads the config and weights; throws fm::Error(reason, path) on a missing, truncated, corrupt or mismatched file.
FractalNet load_net(const std::string& path, const torch::Device& device, Metadata* metadata = nullptr);
// Loads the weights (and the optimiser state when present and `optimizer` is given) into an existing net; `ema` gets
// the file's moving average, or a copy of the weights when the file has none.
void load_checkpoint_into(const std::string& path, FractalNet& net, torch::optim::AdamW* optimizer, Metadata* metadata = nullptr,
                          FractalNet* ema = nullptr);

// A new run's start from another checkpoint (train --init_from): every tensor whose name and shape match is copied.
// From a velocity-coded net into a note-coded one the cell embeddings and the head's output rows are mapped (velocity
// k becomes onset k; hold starts as the mean of the onsets). A net with a separate unconditional plan prior
// (config.free_plan) takes it from the file's own, or from the file's one prior when the file has no conditions.
// Only tensors whose names start with `only` are touched ("": all). Returns the names of the tensors left as initialised.
std::vector<std::string> warm_start(const std::string& path, FractalNet& net, const std::string& only = "");

// The key under which torch::optim keeps a parameter's state: its TensorImpl's address printed as a string in
// LibTorch 1.x, the address itself in 2.x. Deduced from the optimiser's own map, so no version check is needed.
// (A template, so that only the branch for the installed LibTorch is compiled.)
template <class Optimizer = torch::optim::Optimizer>
auto optimizer_state_key(const torch::Tensor& param) {
    using Key = typename std::decay_t<decltype(std::declval<Optimizer&>().state())>::key_type;
    if constexpr (std::is_same_v<Key, std::string>) {
        std::ostringstream os;
        os << param.unsafeGetTensorImpl();
        return Key(os.str());
    } else {
        return Key(param.unsafeGetTensorImpl());
    }
}

}  // namespace fm
