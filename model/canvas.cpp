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

namespace {
// A roll of tracks x 128 pitches -> the canvas rows of each track: pitch_rows() from canvas_low, the rows outside
// [pitch_low, pitch_high] silent (known: never generated), pitches outside the range left out.
Roll to_canvas_rows(const Roll& roll, const ModelConfig& config) {
    const int tracks = track_count(config), pr = pitch_rows(config), lo = canvas_low(config);
    if (roll.rows != tracks * kPitches)
        throw Error("the model reads rolls of " + std::to_string(tracks) + " track(s) x 128 pitches; this one has " + std::to_string(roll.rows) + " rows");
    if (tracks == 1 && pr == kPitches) return roll;
    Roll out(roll.width, 0.0f, tracks * pr);
    for (int k = 0; k < tracks; ++k)
        for (int r = 0; r < pr; ++r) {
            const int pitch = lo + r;
            if (pitch < config.pitch_low || pitch > config.pitch_high) continue;   // padding: silent
            std::copy_n(&roll.cells[size_t(k * kPitches + pitch) * size_t(roll.width)], size_t(roll.width),
                        &out.cells[size_t(k * pr + r) * size_t(roll.width)]);
        }
    return out;
}
}  // namespace

torch::Tensor rolls_to_canvas(const std::vector<Roll>& rolls, const ModelConfig& config, const torch::Device& device, float fill) {
    const int unit = canvas_unit(config);
    std::vector<torch::Tensor> items;
    items.reserve(rolls.size());
    for (const Roll& roll : rolls) {
        Roll r = to_canvas_rows(pad(roll, (roll.width + unit - 1) / unit * unit, fill), config);
        if (config.layout == CanvasLayout::folded) r = fold(r);
        items.push_back(torch::from_blob(r.cells.data(), {r.rows, r.width}, torch::kFloat32).clone());
    }
    return torch::stack(items).to(device);   // (B, R, C)
}

Roll canvas_to_roll(const torch::Tensor& canvas, const ModelConfig& config) {
    auto c = canvas.to(torch::kCPU).contiguous();
    Roll r(int(c.size(1)), 0.0f, int(c.size(0)));
    std::memcpy(r.cells.data(), c.data_ptr<float>(), r.cells.size() * sizeof(float));
    if (config.layout == CanvasLayout::folded) return unfold(r);
    const int tracks = track_count(config), pr = pitch_rows(config), lo = canvas_low(config);
    if (tracks == 1 && pr == kPitches) return r;
    if (r.rows != tracks * pr) throw Error("canvas of " + std::to_string(r.rows) + " rows for " + std::to_string(tracks) + " x " + std::to_string(pr));
    Roll out(r.width, 0.0f, tracks * kPitches);
    for (int k = 0; k < tracks; ++k)
        for (int row = config.pitch_low - lo; row < pr && lo + row <= config.pitch_high; ++row)
            std::copy_n(&r.cells[size_t(k * pr + row) * size_t(r.width)], size_t(r.width),
                        &out.cells[size_t(k * kPitches + lo + row) * size_t(r.width)]);
    return out;
}

}  // namespace fm
