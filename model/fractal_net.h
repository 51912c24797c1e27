// fractal_net.h — the fractal generative model as LibTorch modules (model/ only; torch stays behind the facade).
//
//   fm::FractalNet net(config);
//   auto [nll, cells] = net->loss({canvas, cond}, gen);    // training: canvas (B, R, C) in [0, 1], conditions asked
//   auto out = net->sample({canvas_with_unknowns, cond}, opt, gen, report, cancel);   // -1 cells are generated
//
// Letters: B batch, N patches at a level, R x C canvas rows x columns, P x Q a level's patch, s token side,
// T tokens (gr x gc grid), D width. Level l tokens are kPatchSizes[l]-sided squares of its patch; level 3 is the
// velocity head over single cells. Thread-safety: one thread uses a net at a time (eval-mode sampling may share
// a net between threads only if each uses its own generator; weights are read-only then).
#pragma once

#include <torch/torch.h>

#include <array>
#include <functional>

#include "core/progress.h"
#include "model/bar_plan.h"
#include "model/model_config.h"
#include "model/transformer.h"

namespace fm {

// Where a sampling call spent its time (filled when SampleOptions::stats is set; adds up over calls).
struct SampleStats {
    double seconds[4] = {};   // per level, excluding the deeper levels it called (3: the velocity head)
    double flops[4] = {};     // floating-point operations of the level's matmuls, counted from their shapes
    int64_t patches[4] = {};  // patches (levels 0-2: of the level's input; 3: cells) the level was run on
};

struct SampleOptions {
    std::array<int, 3> num_iter{8, 2, 4};   // MAR iterations at levels 0, 1, 2 (GenerateParams' default)
    double temperature = 1.0;               // divides the occupancy and velocity logits
    double plan_temperature = 1.0;          // divides the bar plan's logits (not `temperature`: the two are set apart)
    double velocity_temperature = 1.0;      // further divides the cell head's logits (below 1: with note cells, holds
                                            // win more often over onsets, so notes are longer; velocities narrower)
    // Empty-patch gating: each level draws whether a patch holds any note and skips the deeper levels of empty ones.
    // Off: every patch goes down to the cells (slower, for comparison; the net is trained to serve both).
    bool gate = true;
    // With gating, a patch the level above drew occupied gets at least one note: if its final draws leave it silent,
    // one of its tokens is, drawn by its odds (the data never has an occupied patch without a note). Off (the
    // default): the draws alone, as nll() scores them. On, samples get ~60 % more notes but shorter ones
    // (docs/EVALUATION.md): an option, not the default.
    bool keep_occupied = false;
    // With a bar plan, the levels never draw what the plan rules out: a sounding cell in a pitch class outside its bar's
    // chroma, or (config.rhythm, note cells) a note starting on a step outside its bar's rhythm. The data never has
    // either (its plan is read off it), so the same rules in nll() keep the likelihood exact and lower. Off: the
    // levels' own odds, as before the rules (for comparison).
    bool plan_rules = true;
    double guidance = 1.0;                  // classifier-free guidance of the bar plan by the conditions (1: off)
    SampleStats* stats = nullptr;           // optional: time and work per level
    BarPlans* plans = nullptr;              // optional: the bar plans the sample drew (models with a plan)
};

// What the model is given: a canvas (B, R, C) of cell values (-1: to generate; training and likelihood: none), and
// what is asked of its bar plans (model/bar_plan.h; undefined: nothing). Every entry point takes this one type.
struct NetInput {
    torch::Tensor canvas;
    PlanConditions cond;
    NetInput(torch::Tensor c, PlanConditions k = {}) : canvas(std::move(c)), cond(std::move(k)) {}   // NOLINT: a canvas alone is an input
};

// (level, step, of, canvas (B, R, C) as it stands now) — called between steps.
using NetReport = std::function<void(int level, int step, int of, const torch::Tensor& canvas)>;

class LevelImpl : public torch::nn::Module {
public:
    LevelImpl(const ModelConfig& config, int level, int64_t cond_width);
    // tokens (N, T, s*s) of cell values (-1 unknown) -> (N, T, D): each cell's class (silence, velocity k or
    // unknown) has a learned vector, so a later level can copy a velocity exactly rather than decode it from a scalar.
    torch::Tensor embed(const torch::Tensor& tokens);
    // Occupancy logit per token (N, T): does the token's patch hold any note? Deeper levels run only where it does.
    torch::Tensor occupancy(const torch::Tensor& z) { return occupancy_->forward(z).squeeze(-1).to(torch::kFloat32); }
    // What each token gets added besides its cells (N, T, D), or undefined when the config has none of it: the
    // pitch-class and octave vectors of its lowest pitch, from its canvas row (N, T), and, with a bar plan, which of its
    // rows are in the bar's chroma, which of its columns start a note (config.rhythm) and the bar's density, from its
    // plan-canvas cells plan_tokens (N, T, s*s) (undefined
    // without a plan; model/bar_plan.h), and with config.level_style the asked style's vector (none when not asked).
    // A level call computes it once and passes it to every encode below.
    // With config.gate_flag, tokens of patches in an ungated walk (ungated (N) bool; undefined: none) also get a learned
    // vector: a gated patch is one the level above drew occupied, so it holds a note; an ungated one may be silent.
    torch::Tensor token_bias(const torch::Tensor& token_rows, const torch::Tensor& plan_tokens, const torch::Tensor& ungated = {});
    // What every MAR pass of one level call adds to its tokens, made once per call (the passes differ only in their
    // tokens): the buffer (N, 5, D) from cond (N, 5, Dc) or the learned unconditional rows, and each token's input bias
    // (N or 1, T, D): its 2-D position, its patch's own condition and token_bias() (pitch; undefined: none).
    struct Context { torch::Tensor buffer, bias; };
    Context context(const torch::Tensor& cond, int64_t n, int64_t gr, int64_t gc, const torch::Tensor& pitch);
    // tokens (N, T, s*s) of cell classes (-1 unknown); masked (N, T) bool: replaced by the mask token.
    torch::Tensor encode(const torch::Tensor& tokens, const torch::Tensor& masked, const Context& context);
    // AR, teacher forcing: z for every token from the tokens before it in `order` (T). Returns (N, T, D), grid order.
    torch::Tensor encode_causal(const torch::Tensor& tokens, const torch::Tensor& cond, int64_t gr, int64_t gc, const torch::Tensor& order,
                                const torch::Tensor& pitch);
    // AR sampling: buffer + first query; then one token at a time. Each returns z (N, 1, D) for the next position.
    torch::Tensor start(const torch::Tensor& cond, int64_t n, int64_t gr, int64_t gc, int64_t first_pos, const torch::Tensor& pitch, KVCache& cache);
    torch::Tensor step(const torch::Tensor& token, int64_t next_pos, int64_t gr, int64_t gc, const torch::Tensor& pitch, KVCache& cache);

    void set_matmul_dtype(torch::ScalarType dtype);   // see FractalNetImpl::set_matmul_dtype
    bool is_ar() const { return ar_; }
    int64_t width() const { return width_; }

private:
    torch::Tensor buffer(const torch::Tensor& cond, int64_t n);   // (N, 5, D)
    torch::Tensor pos(int64_t gr, int64_t gc, const torch::Device& device);   // (T, D), made once per grid and device

    int level_;
    bool ar_;
    int64_t width_, token_cells_, unknown_class_;
    torch::nn::Embedding cell_embed_{nullptr}, pitch_class_embed_{nullptr}, octave_embed_{nullptr}, density_embed_{nullptr};
    torch::nn::Embedding style_embed_{nullptr};   // config.level_style: row 0 (no style asked) stays zero
    torch::nn::Embedding track_embed_{nullptr};   // several tracks: a vector per track (its rows on the canvas)
    int64_t pitch_low_ = 0, pitch_rows_ = 128;    // a canvas row's pitch: pitch_low_ + row % pitch_rows_ (model_config.h)
    int64_t grid_track_rows_ = 0, grid_row_offset_ = 0;   // level 0, long layout: grid rows per track, and the first's place
    torch::nn::Linear embed_{nullptr}, cond_proj_{nullptr}, occupancy_{nullptr}, plan_rows_{nullptr}, plan_cols_{nullptr};
    torch::Tensor mask_token_, start_token_, buffer_pos_, uncond_, ungated_;
    Transformer transformer_{nullptr};
    struct Positions { int64_t gr = -1, gc = -1; torch::Tensor table; };
    Positions pos_cache_;   // the last grid's positions: sampling asks for one grid hundreds of times
};
TORCH_MODULE(Level);

class VelocityHeadImpl : public torch::nn::Module {
public:
    VelocityHeadImpl(int64_t cond_width, int64_t width, int64_t depth, int64_t classes);
    torch::Tensor forward(const torch::Tensor& cond);   // (N, 5, Dc) -> logits (N, classes): see model/cell_coding.h
    void set_matmul_dtype(torch::ScalarType dtype);

private:
    torch::nn::Linear in_{nullptr}, out_{nullptr};
    std::vector<torch::nn::Sequential> blocks_;
    torch::nn::LayerNorm norm_{nullptr};
};
TORCH_MODULE(VelocityHead);

class FractalNetImpl : public torch::nn::Module {
public:
    explicit FractalNetImpl(const ModelConfig& config);

    // Training loss: summed cross-entropy (nats) of what the recursion predicts — the bar plans (with a plan), each
    // chosen token's occupancy, and the insides of the occupied ones (and a weighted sample of empty ones) down to each
    // cell's class — and the (weighted) number of cells it covers.
    // crop_keys (B, int64): each crop's key for its masks (model/draws.h keyed_uniform); undefined: drawn from gen.
    std::pair<torch::Tensor, torch::Tensor> loss(const NetInput& in, torch::Generator& gen, const torch::Tensor& crop_keys = {});
    // Nats of each canvas's bar plans (B) (model/bar_plan.h), teacher-forced; zeros without a plan. The trainer adds it
    // for more crops than the full loss sees: the plan prior is small and learns from many bars per step at little cost.
    torch::Tensor plan_nll(const NetInput& in);
    // Negative log-likelihood (nats) of every cell of each canvas (B), following the sampling schedule with a
    // random order at MAR levels (an exact likelihood of that order), teacher-forced; with a plan, the plan's nats too.
    torch::Tensor nll(const NetInput& in, const SampleOptions& opt, torch::Generator& gen);
    // Fills the -1 cells of canvas (B, R, C); known cells stay bit-exact. Cancel: returns with -1 cells left.
    torch::Tensor sample(const NetInput& in, const SampleOptions& opt, torch::Generator& gen, const NetReport& report,
                         const CancelFlag* cancel);

    // Inference in bf16: the weights of every matmul but the logits' converted once (kBFloat16) or back (kFloat32);
    // activations, LayerNorm, softmax and the draws stay fp32 (fm::linear casts at each matmul). Not for training,
    // which keeps fp32 weights under fm::Autocast. apply_precision() in model/mixed_precision.h picks the format.
    void set_matmul_dtype(torch::ScalarType dtype);
    const ModelConfig& config() const { return config_; }

private:
    struct Walk;   // per-call state of a sampling walk
    struct Pass;   // one level's view of its patches: tokens, rows, plan, input bias, ruled tokens (all three walks)
    struct Down;   // what chosen tokens hand to the level below
    Pass pass(int l, const torch::Tensor& patches, const torch::Tensor& rows, const torch::Tensor& plan, const torch::Tensor& ungated,
              bool rules);
    Down down(int l, const Pass& p, const torch::Tensor& tokens, const torch::Tensor& z, const torch::Tensor& go);
    // weight (N): each patch's loss weight; ungated (N): an empty patch kept for training, all of whose tokens go down.
    // patches hold cell classes (model/cell_coding.h); rows (N): each patch's first canvas row; plan (N, P, Q): the
    // patches' plan-canvas cells (model/bar_plan.h), undefined without a plan.
    torch::Tensor loss_level(int l, const torch::Tensor& patches, const torch::Tensor& cond, const torch::Tensor& rows, const torch::Tensor& plan,
                             const torch::Tensor& weight, const torch::Tensor& ungated, const torch::Tensor& keys, torch::Tensor& count);
    torch::Tensor nll_level(int l, const torch::Tensor& patches, const torch::Tensor& cond, const torch::Tensor& rows, const torch::Tensor& plan,
                            const SampleOptions& opt,
                            torch::Generator& gen);
    torch::Tensor sample_level(int l, torch::Tensor patches, const torch::Tensor& cond, const torch::Tensor& rows, const torch::Tensor& plan,
                               const torch::Tensor& origin,
                               Walk& walk);
    torch::Tensor child_conditions(int l, const torch::Tensor& z, int64_t gr, int64_t gc);
    torch::Tensor scan_order(int64_t gr, int64_t gc, const torch::Device& device) const;

    ModelConfig config_;
    std::vector<Level> levels_;
    VelocityHead head_{nullptr};
    PlanPrior plan_{nullptr};   // with config.plan
    PlanPrior plan_free_{nullptr};   // with config.free_plan: the prior of inputs that ask for nothing
    PlanPrior& prior(const PlanConditions& cond) { return cond.defined() || !plan_free_ ? plan_ : plan_free_; }
    // The style the levels are given (config.level_style; undefined: none asked, or levels without the table).
    torch::Tensor level_style(const PlanConditions& cond) const { return config_.level_style ? cond.style : torch::Tensor(); }
};
TORCH_MODULE(FractalNet);

// A net of `config` with fresh weights drawn from `seed`: the same weights for the same seed, whatever else the
// program has drawn. Torch's default generator, which module initialisation uses, is left as it was (a studio that
// makes random weights while a run trains must not change that run). Thread-safety: any thread.
FractalNet seeded_net(const ModelConfig& config, uint64_t seed);

// Sets the levels' vectors of `style` (config.level_style) to zero, so that style reaches the levels only through the plan
// its prior draws, as it did before the levels had the table (docs/CONTROL.md: the chorales). Returns false when the net
// has no such table. Thread-safety: not while the net is used.
bool drop_level_style(FractalNet& net, Style style);

// (N, P, Q) -> (N, T, s*s) and back.
torch::Tensor patchify(const torch::Tensor& x, int64_t s);
torch::Tensor unpatchify(const torch::Tensor& tokens, int64_t s, int64_t gr, int64_t gc);

}  // namespace fm
