// draws.h — the random draws of sampling and training, from a CPU generator (LibTorch; model/ only).
//
//   auto u = fm::uniform(gen, {n, t}, device);   // U[0, 1)
//   auto k = fm::categorical(probs, gen);        // one index per row of probs (N, K)
//
// Draws come from a CPU generator and then move to the tensor's device: a seed gives the same draws on every device,
// and no device-specific generator API is needed (it differs between LibTorch 1.13 and 2.x).
#pragma once

#include <torch/torch.h>

namespace fm {

torch::Tensor uniform(torch::Generator& gen, at::IntArrayRef shape, const torch::Device& device);

// One draw per row of probs (N, K) (unnormalised weights, not all zero), by inverse CDF on a uniform: (N) indices.
torch::Tensor categorical(const torch::Tensor& probs, torch::Generator& gen);

}  // namespace fm
