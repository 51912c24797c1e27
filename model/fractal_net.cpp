#include "fractal_net.h"

#include "model/bar_plan.h"
#include "model/cell_coding.h"
#include "model/conditions.h"
#include "core/error.h"
#include "model/draws.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>

namespace fm {

namespace F = torch::nn::functional;
using torch::indexing::Slice;

constexpr int64_t kConds = 5;                          // own, up, down, left, right
constexpr int64_t kPitchClasses = 12, kOctaves = 11;   // MIDI pitches 0..127
constexpr int64_t kCellEmbed[3] = {4, 16, 32};         // per-cell vector width at levels 0, 1, 2

torch::Tensor patchify(const torch::Tensor& x, int64_t s) {
    const int64_t n = x.size(0), p = x.size(1), q = x.size(2), gr = p / s, gc = q / s;
    return x.view({n, gr, s, gc, s}).permute({0, 1, 3, 2, 4}).reshape({n, gr * gc, s * s});   // (N, T, s*s)
}

torch::Tensor unpatchify(const torch::Tensor& tokens, int64_t s, int64_t gr, int64_t gc) {
    const int64_t n = tokens.size(0);
    return tokens.view({n, gr, gc, s, s}).permute({0, 1, 3, 2, 4}).reshape({n, gr * s, gc * s});   // (N, P, Q)
}

namespace {
// The canvas row of each token's first row: patches starting at rows (N), cut into s-sided tokens on a grid gc wide.
torch::Tensor token_rows(const torch::Tensor& rows, int64_t t, int64_t gc, int64_t s) {
    const auto tpos = torch::arange(t, rows.options());
    return rows.unsqueeze(1) + (torch::div(tpos, gc, "floor") * s).unsqueeze(0);   // (N, T)
}

// A likelihood or sampling walk is ungated for every patch when gating is off (N patches like `patches`); undefined
// (none) when it is on. See LevelImpl::token_bias.
torch::Tensor ungated_walk(const SampleOptions& opt, const torch::Tensor& patches) {
    return opt.gate ? torch::Tensor() : torch::ones({patches.size(0)}, patches.options().dtype(torch::kBool));
}

// The plan-canvas cells (M, s, s) of the chosen tokens (N, T) of plan tokens (N, T, s*s); undefined without a plan.
torch::Tensor child_plan(const torch::Tensor& plan_tokens, const torch::Tensor& chosen, int64_t s) {
    return plan_tokens.defined() ? plan_tokens.index({chosen}).view({-1, s, s}) : torch::Tensor();
}

// The plan's rules (SampleOptions::plan_rules). Tokens (N, T) that cannot hold a note: none of their rows is in the bar's
// chroma. Undefined when the rules are off or there is no plan.
torch::Tensor ruled_silent(const torch::Tensor& plan_tokens, int64_t s, bool rules) {
    if (!rules || !plan_tokens.defined()) return {};
    return (plan_view(plan_tokens, s).in > 0.5).any(-1).logical_not();
}

// Head logits (N, K) with the classes the plan rules out at each cell (plan (N, 1, 1) plan-canvas cells) at -inf:
// every sounding class outside the chroma; with rhythm and note cells, every onset off the rhythm's steps. A row with
// nothing left (gated: silence is ruled out too) keeps its logits (never so for the data; a known cell, whose draw is
// discarded, may be).
torch::Tensor ruled_logits(const torch::Tensor& logits, const torch::Tensor& plan, const ModelConfig& config, bool rules, bool gated) {
    if (!rules || !plan.defined()) return logits;
    const PlanView v = plan_view(plan.view({-1, 1, 1}), 1);
    const auto in = v.in.view({-1, 1}) > 0.5, on_rhythm = v.onset.view({-1, 1}) > 0.5;   // (N, 1)
    const auto cls = torch::arange(logits.size(1), torch::TensorOptions().dtype(torch::kLong).device(logits.device())).unsqueeze(0);
    auto forbid = (cls > 0) & in.logical_not();
    if (config.rhythm && config.cells == CellCoding::notes) forbid = forbid | ((cls > kHoldClass) & on_rhythm.logical_not());
    auto allowed = forbid.logical_not() & (logits > -std::numeric_limits<float>::infinity());
    if (gated) allowed = allowed & (cls > 0);   // head_log_probs then rules out silence
    const auto left = allowed.any(1, /*keepdim=*/true);
    return logits.masked_fill(forbid & left, -std::numeric_limits<float>::infinity());
}
}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// Level

LevelImpl::LevelImpl(const ModelConfig& config, int level, int64_t cond_width)
    : level_(level), ar_(config.levels[level].type == GeneratorType::ar) {
    const LevelConfig& c = config.levels[level];
    width_ = c.width;
    const int64_t s = kPatchSizes[level];
    token_cells_ = s * s;
    unknown_class_ = note_classes(config);   // the embedding's extra class: a cell still to be drawn
    cell_embed_ = register_module("cell_embed", torch::nn::Embedding(unknown_class_ + 1, kCellEmbed[level]));
    pitch_low_ = canvas_low(config), pitch_rows_ = config.layout == CanvasLayout::folded ? 128 : pitch_rows(config);
    // Level 0 on the long layout: grid rows counted from the 128-pitch canvas's top, restarting in each track (the
    // geometry a one-track, 128-pitch model learnt). The identity for such a model; the folded layout keeps its own.
    if (level == 0 && config.layout == CanvasLayout::long_roll)
        grid_track_rows_ = pitch_rows_ / kPatchSizes[0], grid_row_offset_ = pitch_low_ / kPatchSizes[0];
    if (track_count(config) > 1) {
        track_embed_ = register_module("track_embed", torch::nn::Embedding(track_count(config), width_));
        torch::NoGradGuard no_grad;
        track_embed_->weight.normal_(0, 0.02);
    }
    if (config.pitch_positions) {
        pitch_class_embed_ = register_module("pitch_class_embed", torch::nn::Embedding(kPitchClasses, width_));
        octave_embed_ = register_module("octave_embed", torch::nn::Embedding(kOctaves, width_));
        torch::NoGradGuard no_grad;   // start as small as the other learned position vectors
        pitch_class_embed_->weight.normal_(0, 0.02);
        octave_embed_->weight.normal_(0, 0.02);
    }
    if (config.plan) {   // which of the token's s rows are in its bar's chroma, and the bar's density
        plan_rows_ = register_module("plan_rows", torch::nn::Linear(torch::nn::LinearOptions(s, width_).bias(false)));
        density_embed_ = register_module("density_embed", torch::nn::Embedding(kDensityClasses, width_));
        torch::NoGradGuard no_grad;
        plan_rows_->weight.normal_(0, 0.02);
        density_embed_->weight.normal_(0, 0.02);
        if (config.rhythm) {   // which of the token's s columns start a note in the bar (zero at first: --init_from)
            plan_cols_ = register_module("plan_cols", torch::nn::Linear(torch::nn::LinearOptions(s, width_).bias(false)));
            plan_cols_->weight.zero_();
        }
    }
    if (config.plan && config.conditions && config.level_style) {   // zero: a model given the table starts as it was
        style_embed_ = register_module("style_embed",
                                       torch::nn::Embedding(torch::nn::EmbeddingOptions(1 + kStyles, width_).padding_idx(0)));
        torch::NoGradGuard no_grad;
        style_embed_->weight.zero_();
    }
    if (config.gate_flag && level > 0) ungated_ = register_parameter("ungated", torch::zeros({width_}));
    embed_ = register_module("embed", torch::nn::Linear(token_cells_ * kCellEmbed[level], width_));
    occupancy_ = register_module("occupancy", torch::nn::Linear(width_, 1));
    if (cond_width > 0) cond_proj_ = register_module("cond_proj", torch::nn::Linear(cond_width, width_));
    else uncond_ = register_parameter("uncond", torch::randn({kConds, width_}) * 0.02);
    mask_token_ = register_parameter("mask_token", torch::randn({width_}) * 0.02);
    start_token_ = register_parameter("start_token", torch::randn({width_}) * 0.02);
    buffer_pos_ = register_parameter("buffer_pos", torch::randn({kConds, width_}) * 0.02);
    transformer_ = register_module("transformer",
                                   Transformer(TransformerOptions(width_, c.heads, c.depth).mlp_ratio(config.mlp_ratio)));
}

torch::Tensor LevelImpl::embed(const torch::Tensor& tokens) {
    auto cls = torch::where(tokens < 0, torch::full_like(tokens, double(unknown_class_)), tokens).to(torch::kLong);
    auto e = cell_embed_->forward(cls);                                          // (..., s*s, e)
    return linear(*embed_, e.flatten(-2));                                       // (..., D)
}

torch::Tensor LevelImpl::buffer(const torch::Tensor& cond, int64_t n) {
    if (!cond.defined()) return (uncond_ + buffer_pos_).unsqueeze(0).expand({n, kConds, width_});
    return linear(*cond_proj_, cond) + buffer_pos_;   // (N, 5, D)
}

void LevelImpl::set_matmul_dtype(torch::ScalarType dtype) {
    embed_->to(dtype);
    if (cond_proj_) cond_proj_->to(dtype);
    transformer_->set_matmul_dtype(dtype);   // the occupancy logit stays fp32
}

torch::Tensor LevelImpl::pos(int64_t gr, int64_t gc, const torch::Device& device) {
    Positions& c = pos_cache_;
    if (c.gr != gr || c.gc != gc || !c.table.defined() || c.table.device() != device) {
        if (grid_track_rows_ > 0 && (gr != grid_track_rows_ || grid_row_offset_ != 0)) {
            // Row r of the grid sits at row r % (rows per track) + offset of a 128-pitch canvas.
            auto rows = torch::arange(gr, torch::TensorOptions().dtype(torch::kLong).device(device)) % grid_track_rows_ + grid_row_offset_;
            const int64_t top = grid_track_rows_ + grid_row_offset_;
            auto all = positions_2d(top, gc, width_, device).view({top, gc, width_});
            c = Positions{gr, gc, all.index_select(0, rows).reshape({gr * gc, width_})};
        } else {
            c = Positions{gr, gc, positions_2d(gr, gc, width_, device)};
        }
    }
    return c.table;   // (T, D)
}

torch::Tensor LevelImpl::token_bias(const torch::Tensor& token_rows, const torch::Tensor& plan_tokens, const torch::Tensor& ungated) {
    torch::Tensor bias;
    if (ungated_.defined() && ungated.defined()) {
        bias = ungated.to(torch::kFloat32).view({-1, 1, 1}) * ungated_.view({1, 1, width_});   // (N, 1, D)
        bias = bias.expand({token_rows.size(0), token_rows.size(1), width_});
    }
    if (track_embed_) {   // a token never straddles two tracks: pitch_rows is a whole number of level-0 patches
        auto t = track_embed_->forward(torch::div(token_rows, pitch_rows_, "floor"));
        bias = bias.defined() ? bias + t : t;
    }
    if (pitch_class_embed_) {
        auto pitch = pitch_low_ + token_rows % pitch_rows_;   // the folded layout and the tracks repeat the pitches
        auto p = pitch_class_embed_->forward(pitch % kPitchClasses) + octave_embed_->forward(torch::div(pitch, kPitchClasses, "floor"));
        bias = bias.defined() ? bias + p : p;
    }
    if (plan_rows_ && plan_tokens.defined()) {
        const PlanView v = plan_view(plan_tokens, kPatchSizes[level_]);
        auto p = linear(*plan_rows_, v.in).to(torch::kFloat32) + density_embed_->forward(v.density);
        if (plan_cols_) p = p + linear(*plan_cols_, v.onset).to(torch::kFloat32);
        if (style_embed_) p = p + style_embed_->forward(v.style);
        bias = bias.defined() ? bias + p : p;
    }
    return bias;
}

LevelImpl::Context LevelImpl::context(const torch::Tensor& cond, int64_t n, int64_t gr, int64_t gc, const torch::Tensor& pitch) {
    Context c;
    c.buffer = buffer(cond, n);                                                  // (N, 5, D)
    // Every token also gets its patch's own condition added: a direct path from the level above, which the
    // attention to the buffer alone gives too weakly to train shallow levels.
    c.bias = pos(gr, gc, mask_token_.device()).unsqueeze(0) + c.buffer.index({Slice(), Slice(0, 1)});   // (N, T, D)
    if (pitch.defined()) c.bias = c.bias + pitch;
    return c;
}

torch::Tensor LevelImpl::encode(const torch::Tensor& tokens, const torch::Tensor& masked, const Context& context) {
    const int64_t n = tokens.size(0), t = tokens.size(1);
    auto x = embed(tokens);                                                     // (N, T, D)
    x = torch::where(masked.unsqueeze(-1), mask_token_.view({1, 1, width_}).expand({n, t, width_}), x) + context.bias;
    auto h = transformer_->forward(torch::cat({context.buffer, x}, 1));         // (N, 5 + T, D)
    return h.index({Slice(), Slice(kConds)});                                   // (N, T, D)
}

namespace {
// Buffer rows see the buffer; token row j sees the buffer and tokens 0..j. Additive mask (L, L).
torch::Tensor causal_mask(int64_t t, const torch::Device& device) {
    const int64_t l = kConds + t;
    auto allowed = torch::ones({l, l}, torch::TensorOptions().dtype(torch::kBool).device(device)).tril();
    allowed.index_put_({Slice(0, kConds), Slice(0, kConds)}, true);
    allowed.index_put_({Slice(kConds), Slice(0, kConds)}, true);
    return torch::zeros({l, l}, torch::TensorOptions().device(device)).masked_fill(allowed.logical_not(), -1e9);
}
}  // namespace

torch::Tensor LevelImpl::encode_causal(const torch::Tensor& tokens, const torch::Tensor& cond, int64_t gr, int64_t gc,
                                       const torch::Tensor& order, const torch::Tensor& pitch) {
    const int64_t n = tokens.size(0), t = tokens.size(1);
    auto x = embed(tokens).index_select(1, order);                              // (N, T, D) in scan order
    // Input j holds token j-1 (the start token for j = 0) and the position of token j, which it predicts.
    x = torch::cat({start_token_.view({1, 1, width_}).expand({n, 1, width_}), x.index({Slice(), Slice(0, t - 1)})}, 1);
    auto buf = buffer(cond, n);
    x = x + pos(gr, gc, tokens.device()).index_select(0, order).unsqueeze(0) + buf.index({Slice(), Slice(0, 1)});
    if (pitch.defined()) x = x + pitch.index_select(1, order);
    auto h = transformer_->forward(torch::cat({buf, x}, 1), causal_mask(t, tokens.device()));
    auto z = h.index({Slice(), Slice(kConds)});                                 // (N, T, D) scan order
    return torch::zeros_like(z).index_copy(1, order, z);                         // grid order
}

torch::Tensor LevelImpl::start(const torch::Tensor& cond, int64_t n, int64_t gr, int64_t gc, int64_t first_pos, const torch::Tensor& pitch,
                              KVCache& cache) {
    const auto device = mask_token_.device();
    auto buf = buffer(cond, n);
    cache.input_bias = buf.index({Slice(), Slice(0, 1)});                        // (N, 1, D)
    auto x = (start_token_ + pos(gr, gc, device)[first_pos]).view({1, 1, width_}) + cache.input_bias;
    if (pitch.defined()) x = x + pitch.index({Slice(), Slice(first_pos, first_pos + 1)});
    auto h = transformer_->forward(torch::cat({buf, x}, 1), causal_mask(1, device), &cache);
    return h.index({Slice(), Slice(kConds)});                                   // (N, 1, D)
}

torch::Tensor LevelImpl::step(const torch::Tensor& token, int64_t next_pos, int64_t gr, int64_t gc, const torch::Tensor& pitch, KVCache& cache) {
    auto x = embed(token).unsqueeze(1) + pos(gr, gc, token.device())[next_pos].view({1, 1, width_}) +
             cache.input_bias;
    if (pitch.defined()) x = x + pitch.index({Slice(), Slice(next_pos, next_pos + 1)});
    return transformer_->forward(x, {}, &cache);                                 // (N, 1, D)
}

// ---------------------------------------------------------------------------------------------------------------
// Velocity head

VelocityHeadImpl::VelocityHeadImpl(int64_t cond_width, int64_t width, int64_t depth, int64_t classes) {
    in_ = register_module("in", torch::nn::Linear(kConds * cond_width, width));
    for (int64_t i = 0; i < depth; ++i)
        blocks_.push_back(register_module("block" + std::to_string(i),
                                          torch::nn::Sequential(torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})),
                                                                torch::nn::Linear(width, 2 * width), torch::nn::GELU(),
                                                                torch::nn::Linear(2 * width, width))));
    norm_ = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
    out_ = register_module("out", torch::nn::Linear(width, classes));
}

torch::Tensor VelocityHeadImpl::forward(const torch::Tensor& cond) {
    auto h = linear(*in_, cond.flatten(1)).to(torch::kFloat32);   // (N, Dh); the residual stream stays fp32 under autocast
    for (auto& b : blocks_) {   // LayerNorm, Linear, GELU, Linear
        auto u = b->at<torch::nn::LayerNormImpl>(0).forward(h);
        h = h + linear(b->at<torch::nn::LinearImpl>(3), torch::gelu(linear(b->at<torch::nn::LinearImpl>(1), u)));
    }
    return out_->forward(norm_->forward(h)).to(torch::kFloat32);   // (N, 128); fp32 logits under autocast too
}

void VelocityHeadImpl::set_matmul_dtype(torch::ScalarType dtype) {
    in_->to(dtype);
    for (auto& b : blocks_) b->at<torch::nn::LinearImpl>(1).to(dtype), b->at<torch::nn::LinearImpl>(3).to(dtype);   // logits stay fp32
}

// ---------------------------------------------------------------------------------------------------------------
// The recursion

FractalNetImpl::FractalNetImpl(const ModelConfig& config) : config_(config) {
    int64_t cond_width = 0;
    for (int l = 0; l < 3; ++l) {
        levels_.push_back(register_module("level" + std::to_string(l), Level(config, l, cond_width)));
        cond_width = config.levels[l].width;
    }
    head_ = register_module("head", VelocityHead(cond_width, config.levels[3].width, config.levels[3].depth, note_classes(config)));
    const int64_t plan_width = std::min<int64_t>(128, config.levels[0].width);
    if (config.plan) plan_ = register_module("plan", PlanPrior(plan_width, config.rhythm, config.conditions));
    if (config.plan && config.conditions && config.free_plan) plan_free_ = register_module("plan_free", PlanPrior(plan_width, config.rhythm, false));
}

void FractalNetImpl::set_matmul_dtype(torch::ScalarType dtype) {
    for (auto& level : levels_) level->set_matmul_dtype(dtype);
    head_->set_matmul_dtype(dtype);
    if (plan_) plan_->set_matmul_dtype(dtype);
    if (plan_free_) plan_free_->set_matmul_dtype(dtype);
}

torch::Tensor FractalNetImpl::scan_order(int64_t gr, int64_t gc, const torch::Device& device) const {
    auto idx = torch::arange(gr * gc, torch::TensorOptions().dtype(torch::kLong).device(device));
    if (config_.scan == ScanOrder::row_major) return idx;
    return idx.view({gr, gc}).t().reshape({-1}).contiguous();   // time first: down each column, then the next
}

torch::Tensor FractalNetImpl::child_conditions(int l, const torch::Tensor& z, int64_t gr, int64_t gc) {
    const int64_t n = z.size(0), d = z.size(2);
    auto g = z.view({n, gr, gc, d});
    auto padded = F::pad(g.permute({0, 3, 1, 2}), F::PadFuncOptions({1, 1, 1, 1})).permute({0, 2, 3, 1});   // (N, gr+2, gc+2, D)
    auto up = padded.index({Slice(), Slice(0, gr), Slice(1, gc + 1)});
    auto down = padded.index({Slice(), Slice(2, gr + 2), Slice(1, gc + 1)});
    auto left = padded.index({Slice(), Slice(1, gr + 1), Slice(0, gc)});
    auto right = padded.index({Slice(), Slice(1, gr + 1), Slice(2, gc + 2)});
    if (levels_[size_t(l)]->is_ar()) {   // only neighbours that come earlier in both scan orders: up and left
        down = torch::zeros_like(down);
        right = torch::zeros_like(right);
    }
    return torch::stack({g, up, down, left, right}, 3).view({n, gr * gc, kConds, d});   // (N, T, 5, D)
}

namespace {

// Mask rate per patch: a normal (mean 1, sd 0.5) truncated to (0, 1], by the inverse CDF of a keyed uniform (so a
// patch's rate depends on its key alone). Computed on the CPU and moved once: no device sync inside a training step.
torch::Tensor mask_rates(const torch::Tensor& keys, int64_t salt, const torch::Device& device) {
    const double lo = 0.5 * std::erfc(2.0 / std::sqrt(2.0)), hi = 0.5;   // Phi(-2), Phi(0): the truncation, in z = (r - 1) / 0.5
    auto u = keyed_uniform(keys, salt, 1, torch::kCPU).squeeze(1).to(torch::kDouble);
    auto z = std::sqrt(2.0) * torch::erfinv(2.0 * (lo + u * (hi - lo)) - 1.0);
    return (1.0 + 0.5 * z).clamp(1e-3, 1.0).to(torch::kFloat32).to(device);
}

// Per sample, marks the `count` (N) entries with the highest score (N, T) among `eligible`.
torch::Tensor top_by_score(const torch::Tensor& score, const torch::Tensor& eligible, const torch::Tensor& count) {
    auto s = score.masked_fill(eligible.logical_not(), -1.0);
    auto rank = s.argsort(/*dim=*/1, /*descending=*/true).argsort(/*dim=*/1, /*descending=*/false);   // 0 = highest
    return (rank < count.unsqueeze(1)) & eligible;
}

constexpr double kEmptyKeepInverse = 8;   // training: 1 in 8 empty tokens still goes down a level (weighted 8)

// Class of each cell (model/cell_coding.h): (N, 1, 1) patches of classes -> (N).
torch::Tensor cell_classes(const torch::Tensor& patches) { return patches.reshape({-1}).to(torch::kLong); }

// Head log-probabilities (N, K): over all classes, or over notes only when gated (the level above said "note").
torch::Tensor head_log_probs(const torch::Tensor& logits, bool gated) {
    if (!gated) return torch::log_softmax(logits, -1);
    return torch::log_softmax(logits.index_fill(1, torch::zeros({1}, torch::TensorOptions().dtype(torch::kLong).device(logits.device())),
                                                -std::numeric_limits<float>::infinity()),
                              -1);
}

// Cosine schedule: of `count` (N) tokens to reveal over `iters` iterations, how many stay masked after iteration k.
torch::Tensor masked_after(const torch::Tensor& count, int k, int iters) {
    if (k + 1 == iters) return torch::zeros_like(count);
    return (count.to(torch::kDouble) * std::cos(M_PI / 2 * (k + 1) / iters)).floor().to(torch::kLong);
}

// Occupancy cross-entropy (nats, (N, T)) of every token against whether its patch holds a note.
torch::Tensor occupancy_nll(const torch::Tensor& logits, const torch::Tensor& occupied) {
    return F::binary_cross_entropy_with_logits(logits, occupied.to(logits.scalar_type()),
                                               F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone));
}

}  // namespace

// One level's view of the patches it is given (N, P, Q): what training, likelihood and sampling all start from.
struct FractalNetImpl::Pass {
    int64_t s = 0, n = 0, gr = 0, gc = 0, t = 0;
    torch::Tensor tokens;   // (N, T, s*s) cell classes
    torch::Tensor rows;     // (N, T) each token's first canvas row
    torch::Tensor plan;     // (N, T, s*s) plan-canvas tokens; undefined without a plan
    torch::Tensor bias;     // LevelImpl::token_bias, for every pass of the level
    torch::Tensor ruled;    // (N, T) tokens the plan rules silent; undefined when the rules are off or there is no plan
};

// What the chosen tokens hand to the level below: their cells, conditions, rows and plan.
struct FractalNetImpl::Down {
    torch::Tensor patches, cond, rows, plan;
};

FractalNetImpl::Pass FractalNetImpl::pass(int l, const torch::Tensor& patches, const torch::Tensor& rows, const torch::Tensor& plan,
                                          const torch::Tensor& ungated, bool rules) {
    Pass p;
    p.s = kPatchSizes[l], p.n = patches.size(0), p.gr = patches.size(1) / p.s, p.gc = patches.size(2) / p.s, p.t = p.gr * p.gc;
    p.tokens = patchify(patches, p.s);
    p.rows = token_rows(rows, p.t, p.gc, p.s);
    p.plan = plan.defined() ? patchify(plan, p.s) : torch::Tensor();
    p.bias = levels_[size_t(l)]->token_bias(p.rows, p.plan, ungated);
    p.ruled = ruled_silent(p.plan, p.s, rules);
    return p;
}

FractalNetImpl::Down FractalNetImpl::down(int l, const Pass& p, const torch::Tensor& tokens, const torch::Tensor& z, const torch::Tensor& go) {
    return {tokens.index({go}).view({-1, p.s, p.s}), child_conditions(l, z, p.gr, p.gc).index({go}), p.rows.index({go}),
            child_plan(p.plan, go, p.s)};
}

namespace {
// The MAR schedule that likelihood and sampling share: the tokens not `known` (N, T) are revealed over `iters` passes in
// the order of random scores, as many per pass as the cosine schedule says. step(pending, chosen, k) runs pass k
// (pending: masked in it; chosen: revealed by it); stop() ends the walk early (a cancelled sample).
template <class Step, class Stop>
void mar_schedule(const torch::Tensor& known, int iters, torch::Generator& gen, Step&& step, Stop&& stop) {
    const auto score = uniform(gen, {known.size(0), known.size(1)}, known.device());
    auto revealed = known.clone();
    const auto unknown = known.logical_not().sum(1);   // (N)
    for (int k = 0; k < iters; ++k) {
        if (stop()) break;
        auto pending = revealed.logical_not();
        auto chosen = top_by_score(score, pending, (pending.sum(1) - masked_after(unknown, k, iters)).clamp_min(0));
        step(pending, chosen, k);
        revealed = revealed | chosen;
    }
}
}  // namespace

torch::Tensor FractalNetImpl::loss_level(int l, const torch::Tensor& patches, const torch::Tensor& cond, const torch::Tensor& rows,
                                         const torch::Tensor& plan, const torch::Tensor& weight, const torch::Tensor& ungated, const torch::Tensor& keys, torch::Tensor& count) {
    if (l == 3) {   // every cell that gets here, silent or not: the full 128-way head, less what the plan rules out
        count = count + weight.sum();
        return (F::cross_entropy(ruled_logits(head_->forward(cond), plan, config_, true, false), cell_classes(patches),
                                 F::CrossEntropyFuncOptions().reduction(torch::kNone)) *
                weight).sum();
    }
    const Pass p = pass(l, patches, rows, plan, ungated, true);
    const int64_t s = p.s, n = p.n, gr = p.gr, gc = p.gc, t = p.t;
    const auto& tokens = p.tokens;
    const auto& pitch = p.bias;
    Level& level = levels_[size_t(l)];
    torch::Tensor z, chosen;
    if (level->is_ar()) {
        z = level->encode_causal(tokens, cond, gr, gc, scan_order(gr, gc, patches.device()), pitch);
        chosen = torch::ones({n, t}, torch::TensorOptions().dtype(torch::kBool).device(patches.device()));
    } else {
        auto k = (mask_rates(keys, 4 * l + 1, patches.device()) * t).ceil().clamp(1, t).to(torch::kLong);
        auto score = keyed_uniform(keys, 4 * l + 2, t, patches.device());
        chosen = top_by_score(score, torch::ones_like(score, torch::kBool), k);
        z = level->encode(tokens, chosen, level->context(cond, n, gr, gc, pitch));
    }
    // Every chosen token learns its occupancy. Occupied ones go down a level. Empty ones end here (their cells are
    // known silent), except a random 1/kEmptyKeepInverse of them, which go down with that weight and stay ungated below:
    // so the deeper levels also model silence, and the net is a whole model without gating too, at little cost.
    auto occupied = (tokens > 0).any(-1);   // (N, T)
    auto w = weight.unsqueeze(1).expand({n, t});
    auto free = ungated.unsqueeze(1).expand({n, t});
    // A token the plan rules silent is certain: no nats, nothing to learn.
    const auto& ruled = p.ruled;
    auto nats = (occupancy_nll(level->occupancy(z), occupied) * w).masked_select(ruled.defined() ? chosen & ruled.logical_not() : chosen).sum();
    auto empty = chosen & occupied.logical_not();
    auto keep = empty & (free | (keyed_uniform(keys, 4 * l + 3, t, patches.device()) * kEmptyKeepInverse < 1.0));
    count = count + (w * (empty & keep.logical_not())).sum() * double(s * s);
    auto go = chosen & (occupied | keep);
    if (!go.any().item<bool>()) return nats;
    auto child_weight = torch::where(free | occupied, w, w * kEmptyKeepInverse);
    const Down d = down(l, p, tokens, z, go);
    return nats + loss_level(l + 1, d.patches, d.cond, d.rows, d.plan, child_weight.index({go}), (free | occupied.logical_not()).index({go}),
                             child_keys(keys, go), count);
}

std::pair<torch::Tensor, torch::Tensor> FractalNetImpl::loss(const NetInput& in, torch::Generator& gen, const torch::Tensor& crop_keys) {
    const torch::Tensor& canvas = in.canvas;
    auto count = torch::zeros({}, canvas.options());
    const int64_t b = canvas.size(0);
    // One key per crop: given (the trainer's, by step and the crop's place in the global batch), or drawn.
    const torch::Tensor keys = crop_keys.defined() ? crop_keys.to(torch::kCPU).to(torch::kLong)
                                                   : torch::randint(std::numeric_limits<int64_t>::max(), {b}, gen, torch::kLong);
    if (keys.numel() != b) throw Error("loss: " + std::to_string(keys.numel()) + " crop keys for " + std::to_string(b) + " crops");
    auto classes = encode_cells(canvas, config_);
    torch::Tensor plan, plan_nats = torch::zeros({}, canvas.options());
    if (plan_) {
        auto plans = bar_plans(classes, config_);
        plan_nats = prior(in.cond)->nll(plans, in.cond).sum();
        plan = plan_canvas(plans, config_, canvas.size(1), canvas.size(2), level_style(in.cond));
    }
    auto nll = plan_nats + loss_level(0, classes, {}, torch::zeros({b}, canvas.options().dtype(torch::kLong)), plan,
                          torch::ones({b}, canvas.options()), torch::zeros({b}, canvas.options().dtype(torch::kBool)), keys, count);
    return {nll, count};
}

torch::Tensor FractalNetImpl::nll_level(int l, const torch::Tensor& patches, const torch::Tensor& cond, const torch::Tensor& rows,
                                        const torch::Tensor& plan, const SampleOptions& opt, torch::Generator& gen) {
    const int64_t n = patches.size(0);
    if (l == 3) {
        return -head_log_probs(ruled_logits(head_->forward(cond), plan, config_, opt.plan_rules, opt.gate), opt.gate)
                    .gather(1, cell_classes(patches).unsqueeze(1))
                    .squeeze(1);   // (N)
    }
    const Pass p = pass(l, patches, rows, plan, ungated_walk(opt, patches), opt.plan_rules);
    const int64_t gr = p.gr, gc = p.gc, t = p.t;
    const auto& tokens = p.tokens;
    auto occupied = (tokens > 0).any(-1);   // (N, T)
    Level& level = levels_[size_t(l)];
    auto out = torch::zeros({n}, patches.options());
    auto owner = torch::arange(n, torch::TensorOptions().dtype(torch::kLong).device(patches.device())).unsqueeze(1).expand({n, t});
    auto add = [&](const torch::Tensor& z, const torch::Tensor& chosen) {   // chosen (N, T): the tokens predicted now
        if (opt.gate) {
            // The gated sampler makes a token silent two ways: drawn empty, or drawn occupied and then filled with
            // silence by the level below (which cannot happen below level 2: an occupied cell is a note). So an
            // empty token costs -log(p0 + p1 * p_below(silence)), the exact likelihood of what sampling does.
            auto logit = level->occupancy(z);                                          // (N, T)
            if (p.ruled.defined()) logit = logit.masked_fill(p.ruled, -std::numeric_limits<float>::infinity());   // certain: log p(empty) = 0
            auto log_p1 = F::logsigmoid(logit), log_empty = F::logsigmoid(-logit);
            auto empty = chosen & occupied.logical_not();
            if (l < 2 && empty.any().item<bool>()) {
                const Down d = down(l, p, torch::zeros_like(tokens), z, empty);   // those tokens as silence
                auto below = nll_level(l + 1, d.patches, d.cond, d.rows, d.plan, opt, gen);   // (M)
                log_empty = log_empty.index_put({empty}, torch::logaddexp(log_empty.index({empty}), log_p1.index({empty}) - below));
            }
            out -= (torch::where(occupied, log_p1, log_empty) * chosen).sum(1);
        }
        auto go = opt.gate ? chosen & occupied : chosen;
        if (!go.any().item<bool>()) return;
        const Down d = down(l, p, tokens, z, go);
        out.index_add_(0, owner.index({go}), nll_level(l + 1, d.patches, d.cond, d.rows, d.plan, opt, gen));   // (M)
    };
    if (level->is_ar()) {
        add(level->encode_causal(tokens, cond, gr, gc, scan_order(gr, gc, patches.device()), p.bias),
            torch::ones({n, t}, torch::TensorOptions().dtype(torch::kBool).device(patches.device())));
        return out;
    }
    const auto none_known = torch::zeros({n, t}, torch::TensorOptions().dtype(torch::kBool).device(patches.device()));
    const auto context = level->context(cond, n, gr, gc, p.bias);
    mar_schedule(none_known, std::max(1, opt.num_iter[size_t(l)]), gen,
                 [&](const torch::Tensor& pending, const torch::Tensor& chosen, int) { add(level->encode(tokens, pending, context), chosen); },
                 [] { return false; });
    return out;
}

torch::Tensor FractalNetImpl::plan_nll(const NetInput& in) {
    if (!plan_) return torch::zeros({in.canvas.size(0)}, in.canvas.options());
    return prior(in.cond)->nll(bar_plans(encode_cells(in.canvas, config_), config_), in.cond);
}

torch::Tensor FractalNetImpl::nll(const NetInput& in, const SampleOptions& opt, torch::Generator& gen) {
    const torch::Tensor& canvas = in.canvas;
    auto classes = encode_cells(canvas, config_);
    auto rows = torch::zeros({canvas.size(0)}, canvas.options().dtype(torch::kLong));
    if (!plan_) return nll_level(0, classes, {}, rows, {}, opt, gen);
    auto plans = bar_plans(classes, config_);
    return prior(in.cond)->nll(plans, in.cond) + nll_level(0, classes, {}, rows, plan_canvas(plans, config_, canvas.size(1), canvas.size(2), level_style(in.cond)), opt, gen);
}

// ---------------------------------------------------------------------------------------------------------------
// Sampling

namespace {
// The plan's rules after the draws (SampleOptions::plan_rules; config.rhythm, note cells). Cells drawn in parallel can
// leave a hold with no note to its left (its left neighbour came out silent): decoded, it starts a note at its fallback
// velocity. On a step of its bar's rhythm that is a note the plan asks for; off the rhythm it would be an onset the
// plan rules out, so it is silence there, and so is the rest of its run up to the next rhythm step. Known cells are
// kept. classes, canvas (the values asked for, -1 unknown) and plan (plan-canvas cells) are (B, R, C).
torch::Tensor silence_orphans_off_rhythm(const torch::Tensor& classes, const torch::Tensor& canvas, const torch::Tensor& plan,
                                         const ModelConfig& config) {
    if (!config.rhythm || config.cells != CellCoding::notes) return classes;
    // A scan along time over B x 128 rows: a plain loop on the host (a few hundred thousand cells at most).
    auto c = time_major(classes, config).to(torch::kCPU, torch::kFloat32).contiguous();
    const auto known = (time_major(canvas, config) >= 0).to(torch::kCPU).contiguous();
    const auto plan_cells = time_major(plan, config);   // (B, 128, W), read per cell as single-cell tokens
    const auto on = (plan_view(plan_cells.reshape({-1, 1, 1}), 1).onset.view(plan_cells.sizes()) > 0.5).to(torch::kCPU).contiguous();
    const int64_t rows = c.size(0) * c.size(1), w = c.size(2);
    float* cls = c.data_ptr<float>();
    const bool* kn = known.data_ptr<bool>();
    const bool* rhythm = on.data_ptr<bool>();
    for (int64_t r = 0; r < rows; ++r) {
        bool left_sounding = false;
        for (int64_t t = 0; t < w; ++t) {
            const int64_t i = r * w + t;
            const bool hold = cls[i] >= float(kHoldClass) && cls[i] < float(kHoldClass + 1);
            if (hold && !kn[i] && !left_sounding && !rhythm[i]) cls[i] = 0;
            left_sounding = cls[i] >= 1;
        }
    }
    return canvas_major(c.to(classes.device(), classes.scalar_type()), config);
}
}  // namespace

// Floating-point operations of one transformer pass over n sequences of q new tokens attending to kv: the
// matmuls (QKV, projection, MLP, attention scores and sums) of every block.
double transformer_flops(const LevelConfig& c, double mlp_ratio, int64_t n, int64_t q, int64_t kv) {
    const double d = c.width;
    return double(n) * double(c.depth) * (2.0 * double(q) * d * d * (4.0 + 2.0 * mlp_ratio) + 4.0 * double(q) * double(kv) * d);
}

struct FractalNetImpl::Walk {
    const SampleOptions& opt;
    torch::Generator& gen;
    const NetReport& report;
    const CancelFlag* cancel;
    const ModelConfig& config;
    torch::Tensor values;   // (B, R, C): the canvas asked for (its known cells are kept bit-exact)
    torch::Tensor canvas;   // (B, R, C) cell classes, written as patches fill, for the report
    int level0_of = 0;      // the `of` of level 0's reports (its iterations, or its tokens when AR)
    bool stop() const { return cancelled(cancel); }
    // Writes patches (N, P, Q) at origins (N, 3: b, row, col) into the canvas and reports.
    void show(int level, int step, int of, const torch::Tensor& patches, const torch::Tensor& origin) {
        if (!report) return;
        if (level == 0) level0_of = of;
        const int64_t n = patches.size(0), p = patches.size(1), q = patches.size(2);
        const int64_t r = canvas.size(1), c = canvas.size(2);
        auto dev = torch::TensorOptions().dtype(torch::kLong).device(canvas.device());
        auto rows = origin.index({Slice(), 1}).view({n, 1, 1}) + torch::arange(p, dev).view({1, p, 1});
        auto cols = origin.index({Slice(), 2}).view({n, 1, 1}) + torch::arange(q, dev).view({1, 1, q});
        auto flat = origin.index({Slice(), 0}).view({n, 1, 1}) * (r * c) + rows * c + cols;   // (N, P, Q)
        canvas.view({-1}).index_copy_(0, flat.reshape({-1}), patches.reshape({-1}));
        report(level, step, of, decode_cells(canvas, values, config));
    }
};

torch::Tensor FractalNetImpl::sample_level(int l, torch::Tensor patches, const torch::Tensor& cond, const torch::Tensor& rows,
                                           const torch::Tensor& plan, const torch::Tensor& origin, Walk& w) {
    const int64_t n = patches.size(0);
    const double temperature = std::max(w.opt.temperature, 1e-6);
    // Time at this level alone: the whole call less the deeper calls (counted by them).
    struct Timer {
        SampleStats* stats;
        int level;
        std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
        double inner = 0;
        ~Timer() {
            if (stats) stats->seconds[level] += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() - inner;
        }
    } timer{w.opt.stats, l};
    if (w.opt.stats) w.opt.stats->patches[l] += n;
    if (l == 3) {   // a cell: silence or a velocity
        if (w.opt.stats) {
            const double dc = config_.levels[2].width, dh = config_.levels[3].width;
            w.opt.stats->flops[3] += 2.0 * double(n) * (kConds * dc * dh + double(config_.levels[3].depth) * 4 * dh * dh + dh * 128);
        }
        const double vt = temperature * std::max(w.opt.velocity_temperature, 1e-6);
        const auto logits = head_->forward(cond) / vt;
        const auto ruled = ruled_logits(logits, plan, config_, w.opt.plan_rules, w.opt.gate);   // logits itself without rules
        auto probs = head_log_probs(ruled, w.opt.gate).exp();   // (N, 128)
        auto k = categorical(probs, w.gen);
        auto cls = k.to(patches.scalar_type());
        if (config_.cells == CellCoding::notes) {   // each hold also draws the onset it becomes if it has nothing to hold
            // (from the head's own onset odds: an onset off the rhythm is ruled out only where it is drawn as one)
            auto onsets = (ruled.is_same(logits) ? probs : head_log_probs(logits, w.opt.gate).exp())
                              .index_fill(1, torch::arange(2, torch::TensorOptions().dtype(torch::kLong).device(probs.device())), 0.0);
            cls = holds_with_fallback(cls, k == kHoldClass, categorical(onsets, w.gen));
        }
        return torch::where(patches >= 0, patches, cls.view({n, 1, 1}));
    }
    Pass lp = pass(l, patches, rows, plan, ungated_walk(w.opt, patches), w.opt.plan_rules);
    const int64_t s = lp.s, gr = lp.gr, gc = lp.gc, t = lp.t;
    auto& tokens = lp.tokens;                                 // (N, T, s*s), written as tokens are drawn
    auto known = (tokens >= 0).all(-1);                       // (N, T)
    auto lopt = torch::TensorOptions().dtype(torch::kLong).device(patches.device());
    auto tpos = torch::arange(t, lopt);
    const auto& trows = lp.rows;                              // (N, T): each token's first canvas row
    auto token_origin = [&](const torch::Tensor& sel) {      // sel (N, T) bool -> (M, 3) origins of the chosen tokens
        auto o = origin.unsqueeze(1).expand({n, t, 3}).clone();
        o.index_put_({Slice(), Slice(), 1}, trows);            // an origin's row is the patch's row
        o.index({Slice(), Slice(), 2}) += (tpos % gc * s).unsqueeze(0);
        return o.index({sel});
    };
    Level& level = levels_[size_t(l)];
    const auto& pitch = lp.bias;   // for every iteration
    const auto& ruled = lp.ruled;
    // Fills the chosen tokens: each draws its occupancy (a known note forces it); empty ones become silence, occupied
    // ones go down a level.
    // last: the call's final draws. Below level 0 a gated patch is here because the level above drew it occupied, so
    // it must hold a note: if none of its tokens has one after its final draws, one chosen token gets one (keep_occupied).
    const bool must_hold = w.opt.gate && w.opt.keep_occupied && l > 0;
    auto generate = [&](const torch::Tensor& z, const torch::Tensor& chosen, bool last) {
        if (!chosen.any().item<bool>()) return;
        torch::Tensor go = chosen;
        if (w.opt.gate) {
            auto p_note = torch::sigmoid(level->occupancy(z) / temperature);                        // (N, T)
            if (ruled.defined()) p_note = p_note.masked_fill(ruled, 0.0);
            auto draw = uniform(w.gen, {n, t}, p_note.device()) < p_note;
            const auto has_note = (tokens > 0).any(-1);                                             // (N, T)
            go = chosen & (draw | has_note);
            if (must_hold && last) {
                auto empty = has_note.any(-1).logical_not() & go.any(-1).logical_not() & chosen.any(-1);   // (N)
                if (empty.any().item<bool>()) {
                    // One token, drawn by its odds p / (1 - p): the draws' own distribution given exactly one note.
                    auto odds = (p_note / (1 - p_note).clamp_min(1e-6)).masked_fill(chosen.logical_not(), 0.0);
                    auto pick = categorical(odds.index({empty}), w.gen);                                                // (M)
                    auto forced = torch::zeros_like(go);
                    forced.index_put_({empty}, torch::zeros({pick.size(0), t}, go.options()).scatter_(1, pick.unsqueeze(1), true));
                    go = go | forced;
                }
            }
            auto silent = chosen & go.logical_not();
            tokens = torch::where(silent.unsqueeze(-1), tokens.clamp_min(0), tokens);
        }
        if (!go.any().item<bool>()) return;
        const Down d = down(l, lp, tokens, z, go);
        const auto start = std::chrono::steady_clock::now();
        // Origins only matter for the progress report; without one the deeper levels get none (saves work per call).
        auto child = sample_level(l + 1, d.patches, d.cond, d.rows, d.plan, w.report ? token_origin(go) : torch::Tensor(), w);
        timer.inner += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        tokens.index_put_({go}, child.view({-1, s * s}));
    };
    auto count = [&](int64_t q, int64_t kv) {
        if (w.opt.stats) w.opt.stats->flops[l] += transformer_flops(config_.levels[l], config_.mlp_ratio, n, q, kv);
    };
    if (level->is_ar()) {
        auto order = scan_order(gr, gc, patches.device());
        auto order_cpu = order.cpu();
        auto z_all = torch::zeros({n, t, level->width()}, patches.options());
        KVCache cache;
        auto z = level->start(cond, n, gr, gc, order_cpu[0].item<int64_t>(), pitch, cache);   // (N, 1, D)
        count(kConds + 1, kConds + 1);
        for (int64_t j = 0; j < t; ++j) {
            if (w.stop()) break;
            const int64_t p = order_cpu[j].item<int64_t>();
            z_all.index_put_({Slice(), p}, z.squeeze(1));
            auto chosen = torch::zeros({n, t}, torch::TensorOptions().dtype(torch::kBool).device(patches.device()));
            chosen.index_put_({Slice(), p}, known.index({Slice(), p}).logical_not());
            generate(z_all, chosen, j + 1 == t);   // AR neighbours: up and left only, both done
            if (w.report) w.show(l, int(j + 1), int(t), unpatchify(tokens, s, gr, gc), origin);
            if (j + 1 < t) {
                z = level->step(tokens.index({Slice(), p}), order_cpu[j + 1].item<int64_t>(), gr, gc, pitch, cache);
                count(1, kConds + j + 2);
            }
        }
        return unpatchify(tokens, s, gr, gc);
    }
    const int iters = std::max(1, w.opt.num_iter[size_t(l)]);
    const auto context = level->context(cond, n, gr, gc, pitch);
    mar_schedule(known, iters, w.gen, [&](const torch::Tensor& pending, const torch::Tensor& chosen, int k) {
        auto z = level->encode(tokens, pending, context);
        count(kConds + t, kConds + t);
        generate(z, chosen, k + 1 == iters);
        if (w.report) w.show(l, k + 1, iters, unpatchify(tokens, s, gr, gc), origin);
    }, [&] { return w.stop(); });
    return unpatchify(tokens, s, gr, gc);
}

bool drop_level_style(FractalNet& net, Style style) {
    if (style == Style::any) return false;
    torch::NoGradGuard no_grad;
    bool found = false;
    for (auto& item : net->named_parameters())
        if (item.key().find(".style_embed.weight") != std::string::npos && item.key().rfind("level", 0) == 0) {
            item.value()[1 + int64_t(style)].zero_();   // row 0 is "no style"; style s is row 1 + s
            found = true;
        }
    return found;
}

FractalNet seeded_net(const ModelConfig& config, uint64_t seed) {
    static std::mutex one_at_a_time;   // two constructions at once would interleave their draws
    const std::lock_guard<std::mutex> lock(one_at_a_time);
    auto gen = at::detail::getDefaultCPUGenerator();
    const torch::Tensor saved = gen.get_state();
    {
        const std::lock_guard<std::mutex> g(gen.mutex());
        gen.set_current_seed(seed);
    }
    FractalNet net(config);
    {
        const std::lock_guard<std::mutex> g(gen.mutex());
        gen.set_state(saved);
    }
    return net;
}

torch::Tensor FractalNetImpl::sample(const NetInput& in, const SampleOptions& opt, torch::Generator& gen, const NetReport& report,
                                     const CancelFlag* cancel) {
    const torch::Tensor& canvas = in.canvas;
    auto classes = encode_cells(canvas, config_);
    Walk w{opt, gen, report, cancel, config_, canvas, classes.clone()};
    const int64_t b = canvas.size(0);
    auto origin = torch::zeros({b, 3}, torch::TensorOptions().dtype(torch::kLong).device(canvas.device()));
    origin.index_put_({Slice(), 0}, torch::arange(b, origin.options()));
    torch::Tensor plan;
    if (plan_) {   // the coarsest level: every bar's plan, in time order, before any patch
        auto plans = bar_plans(classes, config_);
        prior(in.cond)->sample(plans, in.cond, opt.plan_temperature, opt.guidance, gen);
        plan = plan_canvas(plans, config_, canvas.size(1), canvas.size(2), level_style(in.cond));
        if (opt.plans) *opt.plans = plans;
    }
    auto out = sample_level(0, classes, {}, torch::zeros({b}, origin.options()), plan, origin, w);
    if (!opt.plan_rules || !plan.defined()) return decode_cells(out, canvas, config_);
    const auto roll = decode_cells(silence_orphans_off_rhythm(out, canvas, plan, config_), canvas, config_);
    // The last report shows the roll returned: level 0's last step again, after the rules.
    if (report && w.level0_of > 0) report(0, w.level0_of, w.level0_of, roll);
    return roll;
}

}  // namespace fm
