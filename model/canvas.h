// canvas.h — rolls <-> the model's canvas tensor, and the --device flag (model/ only).
//
//   auto x = fm::rolls_to_canvas(rolls, net->config(), device, 0.0f);   // (B, R, C)
//   fm::Roll r = fm::canvas_to_roll(x[0], net->config());               // (R, C) -> 128 x W
//
// Thread-safety: free functions over values.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/roll.h"
#include "model/threads.h"
#include "model/model_config.h"

namespace fm {

// "cpu", "cuda" (fm::Error when none is available) or "auto" (CUDA when available).
torch::Device resolve_device(const std::string& name);

// Columns per level-0 patch column of the canvas: 16, or 32 steps when folded (two halves of 16).
int canvas_unit(const ModelConfig& config);

// Rolls (tracks x 128 rows by W each, one W) -> (B, R, C): padded with `fill` to a whole number of units, each track's
// rows from pitch_low (model_config.h: pitch_rows of them; above pitch_high silent, outside the range left out),
// folded per the layout. fm::Error when a roll has not the model's tracks.
torch::Tensor rolls_to_canvas(const std::vector<Roll>& rolls, const ModelConfig& config, const torch::Device& device, float fill);

// One canvas (R, C) -> a roll of tracks x 128 rows (unfolded per the layout; pitches outside the range silent;
// padding columns are not removed).
Roll canvas_to_roll(const torch::Tensor& canvas, const ModelConfig& config);

}  // namespace fm
