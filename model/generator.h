// generator.h — generating rolls with a trained net: unconditional, continuation, inpainting, any width.
//
//   fm::FractalNet net = fm::load_net("model.safetensors", torch::kCPU);
//   fm::GenerateParams g;  g.width = 256;  g.seed = 7;
//   std::vector<fm::Roll> rolls = fm::generate(net, g, progress, &cancel);   // partial rolls (-1 left) on cancel
//
// Wider than the model's crop_length: windows of crop_length, each overlapping the previous by half and
// conditioned on everything already there. Known cells (prefix, outside the mask) come back bit-exact.
// Thread-safety: one call at a time per net.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/progress.h"
#include "core/roll.h"
#include "model/fractal_net.h"
#include "model/generate_params.h"

namespace fm {

// Throws fm::Error on bad parameters (width, mask outside the roll, no input for a conditional mode). Progress
// reports carry the window (and the number of windows) besides the level and step.
std::vector<Roll> generate(FractalNet& net, const GenerateParams& params, const ProgressFn& progress, const CancelFlag* cancel);

// The windows generate() takes for `width` steps, in order: the model's trained width each (whole patch columns),
// each overlapping the one before by half; one window when the roll fits.
struct GenerationWindow {
    int offset = 0, width = 0;
};
std::vector<GenerationWindow> generation_windows(int width, const ModelConfig& config);

}  // namespace fm
