#include "bar_plan.h"

#include "core/error.h"
#include "model/cell_coding.h"
#include "model/draws.h"

#include <limits>

namespace fm {

namespace F = torch::nn::functional;
using torch::indexing::Slice;

namespace {

constexpr int64_t kPairs = 66;                 // pairs of pitch classes
constexpr int64_t kPriorDepth = 3;
const int64_t kDensityEdges[kDensityClasses] = {0, 1, 3, 5, 8, 12, 17, 24, 33, 46};

torch::TensorOptions longs(const torch::Device& device) { return torch::TensorOptions().dtype(torch::kLong).device(device); }

// Pitch-class sets (...) long -> their 12 bits (..., 12) float.
torch::Tensor set_bits(const torch::Tensor& sets) {
    auto powers = torch::pow(2, torch::arange(12, longs(sets.device())));
    return (torch::div(sets.unsqueeze(-1), powers, "floor") % 2).to(torch::kFloat32);
}

// (B, 128, bars, 16) bool per cell -> (B, bars) long: the set of pitch classes with any cell set.
torch::Tensor pitch_class_set(const torch::Tensor& cells) {
    const int64_t b = cells.size(0), bars = cells.size(2);
    auto any = F::pad(cells.any(3).to(torch::kLong), F::PadFuncOptions({0, 0, 0, 4}));   // (B, 132, bars): 11 octaves
    auto per_class = std::get<0>(any.view({b, 11, 12, bars}).max(1));                      // (B, 12, bars)
    auto powers = torch::pow(2, torch::arange(12, longs(cells.device()))).view({1, 12, 1});
    return (per_class * powers).sum(1);
}

torch::Tensor density_class(const torch::Tensor& onsets) {   // (B, bars) counts -> classes
    auto edges = torch::tensor(std::vector<int64_t>(kDensityEdges, kDensityEdges + kDensityClasses), longs(onsets.device()));
    return (onsets.unsqueeze(-1) >= edges).sum(-1) - 1;
}

// Rows (12 + 66, 4096): for each pitch-class set, its single classes and its pairs.
torch::Tensor set_basis(const torch::Device& device) {
    auto bits = set_bits(torch::arange(kChromaSets, longs(device)));   // (4096, 12)
    std::vector<torch::Tensor> rows{bits.t()};
    for (int64_t i = 0; i < 12; ++i)
        for (int64_t j = i + 1; j < 12; ++j) rows.push_back((bits.index({Slice(), i}) * bits.index({Slice(), j})).unsqueeze(0));
    return torch::cat(rows, 0);
}

torch::Tensor causal(int64_t t, const torch::Device& device) {
    auto future = torch::ones({t, t}, torch::TensorOptions().dtype(torch::kBool).device(device)).triu(1);
    return torch::zeros({t, t}, torch::TensorOptions().device(device)).masked_fill(future, -1e9);
}

}  // namespace

BarPlans bar_plans(const torch::Tensor& classes, const ModelConfig& config) {
    auto c = time_major(classes, config);   // (B, 128, W)
    const int64_t b = c.size(0), w = c.size(2);
    if (c.size(1) != 128 || w % kStepsPerPlanBar != 0)
        throw Error("bar plan: the canvas must be 128 pitches by whole bars (got " + std::to_string(c.size(1)) + " x " + std::to_string(w) + ")");
    const int64_t bars = w / kStepsPerPlanBar;
    auto known = c >= 0;
    auto sounding = known & (c >= 1);   // a hold, an onset or (velocity coding) a velocity
    torch::Tensor onset;
    if (config.cells == CellCoding::notes) {
        onset = known & (c >= 2);
    } else {
        auto left = torch::cat({torch::full_like(c.index({Slice(), Slice(), Slice(0, 1)}), -2.0), c.index({Slice(), Slice(), Slice(0, -1)})}, 2);
        onset = sounding & (left != c);
    }
    auto per_bar = [&](const torch::Tensor& x) { return x.view({b, 128, bars, kStepsPerPlanBar}); };
    BarPlans p;
    p.known_chroma = pitch_class_set(per_bar(sounding));
    p.known_density = density_class(per_bar(onset).sum({1, 3}));
    p.known = per_bar(known).all(3).all(1);
    p.chroma = p.known_chroma.clone();
    p.density = p.known_density.clone();
    return p;
}

torch::Tensor plan_canvas(const BarPlans& plans, const ModelConfig& config, int64_t rows, int64_t cols) {
    const int64_t b = plans.chroma.size(0);
    auto bits = set_bits(plans.chroma);                                                          // (B, bars, 12)
    auto per_pitch = bits.index_select(2, torch::arange(128, longs(bits.device())) % 12);        // (B, bars, 128)
    auto value = per_pitch + 2.0 * plans.density.unsqueeze(-1).to(torch::kFloat32);
    auto roll = value.permute({0, 2, 1}).repeat_interleave(kStepsPerPlanBar, 2);                 // (B, 128, W)
    auto canvas = canvas_major(roll.contiguous(), config);
    if (canvas.size(0) != b || canvas.size(1) != rows || canvas.size(2) != cols)
        throw Error("bar plan: plans for " + std::to_string(canvas.size(1)) + " x " + std::to_string(canvas.size(2)) + " cells, canvas " +
                    std::to_string(rows) + " x " + std::to_string(cols));
    return canvas;
}

std::pair<torch::Tensor, torch::Tensor> plan_rows(const torch::Tensor& plan_tokens, int64_t s) {
    const int64_t n = plan_tokens.size(0), t = plan_tokens.size(1);
    auto first = plan_tokens.view({n, t, s, s}).select(3, 0);   // each row's first cell (a token never spans two bars)
    auto in = torch::fmod(first, 2.0);
    auto density = torch::div(first.select(2, 0), 2.0, "floor").to(torch::kLong);
    return {in, density};
}

// ---------------------------------------------------------------------------------------------------------------
// The prior

PlanPriorImpl::PlanPriorImpl(int64_t width) : width_(width) {
    in_ = register_module("in", torch::nn::Linear(12 + kDensityClasses, width));
    start_ = register_parameter("start", torch::randn({width}) * 0.02);
    transformer_ = register_module("transformer", Transformer(TransformerOptions(width, std::max<int64_t>(1, width / 32), kPriorDepth)));
    chroma_out_ = register_module("chroma_out", torch::nn::Linear(width, 12 + kPairs));
    set_bias_ = register_parameter("set_bias", torch::zeros({kChromaSets}));
    chroma_in_ = register_module("chroma_in", torch::nn::Linear(12, width));
    density_out_ = register_module("density_out", torch::nn::Linear(width, kDensityClasses));
}

torch::Tensor PlanPriorImpl::hidden(const torch::Tensor& chroma, const torch::Tensor& density) {
    const int64_t b = chroma.size(0), bars = chroma.size(1);
    auto features = torch::cat({set_bits(chroma), F::one_hot(density, kDensityClasses).to(torch::kFloat32)}, -1);   // (B, bars, 22)
    auto x = linear(*in_, features).to(torch::kFloat32);
    // Input j holds the plan of bar j - 1 (the start vector for bar 0) and bar j's position.
    x = torch::cat({start_.view({1, 1, width_}).expand({b, 1, width_}), x.index({Slice(), Slice(0, bars - 1)})}, 1);
    x = x + positions_2d(1, bars, width_, chroma.device()).unsqueeze(0);
    return transformer_->forward(x, causal(bars, chroma.device()));
}

torch::Tensor PlanPriorImpl::chroma_logits(const torch::Tensor& h) {
    if (!basis_.defined() || basis_.device() != h.device()) basis_ = set_basis(h.device());
    return torch::matmul(linear(*chroma_out_, h).to(torch::kFloat32), basis_) + set_bias_;
}

torch::Tensor PlanPriorImpl::density_logits(const torch::Tensor& h, const torch::Tensor& chroma) {
    auto u = h + linear(*chroma_in_, set_bits(chroma)).to(h.scalar_type());
    return linear(*density_out_, torch::gelu(u)).to(torch::kFloat32);
}

torch::Tensor PlanPriorImpl::nll(const BarPlans& plans) {
    auto h = hidden(plans.chroma, plans.density);
    auto lc = torch::log_softmax(chroma_logits(h), -1).gather(2, plans.chroma.unsqueeze(-1)).squeeze(-1);
    auto ld = torch::log_softmax(density_logits(h, plans.chroma), -1).gather(2, plans.density.unsqueeze(-1)).squeeze(-1);
    return -(lc + ld).sum(1);   // (B)
}

void PlanPriorImpl::sample(BarPlans& plans, double temperature, torch::Generator& gen) {
    const double t = std::max(temperature, 1e-6);
    const int64_t bars = plans.chroma.size(1);
    const auto device = plans.chroma.device();
    const auto sets = torch::arange(kChromaSets, longs(device)).unsqueeze(0);      // (1, 4096)
    const auto classes = torch::arange(kDensityClasses, longs(device)).unsqueeze(0);
    const float minus_inf = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < bars; ++j) {
        auto todo = plans.known.index({Slice(), j}).logical_not();   // (B)
        if (!todo.any().item<bool>()) continue;
        auto h = hidden(plans.chroma, plans.density).index({Slice(), j});   // causal: bars after j do not matter yet
        auto need = plans.known_chroma.index({Slice(), j}).unsqueeze(1);  // (B, 1): the known notes' pitch classes
        auto logits = (chroma_logits(h) / t).masked_fill((sets.bitwise_and(need) != need), minus_inf);
        auto chroma = categorical(torch::softmax(logits, -1), gen);
        plans.chroma.index_put_({Slice(), j}, torch::where(todo, chroma, plans.chroma.index({Slice(), j})));
        auto dl = (density_logits(h, plans.chroma.index({Slice(), j})) / t)
                      .masked_fill(classes < plans.known_density.index({Slice(), j}).unsqueeze(1), minus_inf);
        auto density = categorical(torch::softmax(dl, -1), gen);
        plans.density.index_put_({Slice(), j}, torch::where(todo, density, plans.density.index({Slice(), j})));
    }
}

}  // namespace fm
