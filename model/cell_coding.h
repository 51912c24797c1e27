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
// Decoding a generated hold copies the value its note started with. A hold with no note to continue (silence or the
// canvas start to its left, which a trained net rarely draws) and a hold whose note is not drawn yet (the live view)
// show kPendingVelocity. A generated onset with the same value as the note it follows is nudged by 1/127, as the
// importer does, so that the strike stays visible. Thread-safety: pure functions.
#pragma once

#include <torch/torch.h>

#include "model/model_config.h"

namespace fm {

constexpr int64_t kHoldClass = 1;           // note coding
constexpr int kPendingVelocity = 80;        // shown for a hold whose note is not known

int64_t note_classes(const ModelConfig& config);   // classes the head draws from: 128 (velocity) or 129 (notes)

torch::Tensor encode_cells(const torch::Tensor& canvas, const ModelConfig& config);
torch::Tensor decode_cells(const torch::Tensor& classes, const torch::Tensor& canvas, const ModelConfig& config);

}  // namespace fm
