// transformer.h — pre-norm transformer blocks with an optional key/value cache (LibTorch; model/ only).
//
//   fm::Transformer t(fm::TransformerOptions(256, 4, 2));   // width, heads, depth
//   auto y = t->forward(x, mask);            // x (N, T, D); mask (T, T) additive, or undefined
//   fm::KVCache cache;                       // AR sampling: feed one step at a time
//   auto y1 = t->forward(x1, {}, &cache);    // x1 (N, 1, D), attends to everything fed before
//
// Thread-safety: a module is used by one thread at a time.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace fm {

// A Linear in its weights' number format: x is cast to it and the result back to x's (or left in the weights' format
// with keep_format, for a following elementwise op and matmul). So a net whose matmul weights are bf16
// (FractalNetImpl::set_matmul_dtype) keeps its residual stream, LayerNorms and softmax in fp32.
torch::Tensor linear(torch::nn::LinearImpl& layer, const torch::Tensor& x, bool keep_format = false);

struct KVCache {
    std::vector<torch::Tensor> k, v;   // per block: (N, H, T, D/H)
    torch::Tensor input_bias;          // (N, 1, D) added to every input fed (a level's own condition)
    void clear() { k.clear(), v.clear(), input_bias = torch::Tensor(); }
};

struct TransformerOptions {
    TransformerOptions(int64_t width, int64_t heads, int64_t depth) : width_(width), heads_(heads), depth_(depth) {}
    TORCH_ARG(int64_t, width);
    TORCH_ARG(int64_t, heads);
    TORCH_ARG(int64_t, depth);
    TORCH_ARG(double, mlp_ratio) = 4.0;
};

class AttentionImpl : public torch::nn::Module {
public:
    AttentionImpl(int64_t width, int64_t heads);
    // x (N, T, D); mask (Tq, Tk) additive or undefined; cache: appended to, then attended over.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask, torch::Tensor* cache_k, torch::Tensor* cache_v);
    void set_matmul_dtype(torch::ScalarType dtype);

private:
    int64_t heads_;
    torch::nn::Linear qkv_{nullptr}, proj_{nullptr};
};
TORCH_MODULE(Attention);

class BlockImpl : public torch::nn::Module {
public:
    BlockImpl(int64_t width, int64_t heads, double mlp_ratio);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask, torch::Tensor* cache_k, torch::Tensor* cache_v);
    void set_matmul_dtype(torch::ScalarType dtype);

private:
    torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr};
    Attention attn_{nullptr};
    torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(Block);

class TransformerImpl : public torch::nn::Module {
public:
    explicit TransformerImpl(const TransformerOptions& options);
    // x (N, T, D) -> (N, T, D), final LayerNorm applied.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask = {}, KVCache* cache = nullptr);
    // The number format of the blocks' Linear weights (LayerNorms stay fp32); inference only.
    void set_matmul_dtype(torch::ScalarType dtype);

private:
    std::vector<Block> blocks_;
    torch::nn::LayerNorm norm_{nullptr};
};
TORCH_MODULE(Transformer);

// Fixed 2-D sine/cosine positions: half the channels encode the row, half the column. (rows*cols, D).
torch::Tensor positions_2d(int64_t rows, int64_t cols, int64_t width, const torch::Device& device);

}  // namespace fm
