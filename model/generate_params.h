// generate_params.h — what to generate, without torch (the studio and the CLI fill these in).
//
//   fm::GenerateParams g;  g.width = 256;  g.mode = fm::GenerateMode::continuation;  g.input = roll;  g.condition_length = 64;
//   fm::Roll start = fm::initial_canvas(g);   // known cells, and -1 where the model will write
//
// Thread-safety: plain values.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/roll.h"

namespace fm {

enum class GenerateMode { unconditional, continuation, inpainting };
GenerateMode parse_generate_mode(const std::string& s);   // "unconditional" | "continuation" | "inpainting"

struct GenerateParams {
    int width = 128;                        // steps to generate (multiple of 4)
    int num_samples = 1;
    double temperature = 1.0;               // divides the occupancy and velocity logits
    double velocity_temperature = 0.5;      // further divides the velocity logits (see SampleOptions); 0.5 measured
                                            // on POP909: notes of >= 2 steps 14 % -> 26 % of notes (data: 60 %)
    std::array<int, 3> num_iter{8, 4, 2};   // MAR iterations at levels 0, 1, 2
    bool gate = true;                       // skip the deeper levels of patches drawn empty (see SampleOptions)
    uint64_t seed = 0;
    GenerateMode mode = GenerateMode::unconditional;
    Roll input;                             // continuation / inpainting: the source roll (cropped or padded to width)
    int condition_length = 0;               // continuation: steps of input kept as the prefix
    int mask_start = 0, mask_end = 0;       // inpainting: steps [start, end) regenerated
    int pitch_low = 0, pitch_high = 127;    // inpainting: pitches [low, high] regenerated
    std::vector<uint8_t> cell_mask;         // inpainting: 128 x width, 1 = regenerate; replaces the rectangle when set
};

// The canvas generate() starts from: known cells and -1 where cells are to be generated.
Roll initial_canvas(const GenerateParams& params);

}  // namespace fm
