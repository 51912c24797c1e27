// cell_coding.h — roll values <-> the classes the net predicts per cell (LibTorch; model/ only).
//
//   auto classes = fm::encode_cells(canvas, config);          // (B, R, C): -1 unknown, 0 silence, 1.. a note class
//   auto values  = fm::decode_cells(classes, canvas, config); // known cells of `canvas` bit-exact, the rest decoded
//
// Velocity coding: class k = velocity k (round(value * 127)). Note coding: 0 silence, 1 hold, 1 + k onset at velocity
// k. A cell holds when it sounds with exactly its left neighbour's value; so every roll the importer makes (a note ends
// where the value changes) round-trips exactly. Neighbours are neighbours in time: in the folded layout the left
// neighbour of a lower-half cell in column 0 is the upper-half cell at the end of that pitch's row. A canvas's first
// step has no left neighbour: a note sounding there is an onset, as in every training crop.
//
// Decoding a generated hold copies the value its note started with. Patches are drawn in parallel, so a net can draw a
// hold whose left neighbour then comes out silent: such a hold starts a note. Its velocity was drawn with it: the
// sampler draws every hold together with a fallback onset from the same cell's distribution over onsets, and stores it
// in the hold's class as kHoldClass + onset / kFallbackScale (the integer part stays the class the net reads). The
// live view shows a hold whose note is not drawn yet at that fallback velocity too; a hold without one (a test's
// canvas) shows kPendingVelocity. A generated onset with the same value as the note it follows is nudged by 1/127,
// as the importer does, so that the strike stays visible. Thread-safety: pure functions.
#pragma once

#include <torch/torch.h>

#include "model/model_config.h"

namespace fm {

constexpr int64_t kHoldClass = 1;           // note coding
constexpr int kPendingVelocity = 80;        // a hold with nothing to hold and no fallback drawn with it
constexpr double kFallbackScale = 256;      // a generated hold's class: kHoldClass + fallback onset class / this

// Generated holds (where `is_hold`) with their fallback onset classes (>= 2) stored in the fraction.
torch::Tensor holds_with_fallback(const torch::Tensor& classes, const torch::Tensor& is_hold, const torch::Tensor& onset);

int64_t note_classes(const ModelConfig& config);   // classes the head draws from: 128 (velocity) or 129 (notes)

// (B, R, C) canvas -> (B, 128, W) in time order (the folded layout's lower half continues the upper), and back.
torch::Tensor time_major(const torch::Tensor& x, const ModelConfig& config);
torch::Tensor canvas_major(const torch::Tensor& x, const ModelConfig& config);

torch::Tensor encode_cells(const torch::Tensor& canvas, const ModelConfig& config);
torch::Tensor decode_cells(const torch::Tensor& classes, const torch::Tensor& canvas, const ModelConfig& config);

}  // namespace fm
