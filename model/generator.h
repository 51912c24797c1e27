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

namespace fm {

enum class GenerateMode { unconditional, continuation, inpainting };
GenerateMode parse_generate_mode(const std::string& s);   // "unconditional" | "continuation" | "inpainting"

struct GenerateParams {
    int width = 128;                        // steps to generate (multiple of 4)
    int num_samples = 1;
    double temperature = 1.0;               // divides the occupancy and velocity logits
    std::array<int, 3> num_iter{8, 4, 2};   // MAR iterations at levels 0, 1, 2
    bool gate = true;                       // skip the deeper levels of patches drawn empty (see SampleOptions)
    uint64_t seed = 0;
    GenerateMode mode = GenerateMode::unconditional;
    Roll input;                             // continuation / inpainting: the source roll (cropped or padded to width)
    int condition_length = 0;               // continuation: steps of input kept as the prefix
    int mask_start = 0, mask_end = 0;       // inpainting: steps [start, end) regenerated
    int pitch_low = 0, pitch_high = 127;    // inpainting: pitches [low, high] regenerated
};

// Throws fm::Error on bad parameters (width, mask outside the roll, no input for a conditional mode).
std::vector<Roll> generate(FractalNet& net, const GenerateParams& params, const ProgressFn& progress, const CancelFlag* cancel);

// The canvas generate() starts from: known cells and -1 where cells are to be generated.
Roll initial_canvas(const GenerateParams& params);

}  // namespace fm
