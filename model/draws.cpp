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

namespace {

// splitmix64's finaliser on int64 tensors. Torch's >> is arithmetic on signed integers, so each shift is masked to be
// the logical one; the multiplications wrap as unsigned ones do.
torch::Tensor mix64(torch::Tensor x) {
    auto lsr = [](const torch::Tensor& v, int64_t n) { return torch::bitwise_and(v.__rshift__(n), (int64_t(1) << (64 - n)) - 1); };
    x = torch::bitwise_xor(x, lsr(x, 30)) * int64_t(0xBF58476D1CE4E5B9ULL);
    x = torch::bitwise_xor(x, lsr(x, 27)) * int64_t(0x94D049BB133111EBULL);
    return torch::bitwise_xor(x, lsr(x, 31));
}

torch::Tensor mixed(const torch::Tensor& keys, int64_t salt, int64_t t) {
    auto cols = torch::arange(t, torch::kLong) + salt * int64_t(0x100000001B3LL);
    return mix64(keys.to(torch::kCPU).to(torch::kLong).unsqueeze(1) * int64_t(0x9E3779B97F4A7C15ULL) + cols.unsqueeze(0));   // (N, t)
}

}  // namespace

torch::Tensor keyed_uniform(const torch::Tensor& keys, int64_t salt, int64_t t, const torch::Device& device) {
    auto bits = torch::bitwise_and(mixed(keys, salt, t).__rshift__(11), (int64_t(1) << 53) - 1);   // 53 random bits
    return (bits.to(torch::kDouble) * (1.0 / 9007199254740992.0)).to(torch::kFloat32).to(device);
}

torch::Tensor child_keys(const torch::Tensor& keys, const torch::Tensor& go) {
    const auto at = go.to(torch::kCPU).nonzero();   // (M, 2): row, column, row-major
    const auto parent = keys.to(torch::kCPU).to(torch::kLong).index_select(0, at.select(1, 0));
    return mix64(mix64(parent * int64_t(0x9E3779B97F4A7C15ULL) + at.select(1, 1) + int64_t(0x5EED) * int64_t(0x100000001B3LL)));
}

}  // namespace fm
