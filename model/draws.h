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

// Keyed draws: U[0, 1) (N, t) that depend only on each row's key (N, int64), on `salt` and on the column, not on a
// generator's position. Training draws its masks this way, with a key per crop and per patch, so a crop's loss is the
// same whatever batch it is in: the shards of a data-parallel step draw what one process would (model/distributed.h).
torch::Tensor keyed_uniform(const torch::Tensor& keys, int64_t salt, int64_t t, const torch::Device& device);
// The keys of the children of the tokens `go` marks (N, t): one per marked (row, column), in row-major order, mixed
// from the row's key and the column.
torch::Tensor child_keys(const torch::Tensor& keys, const torch::Tensor& go);

// One draw per row of probs (N, K) (unnormalised weights, not all zero), by inverse CDF on a uniform: (N) indices.
torch::Tensor categorical(const torch::Tensor& probs, torch::Generator& gen);

}  // namespace fm
