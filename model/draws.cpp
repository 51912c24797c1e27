#include "draws.h"

namespace fm {

using torch::indexing::Slice;

torch::Tensor uniform(torch::Generator& gen, at::IntArrayRef shape, const torch::Device& device) {
    return torch::rand(shape, gen).to(device);
}

torch::Tensor categorical(const torch::Tensor& probs, torch::Generator& gen) {
    auto cdf = probs.cumsum(-1);
    auto u = uniform(gen, {probs.size(0), 1}, probs.device()) * cdf.index({Slice(), Slice(-1)});
    return (cdf < u).sum(-1).clamp_max(probs.size(1) - 1);
}

}  // namespace fm
