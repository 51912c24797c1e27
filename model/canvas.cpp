#include "canvas.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"

namespace fm {

torch::Device resolve_device(const std::string& name) {
    if (name == "cpu") return torch::kCPU;
    if (name == "cuda" && !torch::cuda::is_available()) throw Error("--device cuda: no CUDA device is available to this build");
    if (name == "cuda" || (name == "auto" && torch::cuda::is_available())) {
        at::globalContext().setAllowTF32CuBLAS(true);   // TF32 matmuls on Ampere and later: float32 range, ~8x the speed
        at::globalContext().setAllowTF32CuDNN(true);
        return torch::kCUDA;
    }
    if (name == "auto") return torch::kCPU;
    throw Error("--device '" + name + "' is not cpu, cuda or auto");
}

int canvas_unit(const ModelConfig& config) { return config.layout == CanvasLayout::folded ? 32 : 16; }

torch::Tensor rolls_to_canvas(const std::vector<Roll>& rolls, const ModelConfig& config, const torch::Device& device, float fill) {
    const int unit = canvas_unit(config);
    std::vector<torch::Tensor> items;
    items.reserve(rolls.size());
    for (const Roll& roll : rolls) {
        Roll r = pad(roll, (roll.width + unit - 1) / unit * unit, fill);
        if (config.layout == CanvasLayout::folded) r = fold(r);
        items.push_back(torch::from_blob(r.cells.data(), {r.rows, r.width}, torch::kFloat32).clone());
    }
    return torch::stack(items).to(device);   // (B, R, C)
}

Roll canvas_to_roll(const torch::Tensor& canvas, const ModelConfig& config) {
    auto c = canvas.to(torch::kCPU).contiguous();
    Roll r(int(c.size(1)), 0.0f, int(c.size(0)));
    std::memcpy(r.cells.data(), c.data_ptr<float>(), r.cells.size() * sizeof(float));
    return config.layout == CanvasLayout::folded ? unfold(r) : r;
}

}  // namespace fm
