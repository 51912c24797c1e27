// bar_plan.h — the per-bar plan: the fractal's coarsest level, above the 16x16 patches (LibTorch; model/ only).
//
//   auto plans = fm::bar_plans(classes, config);        // each bar's chroma and density, and what of it is known
//   prior->sample(plans, temperature, gen);              // draws the bars that are not wholly known, bar after bar
//   auto plan = fm::plan_canvas(plans, config, R, C);    // (B, R, C): per cell, in its bar's chroma or not, and the density
//
// A bar (16 steps) has a plan: its chroma — the set of pitch classes that sound in it (a 12-bit code, bit p for pitch
// class p = MIDI pitch % 12) — and its density, the number of notes that start in it, in kDensityClasses bins. The
// prior is a small causal transformer over bars: it draws each bar's chroma from the bars before it (an exact
// distribution over all 4,096 sets, scored by single pitch classes, pairs of them and the set itself), then the density
// given that chroma. Every level below sees, per token, which of its rows are in the bar's chroma and the bar's density
// (a level-0 token spans 16 pitches, so it sees the whole chroma): so harmony and key are decided once per bar, for all the bar's patches at once, and drawn in time
// order across bars. The plan is a function of the roll, so its nats are part of the model's likelihood (training
// teacher-forces the data's plan; bits/cell counts them). A bar that is partly known (inpainting, a continuation's
// border) draws a plan that contains the pitch classes of its known notes. Thread-safety: as fractal_net.h.
#pragma once

#include <torch/torch.h>

#include "model/model_config.h"
#include "model/transformer.h"

namespace fm {

constexpr int64_t kStepsPerPlanBar = 16;   // one 4/4 bar of 1/16 steps
constexpr int64_t kChromaSets = 4096;      // 2^12 pitch-class sets
constexpr int64_t kDensityClasses = 10;    // notes starting in a bar: 0, 1-2, 3-4, 5-7, 8-11, 12-16, 17-23, 24-32, 33-45, 46+

struct BarPlans {
    torch::Tensor chroma;          // (B, bars) long: the pitch-class set, 0..4095
    torch::Tensor density;         // (B, bars) long: 0..kDensityClasses-1
    torch::Tensor known;           // (B, bars) bool: every cell of the bar known (its plan is given, never drawn)
    torch::Tensor known_chroma;    // (B, bars) long: pitch classes of the bar's known sounding cells
    torch::Tensor known_density;   // (B, bars) long: the density class of its known onsets alone
};

// The plans of a canvas of cell classes (B, R, C) (model/cell_coding.h; -1 unknown), whose roll is a whole number of bars.
BarPlans bar_plans(const torch::Tensor& classes, const ModelConfig& config);

// What the levels see of the plans, per cell (B, R, C) float: in + 2 * density, where `in` is 1 when the cell's pitch
// class is in its bar's chroma, and density its bar's density class. plan_rows() reads it back per token.
torch::Tensor plan_canvas(const BarPlans& plans, const ModelConfig& config, int64_t rows, int64_t cols);

// Of plan-canvas tokens (N, T, s*s): for each of a token's s rows whether it is in the chroma (N, T, s) float, and the
// token's density class (N, T) long.
std::pair<torch::Tensor, torch::Tensor> plan_rows(const torch::Tensor& plan_tokens, int64_t s);

class PlanPriorImpl : public torch::nn::Module {
public:
    explicit PlanPriorImpl(int64_t width);   // heads: width / 32 (at least 1); 3 blocks
    torch::Tensor nll(const BarPlans& plans);   // (B) nats of every bar's plan, teacher-forced in time order
    // Draws chroma and density of every bar that is not known, in time order (logits divided by temperature).
    void sample(BarPlans& plans, double temperature, torch::Generator& gen);
    void set_matmul_dtype(torch::ScalarType dtype) { transformer_->set_matmul_dtype(dtype); }

private:
    torch::Tensor hidden(const torch::Tensor& chroma, const torch::Tensor& density);   // (B, bars, D): bar j from bars < j
    torch::Tensor chroma_logits(const torch::Tensor& h);                              // (..., 4096)
    torch::Tensor density_logits(const torch::Tensor& h, const torch::Tensor& chroma); // (..., kDensityClasses)

    int64_t width_;
    torch::nn::Linear in_{nullptr}, chroma_out_{nullptr}, chroma_in_{nullptr}, density_out_{nullptr};
    torch::Tensor start_, set_bias_, basis_;   // basis_ (12 + 66, 4096): each set's single and pair indicators
    Transformer transformer_{nullptr};
};
TORCH_MODULE(PlanPrior);

}  // namespace fm
