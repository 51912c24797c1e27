#include "transformer.h"

#include <torch/version.h>

#include <cmath>

namespace fm {

torch::Tensor linear(torch::nn::LinearImpl& layer, const torch::Tensor& x, bool keep_format) {
    const auto type = layer.weight.scalar_type();
    if (type == torch::kFloat32 || type == x.scalar_type()) return layer.forward(x);   // fp32: autocast, when on, casts
    auto y = torch::linear(x.to(type), layer.weight, layer.bias);
    return keep_format ? y : y.to(x.scalar_type());
}

AttentionImpl::AttentionImpl(int64_t width, int64_t heads) : heads_(heads) {
    qkv_ = register_module("qkv", torch::nn::Linear(width, 3 * width));
    proj_ = register_module("proj", torch::nn::Linear(width, width));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask, torch::Tensor* cache_k,
                                     torch::Tensor* cache_v) {
    const int64_t n = x.size(0), t = x.size(1), d = x.size(2), dh = d / heads_;
    // q, k and v in the weights' format (bf16 or fp32); the attention scores and softmax in fp32.
    auto qkv = linear(*qkv_, x, /*keep_format=*/true).view({n, t, 3, heads_, dh}).permute({2, 0, 3, 1, 4});   // (3, N, H, T, dh)
    torch::Tensor q = qkv[0], k = qkv[1], v = qkv[2];
    if (cache_k != nullptr) {
        if (cache_k->defined()) {
            k = torch::cat({*cache_k, k}, 2);
            v = torch::cat({*cache_v, v}, 2);
        }
        *cache_k = k, *cache_v = v;
    }
    torch::Tensor y;   // (N, H, Tq, dh)
#if TORCH_VERSION_MAJOR >= 2
    // LibTorch 2.x on CUDA: the fused kernel (flash / memory-efficient attention). Not on the CPU: measured on
    // LibTorch 2.6 (docs/PERFORMANCE.md) it was slower than the three ops below, in fp32 (1.21 s against 1.13 s per
    // `base` sample) and most in bf16 (1.09 s against 0.81 s; training 2.51 s against 1.42 s per step).
    if (q.is_cuda())
        y = at::scaled_dot_product_attention(q, k, v,
                                             mask.defined() ? c10::optional<at::Tensor>(mask.to(q.scalar_type())) : c10::nullopt);
#endif
    if (!y.defined()) {
        auto att = torch::matmul(q, k.transpose(-2, -1)).to(torch::kFloat32) * (1.0 / std::sqrt(double(dh)));   // (N, H, Tq, Tk)
        if (mask.defined()) att = att + mask;
        y = torch::matmul(torch::softmax(att, -1).to(v.scalar_type()), v);
    }
    return linear(*proj_, y.transpose(1, 2).reshape({n, t, d})).to(x.scalar_type());   // (N, T, D)
}

void AttentionImpl::set_matmul_dtype(torch::ScalarType dtype) {
    qkv_->to(dtype);
    proj_->to(dtype);
}

BlockImpl::BlockImpl(int64_t width, int64_t heads, double mlp_ratio) {
    const auto hidden = int64_t(std::lround(width * mlp_ratio));
    norm1_ = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
    attn_ = register_module("attn", Attention(width, heads));
    norm2_ = register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
    fc1_ = register_module("fc1", torch::nn::Linear(width, hidden));
    fc2_ = register_module("fc2", torch::nn::Linear(hidden, width));
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, const torch::Tensor& mask, torch::Tensor* cache_k,
                                 torch::Tensor* cache_v) {
    auto h = x + attn_->forward(norm1_->forward(x), mask, cache_k, cache_v);
    // The MLP's hidden layer stays in the weights' format between its two matmuls (GELU in bf16 when they are bf16).
    return h + linear(*fc2_, torch::gelu(linear(*fc1_, norm2_->forward(h), /*keep_format=*/true))).to(h.scalar_type());
}

void BlockImpl::set_matmul_dtype(torch::ScalarType dtype) {
    attn_->set_matmul_dtype(dtype);
    fc1_->to(dtype);
    fc2_->to(dtype);
}

TransformerImpl::TransformerImpl(const TransformerOptions& o) {
    for (int64_t i = 0; i < o.depth(); ++i)
        blocks_.push_back(register_module("block" + std::to_string(i), Block(o.width(), o.heads(), o.mlp_ratio())));
    norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.width()})));
}

torch::Tensor TransformerImpl::forward(const torch::Tensor& x, const torch::Tensor& mask, KVCache* cache) {
    if (cache != nullptr && cache->k.size() != blocks_.size()) {
        cache->k.assign(blocks_.size(), torch::Tensor());
        cache->v.assign(blocks_.size(), torch::Tensor());
    }
    torch::Tensor h = x;
    for (size_t i = 0; i < blocks_.size(); ++i)
        h = blocks_[i]->forward(h, mask, cache ? &cache->k[i] : nullptr, cache ? &cache->v[i] : nullptr);
    return norm_->forward(h);
}

void TransformerImpl::set_matmul_dtype(torch::ScalarType dtype) {
    for (auto& b : blocks_) b->set_matmul_dtype(dtype);
}

torch::Tensor positions_2d(int64_t rows, int64_t cols, int64_t width, const torch::Device& device) {
    const int64_t half = width / 2, quarter = half / 2;
    auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(device);
    auto freq = torch::exp(torch::arange(quarter, opts) * (-std::log(10000.0) / std::max<int64_t>(quarter, 1)));   // (D/4)
    auto encode = [&](const torch::Tensor& pos) {   // (L) -> (L, D/2)
        auto a = pos.unsqueeze(1) * freq.unsqueeze(0);
        return torch::cat({torch::sin(a), torch::cos(a)}, 1);
    };
    auto r = encode(torch::arange(rows, opts)).unsqueeze(1).expand({rows, cols, 2 * quarter});
    auto c = encode(torch::arange(cols, opts)).unsqueeze(0).expand({rows, cols, 2 * quarter});
    auto pe = torch::cat({r, c}, 2).reshape({rows * cols, 4 * quarter});
    if (4 * quarter < width) pe = torch::cat({pe, torch::zeros({rows * cols, width - 4 * quarter}, opts)}, 1);
    return pe;   // (rows*cols, D)
}

}  // namespace fm
