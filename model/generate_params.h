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
#include "model/conditions.h"

namespace fm {

enum class GenerateMode { unconditional, continuation, inpainting };
GenerateMode parse_generate_mode(const std::string& s);   // "unconditional" | "continuation" | "inpainting"

struct GenerateParams {
    int width = 128;                        // steps to generate (multiple of 4)
    int num_samples = 1;
    double temperature = 1.0;               // divides the occupancy and velocity logits
    double plan_temperature = 1.0;          // divides the bar plan's logits (models with a plan): harmony and density alone
    double velocity_temperature = 0.7;      // further divides the cell head's logits (see SampleOptions); with note
                                            // cells 0.7 balances note lengths against velocity variety (measured on
                                            // training songs, docs/EVALUATION.md)
    // MAR iterations at levels 0, 1, 2. Fewer at the 4x4 level and more at the cells than the original's 8,4,2: cells
    // drawn in fewer parallel groups agree more (a hold meets its onset), at the same cost (docs/EVALUATION.md).
    std::array<int, 3> num_iter{8, 2, 4};
    bool gate = true;                       // skip the deeper levels of patches drawn empty (see SampleOptions)
    bool keep_occupied = false;             // a patch drawn occupied gets at least one note (see SampleOptions)
    bool plan_rules = true;                 // never draw what the bar plan rules out (see SampleOptions)
    uint64_t seed = 0;
    GenerateMode mode = GenerateMode::unconditional;
    Roll input;                             // continuation / inpainting: the source roll (cropped or padded to width)
    int condition_length = 0;               // continuation: steps of input kept as the prefix
    int mask_start = 0, mask_end = 0;       // inpainting: steps [start, end) regenerated
    int pitch_low = 0, pitch_high = 127;    // inpainting: pitches [low, high] regenerated (in every track)
    std::vector<uint8_t> cell_mask;         // inpainting: rows x width (tracks x 128), 1 = regenerate; replaces the rectangle
    Conditions conditions;                  // key, chords, tempo, density, style asked (models with conditions; else ignored)
    // Classifier-free guidance by the conditions (1: off; 2: twice as far from none; no effect when none are asked).
    // 2: with the lock, the asked key and chords are then followed in >= 90 % of samples and bars (docs/CONTROL.md).
    double guidance = 2.0;
};

// Some tracks of a multi-track model (rolls of `tracks` x 128 rows) written, the others kept from `input`: turns
// `params` into an inpainting of what its mode regenerates (initial_canvas: everything when unconditional, the steps
// after the prefix, the rectangle or the mask) in the tracks `written` alone. `input` must be set (tracks x 128 by
// width) unless the mode is unconditional. fm::Error: what initial_canvas refuses, or no such track.
void write_tracks(GenerateParams& params, int tracks, const std::vector<int>& written);

// The canvas generate() starts from: known cells and -1 where cells are to be generated; `rows`: the model's rolls'
// (tracks x 128; model_config.h roll_rows). The input must have as many rows.
Roll initial_canvas(const GenerateParams& params, int rows = kPitches);

}  // namespace fm
