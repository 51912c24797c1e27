// mixed_precision.h — bf16 for the model's matmuls: converted weights for inference, autocast for training.
//
//   fm::Precision used = fm::apply_precision(net, fm::Precision::automatic);   // sampling, eval: weights -> bf16
//   {
//       fm::Autocast bf16(device, used == fm::Precision::bf16);   // training: fp32 weights and optimiser state,
//       auto [nll, count] = net->loss(canvas, gen);                // the forward's matmuls in bf16
//   }
//   (nll / count).backward();
//
// Thread-safety: Autocast is a per-thread setting (LibTorch's), so is the guard; apply_precision changes the net.
#pragma once

#include <torch/torch.h>

#include "model/fractal_net.h"
#include "model/precision.h"

namespace fm {

// The tensor type of the matmul weights for a resolved precision: kBFloat16 for bf16, else kFloat32.
inline torch::ScalarType matmul_dtype(Precision used) { return used == Precision::bf16 ? torch::kBFloat16 : torch::kFloat32; }

// Resolves `requested` for the net's device (fm::resolve_precision) and, for bf16, converts its matmul weights
// (FractalNetImpl::set_matmul_dtype). Returns what it used: fp32 or bf16.
Precision apply_precision(FractalNet& net, Precision requested);

// LibTorch's autocast to bf16 on `device` while in scope (does nothing when !enabled). Leaving clears the cast-weight
// cache, so an optimiser step after it is seen by the next forward.
class Autocast {
public:
    Autocast(const torch::Device& device, bool enabled);
    ~Autocast();
    Autocast(const Autocast&) = delete;
    Autocast& operator=(const Autocast&) = delete;

private:
    bool enabled_;
    torch::DeviceType type_;
    bool was_enabled_ = false;
    torch::ScalarType was_dtype_ = torch::kBFloat16;
};

}  // namespace fm
