// bar_plan.h — the per-bar plan: the fractal's coarsest level, above the 16x16 patches (LibTorch; model/ only).
//
//   auto plans = fm::bar_plans(classes, config);        // each bar's chroma and density, and what of it is known
//   prior->sample(plans, temperature, gen);              // draws the bars that are not wholly known, bar after bar
//   auto plan = fm::plan_canvas(plans, config, R, C);    // (B, R, C): per cell, in its bar's chroma or not, and the density
//
// A bar (16 steps) has a plan: its chroma — the set of pitch classes that sound in it (a 12-bit code, bit p for pitch
// class p = MIDI pitch % 12) — its rhythm (with config.rhythm: a 16-bit code, bit k when a note starts at step k of the
// bar) and its density, the number of notes that start in it, in kDensityClasses bins. The
// prior is a small causal transformer over bars: it draws each bar's chroma from the bars before it (an exact
// distribution over all 4,096 sets, scored by single pitch classes, pairs of them and the set itself), then the rhythm
// (two exact 256-way draws, the bar's first half, then its second given the first), then the density given both.
// Every level below sees, per token, which of its rows are in the bar's chroma, which of its columns start a note
// (so patches drawn in parallel agree on when notes start: without it each chose its onsets alone, and their onsets
// fell a step apart where the data's coincide), and the bar's density
// (a level-0 token spans 16 pitches, so it sees the whole chroma): so harmony and key are decided once per bar, for all the bar's patches at once, and drawn in time
// order across bars. The plan is a function of the roll, so its nats are part of the model's likelihood (training
// teacher-forces the data's plan; bits/cell counts them). A bar that is partly known (inpainting, a continuation's
// border) draws a plan that contains the pitch classes of its known notes. Thread-safety: as fractal_net.h.
#pragma once

#include <torch/torch.h>

#include "model/conditions.h"
#include "model/model_config.h"
#include "model/transformer.h"

namespace fm {

constexpr int64_t kStepsPerPlanBar = 16;   // one 4/4 bar of 1/16 steps
constexpr int64_t kChromaSets = 4096;      // 2^12 pitch-class sets
constexpr int64_t kDensityClasses = 10;    // notes starting in a bar: 0, 1-2, 3-4, 5-7, 8-11, 12-16, 17-23, 24-32, 33-45, 46+
constexpr int64_t kRhythmHalf = 256;       // onset patterns of half a bar (8 steps)

struct BarPlans {
    torch::Tensor chroma;          // (B, bars) long: the pitch-class set, 0..4095
    torch::Tensor density;         // (B, bars) long: 0..kDensityClasses-1
    torch::Tensor known;           // (B, bars) bool: every cell of the bar known (its plan is given, never drawn)
    torch::Tensor known_chroma;    // (B, bars) long: pitch classes of the bar's known sounding cells
    torch::Tensor known_density;   // (B, bars) long: the density class of its known onsets alone
    torch::Tensor rhythm;          // (B, bars) long: bit k when a note starts at step k of the bar, 0..65535
    torch::Tensor known_rhythm;    // (B, bars) long: the steps where a known note starts
    torch::Tensor silent_steps;    // (B, bars) long: the steps whose cells are all known and none starts a note
};

// What the prior is asked per sample (model/conditions.h as codes, 0: not asked), and the sets its chroma draws must
// keep to. Undefined tensors: nothing asked (a model without conditions, or training's own labels leave need/allow out).
struct PlanConditions {
    torch::Tensor key, style, tempo;   // (B) long: 1 + key_code, 1 + style, 1 + tempo_bin
    torch::Tensor chord, density;      // (B, bars) long: chord_code, 1 + density bin
    torch::Tensor need;                // (B, bars) long: pitch classes each bar's chroma must hold (an asked chord's tones)
    torch::Tensor allow;               // (B, bars) long: pitch classes it may hold (4095: any; a locked key's scale)
    torch::Tensor extra;               // (B, bars) long: how many pitch classes besides `need` it may hold (12: any)
    bool defined() const { return key.defined(); }
};
// The codes of `conditions` (one per sample; a single one serves every sample) for bars [first_bar, first_bar + bars).
PlanConditions plan_conditions(const std::vector<Conditions>& conditions, int64_t batch, int64_t first_bar, int64_t bars,
                               const torch::Device& device);

// The plans of a canvas of cell classes (B, R, C) (model/cell_coding.h; -1 unknown), whose roll is a whole number of bars.
BarPlans bar_plans(const torch::Tensor& classes, const ModelConfig& config);

// What the levels see of the plans, per cell (B, R, C) float: in + 2 * onset + 4 * density + kPlanStyleUnit * style,
// where `in` is 1 when the cell's pitch class is in its bar's chroma, `onset` 1 when its step is in the bar's rhythm
// (always 0 without config.rhythm), density its bar's density class and style the sample's asked style (B) long
// (PlanConditions::style: 0 not asked; undefined: none). plan_view() reads it back per token. Every value is a small
// integer, exact in float; the style rides on the plan canvas because that canvas already reaches every patch.
constexpr double kPlanStyleUnit = 40.0;   // above 1 + 2 + 4 * (kDensityClasses - 1)
torch::Tensor plan_canvas(const BarPlans& plans, const ModelConfig& config, int64_t rows, int64_t cols,
                          const torch::Tensor& style = {});

struct PlanView {
    torch::Tensor in;        // (N, T, s) float: each of the token's rows in its bar's chroma or not
    torch::Tensor onset;     // (N, T, s) float: each of the token's columns in its bar's rhythm or not
    torch::Tensor density;   // (N, T) long: the bar's density class
    torch::Tensor style;     // (N, T) long: the sample's asked style (0: not asked)
};
// Of plan-canvas tokens (N, T, s*s) of side s (a token never spans two bars).
PlanView plan_view(const torch::Tensor& plan_tokens, int64_t s);

class PlanPriorImpl : public torch::nn::Module {
public:
    // heads: width / 32 (at least 1); 3 blocks. With rhythm, it also draws each bar's rhythm (BarPlans::rhythm). With
    // conditions, each bar's input also gets the asked key, style and tempo and the bar's asked chord and density
    // (learned vectors, zero at first so a model without them starts the same: --init_from).
    PlanPriorImpl(int64_t width, bool rhythm = false, bool conditions = false);
    // (B) nats of every bar's plan, teacher-forced in time order, given `cond` (undefined: none asked).
    torch::Tensor nll(const BarPlans& plans, const PlanConditions& cond = {});
    // Draws chroma (a superset of the known pitch classes and cond.need, within cond.allow), rhythm (every known onset
    // step and none of the known silent ones) and density of every bar that is not known, in time order (logits
    // divided by temperature). guidance > 1 (with conditions asked): classifier-free guidance, the logits given the
    // conditions pushed away from those given none but the style (both from one batched pass), u + g * (c - u): the
    // key, chords, tempo and density are guided, the style is given as it is.
    void sample(BarPlans& plans, const PlanConditions& cond, double temperature, double guidance, torch::Generator& gen);
    void sample(BarPlans& plans, double temperature, torch::Generator& gen) { sample(plans, {}, temperature, 1.0, gen); }   // none asked
    void set_matmul_dtype(torch::ScalarType dtype) { transformer_->set_matmul_dtype(dtype); }

private:
    torch::Tensor hidden(const BarPlans& plans, const PlanConditions& cond);         // (B, bars, D): bar j from bars < j
    torch::Tensor condition_inputs(const PlanConditions& cond, int64_t bars);        // (B, bars, D) or undefined
    torch::Tensor chroma_logits(const torch::Tensor& h);                              // (..., 4096)
    torch::Tensor given_chroma(const torch::Tensor& h, const torch::Tensor& chroma);  // h and the bar's chroma
    // Logits (..., 256) of the rhythm's first half given u = given_chroma(), or of its second given the first.
    torch::Tensor rhythm_logits(const torch::Tensor& u, const torch::Tensor& first_half = {});
    // (..., kDensityClasses) given u = given_chroma() and (with rhythm) the bar's rhythm.
    torch::Tensor density_logits(const torch::Tensor& u, const torch::Tensor& rhythm);

    int64_t width_;
    torch::nn::Linear in_{nullptr}, chroma_out_{nullptr}, chroma_in_{nullptr}, density_out_{nullptr};
    // With rhythm: the bar's rhythm into the next bar's input and into the density; the first half into the second's
    // draw; the two halves' logits.
    torch::nn::Linear rhythm_in_{nullptr}, rhythm_density_{nullptr}, half_in_{nullptr}, first_out_{nullptr}, second_out_{nullptr};
    // With conditions: the asked key, style, tempo (one per sample), chord and density (per bar); row 0: not asked.
    torch::nn::Embedding key_in_{nullptr}, style_in_{nullptr}, tempo_in_{nullptr}, chord_in_{nullptr}, density_in_{nullptr};
    torch::Tensor start_, set_bias_, basis_, set_sizes_;   // set_sizes_ (4096): pitch classes in each set   // basis_ (12 + 66, 4096): each set's single and pair indicators
    Transformer transformer_{nullptr};
};
TORCH_MODULE(PlanPrior);

}  // namespace fm
