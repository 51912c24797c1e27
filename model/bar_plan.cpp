#include "bar_plan.h"

#include "core/error.h"
#include "model/conditions.h"
#include "model/cell_coding.h"
#include "model/draws.h"

#include <algorithm>
#include <limits>

namespace fm {

namespace F = torch::nn::functional;
using torch::indexing::Slice;

namespace {

constexpr int64_t kPairs = 66;                 // pairs of pitch classes
constexpr int64_t kPriorDepth = 3;
constexpr int kPhraseBars = 4;         // an asked key's tonic opens every phrase of this many bars

static_assert(kDensityClasses == kDensityBins, "the plan's density classes are the conditions' bins");

torch::TensorOptions longs(const torch::Device& device) { return torch::TensorOptions().dtype(torch::kLong).device(device); }

// Codes (...) long -> their low n bits (..., n) float.
torch::Tensor code_bits(const torch::Tensor& codes, int64_t n) {
    auto powers = torch::pow(2, torch::arange(n, longs(codes.device())));
    return (torch::div(codes.unsqueeze(-1), powers, "floor") % 2).to(torch::kFloat32);
}
torch::Tensor set_bits(const torch::Tensor& sets) { return code_bits(sets, 12); }   // pitch-class sets -> (..., 12)

// (..., n) bool -> (...) long: bit k set where element k is.
torch::Tensor bits_code(const torch::Tensor& bits) {
    auto powers = torch::pow(2, torch::arange(bits.size(-1), longs(bits.device())));
    return (bits.to(torch::kLong) * powers).sum(-1);
}

// Codes (B, 256) of half-bar patterns allowed where `need` (B) steps must start a note and `forbid` (B) steps must not.
torch::Tensor allowed_halves(const torch::Tensor& need, const torch::Tensor& forbid) {
    auto halves = torch::arange(kRhythmHalf, longs(need.device())).unsqueeze(0);
    return (halves.bitwise_and(need.unsqueeze(1)) == need.unsqueeze(1)) & (halves.bitwise_and(forbid.unsqueeze(1)) == 0);
}

// (B, R, bars, 16) bool per cell -> (B, bars) long: the set of pitch classes with any cell set; row r is in pitch class
// row_classes[r] (R).
torch::Tensor pitch_class_set(const torch::Tensor& cells, const torch::Tensor& row_classes) {
    auto any = cells.any(3).to(torch::kFloat32);                                                       // (B, R, bars)
    auto one_hot = F::one_hot(row_classes, 12).to(torch::kFloat32);                                  // (R, 12)
    auto per_class = (torch::einsum("brk,rc->bck", {any, one_hot}) > 0.5).to(torch::kLong);          // (B, 12, bars)
    auto powers = torch::pow(2, torch::arange(12, longs(cells.device()))).view({1, 12, 1});
    return (per_class * powers).sum(1);
}

// The pitch class of each of the time-major canvas' `rows` rows (tracks x pitch_rows from canvas_low; all 128 folded).
torch::Tensor row_pitch_classes(const ModelConfig& config, int64_t rows, const torch::Device& device) {
    const int64_t pr = config.layout == CanvasLayout::folded ? 128 : pitch_rows(config);
    return (canvas_low(config) + torch::arange(rows, longs(device)) % pr) % 12;
}

torch::Tensor density_class(const torch::Tensor& onsets) {   // (B, bars) counts -> classes
    auto edges = torch::tensor(std::vector<int64_t>(std::begin(kDensityEdges), std::end(kDensityEdges)), longs(onsets.device()));
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
    auto c = time_major(classes, config);   // (B, R, W): R = tracks x pitch rows
    const int64_t b = c.size(0), w = c.size(2), r = c.size(1);
    const int64_t want = config.layout == CanvasLayout::folded ? 128 : int64_t(track_count(config)) * pitch_rows(config);
    if (r != want || w % kStepsPerPlanBar != 0)
        throw Error("bar plan: the canvas must be " + std::to_string(want) + " rows by whole bars (got " + std::to_string(r) + " x " + std::to_string(w) + ")");
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
    auto per_bar = [&](const torch::Tensor& x) { return x.view({b, r, bars, kStepsPerPlanBar}); };
    BarPlans p;
    p.known_chroma = pitch_class_set(per_bar(sounding), row_pitch_classes(config, r, c.device()));
    p.known_density = density_class(per_bar(onset).sum({1, 3}));
    p.known = per_bar(known).all(3).all(1);
    p.chroma = p.known_chroma.clone();
    p.density = p.known_density.clone();
    auto step_onset = per_bar(onset).any(1);   // (B, bars, 16)
    p.known_rhythm = bits_code(step_onset);
    p.silent_steps = bits_code(per_bar(known).all(1) & step_onset.logical_not());
    p.rhythm = p.known_rhythm.clone();
    return p;
}

torch::Tensor plan_canvas(const BarPlans& plans, const ModelConfig& config, int64_t rows, int64_t cols, const torch::Tensor& style) {
    const int64_t b = plans.chroma.size(0);
    auto bits = set_bits(plans.chroma);                                                          // (B, bars, 12)
    const int64_t time_rows = config.layout == CanvasLayout::folded ? rows / 2 : rows;
    auto per_pitch = bits.index_select(2, row_pitch_classes(config, time_rows, bits.device()));   // (B, bars, R)
    auto value = per_pitch + 4.0 * plans.density.unsqueeze(-1).to(torch::kFloat32);
    if (style.defined()) value = value + kPlanStyleUnit * style.view({b, 1, 1}).to(torch::kFloat32);
    auto roll = value.permute({0, 2, 1}).repeat_interleave(kStepsPerPlanBar, 2);                 // (B, R, W)
    if (config.rhythm) {
        auto steps = code_bits(plans.rhythm, kStepsPerPlanBar).flatten(1);                       // (B, W)
        roll = roll + 2.0 * steps.unsqueeze(1);
    }
    auto canvas = canvas_major(roll.contiguous(), config);
    if (canvas.size(0) != b || canvas.size(1) != rows || canvas.size(2) != cols)
        throw Error("bar plan: plans for " + std::to_string(canvas.size(1)) + " x " + std::to_string(canvas.size(2)) + " cells, canvas " +
                    std::to_string(rows) + " x " + std::to_string(cols));
    return canvas;
}

PlanView plan_view(const torch::Tensor& plan_tokens, int64_t s) {
    const int64_t n = plan_tokens.size(0), t = plan_tokens.size(1);
    auto cells = plan_tokens.view({n, t, s, s});
    auto first_col = cells.select(3, 0), first_row = cells.select(2, 0);   // each row's first cell; each column's
    PlanView v;
    v.in = torch::fmod(first_col, 2.0);
    v.onset = torch::fmod(torch::div(first_row, 2.0, "floor"), 2.0);
    const auto first = first_col.select(2, 0);
    v.density = torch::div(torch::fmod(first, kPlanStyleUnit), 4.0, "floor").to(torch::kLong);
    v.style = torch::div(first, kPlanStyleUnit, "floor").to(torch::kLong);
    return v;
}

// ---------------------------------------------------------------------------------------------------------------
// The prior

PlanPriorImpl::PlanPriorImpl(int64_t width, bool rhythm, bool conditions) : width_(width) {
    in_ = register_module("in", torch::nn::Linear(12 + kDensityClasses, width));
    start_ = register_parameter("start", torch::randn({width}) * 0.02);
    transformer_ = register_module("transformer", Transformer(TransformerOptions(width, std::max<int64_t>(1, width / 32), kPriorDepth)));
    chroma_out_ = register_module("chroma_out", torch::nn::Linear(width, 12 + kPairs));
    set_bias_ = register_parameter("set_bias", torch::zeros({kChromaSets}));
    chroma_in_ = register_module("chroma_in", torch::nn::Linear(12, width));
    density_out_ = register_module("density_out", torch::nn::Linear(width, kDensityClasses));
    if (rhythm) {
        auto no_bias = [&](int64_t in) { return torch::nn::Linear(torch::nn::LinearOptions(in, width).bias(false)); };
        rhythm_in_ = register_module("rhythm_in", no_bias(kStepsPerPlanBar));
        rhythm_density_ = register_module("rhythm_density", no_bias(kStepsPerPlanBar));
        half_in_ = register_module("half_in", no_bias(kStepsPerPlanBar / 2));
        first_out_ = register_module("first_out", torch::nn::Linear(width, kRhythmHalf));
        second_out_ = register_module("second_out", torch::nn::Linear(width, kRhythmHalf));
        // What a model without rhythm computed stays the same at the start (--init_from): the rhythm enters at zero.
        torch::NoGradGuard no_grad;
        rhythm_in_->weight.zero_();
        rhythm_density_->weight.zero_();
    }
    if (conditions) {
        auto table = [&](const char* name, int64_t rows) {
            auto e = register_module(name, torch::nn::Embedding(rows, width));
            torch::NoGradGuard no_grad;
            e->weight.zero_();   // a model without conditions computes the same at first (--init_from)
            return e;
        };
        key_in_ = table("key_in", 1 + kKeyCodes);
        style_in_ = table("style_in", 1 + kStyles);
        tempo_in_ = table("tempo_in", 1 + kTempoBins);
        chord_in_ = table("chord_in", 1 + 12 * kChordQualities);
        density_in_ = table("cond_density_in", 1 + kDensityBins);
    }
}

PlanConditions plan_conditions(const std::vector<Conditions>& conditions, int64_t batch, int64_t first_bar, int64_t bars,
                               const torch::Device& device) {
    if (conditions.empty() || (conditions.size() != 1 && int64_t(conditions.size()) != batch))
        throw Error("plan conditions: " + std::to_string(conditions.size()) + " for a batch of " + std::to_string(batch));
    std::vector<int64_t> key, style, tempo, chord, density, need, allow, extra;
    for (int64_t b = 0; b < batch; ++b) {
        const Conditions& c = conditions[conditions.size() == 1 ? 0 : size_t(b)];
        key.push_back(c.key >= 0 ? 1 + c.key : 0);
        style.push_back(c.style == Style::any ? 0 : 1 + int(c.style));
        tempo.push_back(c.tempo > 0 ? 1 + tempo_bin(c.tempo) : 0);
        const int64_t scale = c.key >= 0 && c.scale_lock ? key_scale(key_of_code(c.key)) : kChromaSets - 1;
        for (int64_t j = 0; j < bars; ++j) {
            const int bar = int(first_bar + j);
            const int code = chord_code_at(c, bar);
            chord.push_back(code);
            density.push_back(density_code_at(c, bar));
            int64_t tones = code > 0 ? chord_pitch_classes(c.chords[size_t(bar) % c.chords.size()]) : 0;
            int64_t allowed = scale | tones;
            // Locked, a bar keeps to its chord: its tones and at most c.passing_tones others. Unlocked, the chord's tones
            // are only required.
            const bool tonic_bar = code == 0 && c.key >= 0 && c.scale_lock && (bar % kPhraseBars == 0 || bar % kPhraseBars == kPhraseBars - 1);
            extra.push_back((code > 0 || tonic_bar) && c.scale_lock ? std::clamp(c.passing_tones, 0, 12) : 12);
            if (tonic_bar) {
                // Phrases open and close on the tonic: the first and last bar of every 4 with no chord asked are the tonic
                // chord (as if it had been asked). Without it the scale alone leaves the relative and dominant keys as
                // likely: a major scale is also its relative minor's.
                const Key k = key_of_code(c.key);
                tones = chord_pitch_classes(Chord{k.tonic, k.minor ? ChordQuality::minor : ChordQuality::major, -1});
                allowed |= tones;
            }
            need.push_back(tones);
            allow.push_back(allowed);
        }
    }
    auto longs_of = [&](const std::vector<int64_t>& v, std::vector<int64_t> shape) {
        return torch::tensor(v, torch::kLong).view(shape).to(device);
    };
    PlanConditions p;
    p.key = longs_of(key, {batch}), p.style = longs_of(style, {batch}), p.tempo = longs_of(tempo, {batch});
    p.chord = longs_of(chord, {batch, bars}), p.density = longs_of(density, {batch, bars});
    p.need = longs_of(need, {batch, bars}), p.allow = longs_of(allow, {batch, bars}), p.extra = longs_of(extra, {batch, bars});
    return p;
}

torch::Tensor PlanPriorImpl::condition_inputs(const PlanConditions& cond, int64_t bars) {
    if (!key_in_ || !cond.defined()) return {};
    auto global = key_in_->forward(cond.key) + style_in_->forward(cond.style) + tempo_in_->forward(cond.tempo);   // (B, D)
    auto per_bar = chord_in_->forward(cond.chord) + density_in_->forward(cond.density);                          // (B, bars, D)
    if (per_bar.size(1) != bars) throw Error("plan conditions for " + std::to_string(per_bar.size(1)) + " bars, plans of " + std::to_string(bars));
    return per_bar + global.unsqueeze(1);
}

torch::Tensor PlanPriorImpl::hidden(const BarPlans& plans, const PlanConditions& cond) {
    const int64_t b = plans.chroma.size(0), bars = plans.chroma.size(1);
    auto features = torch::cat({set_bits(plans.chroma), F::one_hot(plans.density, kDensityClasses).to(torch::kFloat32)}, -1);   // (B, bars, 22)
    auto x = linear(*in_, features).to(torch::kFloat32);
    if (rhythm_in_) x = x + linear(*rhythm_in_, code_bits(plans.rhythm, kStepsPerPlanBar)).to(torch::kFloat32);
    // Input j holds the plan of bar j - 1 (the start vector for bar 0) and bar j's position.
    x = torch::cat({start_.view({1, 1, width_}).expand({b, 1, width_}), x.index({Slice(), Slice(0, bars - 1)})}, 1);
    x = x + positions_2d(1, bars, width_, plans.chroma.device()).unsqueeze(0);
    if (auto c = condition_inputs(cond, bars); c.defined()) x = x + c.to(x.scalar_type());   // input j: what bar j is asked
    return transformer_->forward(x, causal(bars, plans.chroma.device()));
}

torch::Tensor PlanPriorImpl::chroma_logits(const torch::Tensor& h) {
    if (!basis_.defined() || basis_.device() != h.device()) basis_ = set_basis(h.device());
    return torch::matmul(linear(*chroma_out_, h).to(torch::kFloat32), basis_) + set_bias_;
}

torch::Tensor PlanPriorImpl::given_chroma(const torch::Tensor& h, const torch::Tensor& chroma) {
    return h + linear(*chroma_in_, set_bits(chroma)).to(h.scalar_type());
}

torch::Tensor PlanPriorImpl::rhythm_logits(const torch::Tensor& u, const torch::Tensor& first_half) {
    if (!first_half.defined()) return linear(*first_out_, torch::gelu(u)).to(torch::kFloat32);
    auto v = u + linear(*half_in_, code_bits(first_half, kStepsPerPlanBar / 2)).to(u.scalar_type());
    return linear(*second_out_, torch::gelu(v)).to(torch::kFloat32);
}

torch::Tensor PlanPriorImpl::density_logits(const torch::Tensor& u, const torch::Tensor& rhythm) {
    auto v = rhythm_density_ ? u + linear(*rhythm_density_, code_bits(rhythm, kStepsPerPlanBar)).to(u.scalar_type()) : u;
    return linear(*density_out_, torch::gelu(v)).to(torch::kFloat32);
}

torch::Tensor PlanPriorImpl::nll(const BarPlans& plans, const PlanConditions& cond) {
    auto h = hidden(plans, cond);
    auto pick = [](const torch::Tensor& logits, const torch::Tensor& target) {
        return torch::log_softmax(logits, -1).gather(2, target.unsqueeze(-1)).squeeze(-1);
    };
    auto u = given_chroma(h, plans.chroma);
    auto log_p = pick(chroma_logits(h), plans.chroma) + pick(density_logits(u, plans.rhythm), plans.density);
    if (first_out_) {
        auto first = plans.rhythm % kRhythmHalf;
        log_p = log_p + pick(rhythm_logits(u), first) + pick(rhythm_logits(u, first), torch::div(plans.rhythm, kRhythmHalf, "floor"));
    }
    return -log_p.sum(1);   // (B)
}

namespace {
torch::Tensor twice(const torch::Tensor& t) { return t.defined() ? torch::cat({t, t}, 0) : t; }
}  // namespace

void PlanPriorImpl::sample(BarPlans& plans, const PlanConditions& cond, double temperature, double guidance, torch::Generator& gen) {
    const double t = std::max(temperature, 1e-6);
    const int64_t b = plans.chroma.size(0), bars = plans.chroma.size(1);
    const auto device = plans.chroma.device();
    const auto sets = torch::arange(kChromaSets, longs(device)).unsqueeze(0);      // (1, 4096)
    const auto classes = torch::arange(kDensityClasses, longs(device)).unsqueeze(0);
    const float minus_inf = -std::numeric_limits<float>::infinity();
    // Guided: the first B rows of every pass are given the conditions, the last B none but the style; their logits are
    // combined. The style is the corpus the music comes from, a context rather than a target: given to both halves, it
    // acts at full strength and is not pushed past its corpus (guided too, at 2, classical pieces came out with a third
    // more pitch classes per bar than ASAP's own; docs/CONTROL.md).
    const bool guided = guidance != 1.0 && key_in_ && cond.defined();
    PlanConditions in = cond;
    if (guided) {
        auto none = [](const torch::Tensor& x) { return torch::cat({x, torch::zeros_like(x)}, 0); };
        in.key = none(cond.key), in.style = twice(cond.style), in.tempo = none(cond.tempo);
        in.chord = none(cond.chord), in.density = none(cond.density);
    }
    auto rows = [&](const torch::Tensor& x) { return guided ? twice(x) : x; };   // a (B, ...) tensor for both halves
    auto logits_of = [&](const torch::Tensor& l) {   // (2B or B, K) -> (B, K), divided by the temperature
        if (!guided) return l / t;
        auto c = l.index({Slice(0, b)}), u = l.index({Slice(b)});
        return (u + guidance * (c - u)) / t;
    };
    for (int64_t j = 0; j < bars; ++j) {
        auto todo = plans.known.index({Slice(), j}).logical_not();   // (B)
        if (!todo.any().item<bool>()) continue;
        BarPlans both = plans;
        if (guided) both.chroma = twice(plans.chroma), both.density = twice(plans.density), both.rhythm = twice(plans.rhythm);
        auto h = hidden(both, in).index({Slice(), j});   // causal: bars after j do not matter yet
        auto need = plans.known_chroma.index({Slice(), j});  // (B): the known notes' pitch classes, and an asked chord's tones
        auto allow = torch::full_like(need, kChromaSets - 1);
        if (cond.need.defined()) need = need.bitwise_or(cond.need.index({Slice(), j})), allow = cond.allow.index({Slice(), j}).bitwise_or(need);
        need = need.unsqueeze(1), allow = allow.unsqueeze(1);
        auto out_of_bounds = (sets.bitwise_and(need) != need) | (sets.bitwise_and(allow.bitwise_not()) != 0);
        if (cond.extra.defined()) {   // at most `extra` pitch classes besides the needed ones
            if (!set_sizes_.defined() || set_sizes_.device() != device) set_sizes_ = set_bits(torch::arange(kChromaSets, longs(device))).sum(-1).to(torch::kLong);
            const auto beyond = set_sizes_.unsqueeze(0) - set_sizes_.index({need.squeeze(1)}).unsqueeze(1);   // (B, 4096) for supersets of need
            out_of_bounds = out_of_bounds | (beyond > cond.extra.index({Slice(), j}).unsqueeze(1));
        }
        auto chroma = categorical(torch::softmax(logits_of(chroma_logits(h)).masked_fill(out_of_bounds, minus_inf), -1), gen);
        plans.chroma.index_put_({Slice(), j}, torch::where(todo, chroma, plans.chroma.index({Slice(), j})));
        auto u = given_chroma(h, rows(plans.chroma.index({Slice(), j})));
        if (first_out_) {   // the rhythm: the first half bar, then the second given it
            auto starts = plans.known_rhythm.index({Slice(), j}), forbid = plans.silent_steps.index({Slice(), j});
            auto draw_half = [&](const torch::Tensor& logits, int64_t shift) {
                auto half = [&](const torch::Tensor& steps) { return torch::div(steps, int64_t(1) << shift, "floor") % kRhythmHalf; };
                auto ok = allowed_halves(half(starts), half(forbid));
                return categorical(torch::softmax(logits_of(logits).masked_fill(ok.logical_not(), minus_inf), -1), gen);
            };
            auto first = draw_half(rhythm_logits(u), 0);
            auto second = draw_half(rhythm_logits(u, rows(first)), kStepsPerPlanBar / 2);
            plans.rhythm.index_put_({Slice(), j}, torch::where(todo, first + kRhythmHalf * second, plans.rhythm.index({Slice(), j})));
        }
        auto dl = logits_of(density_logits(u, rows(plans.rhythm.index({Slice(), j}))))
                      .masked_fill(classes < plans.known_density.index({Slice(), j}).unsqueeze(1), minus_inf);
        auto density = categorical(torch::softmax(dl, -1), gen);
        plans.density.index_put_({Slice(), j}, torch::where(todo, density, plans.density.index({Slice(), j})));
    }
}

}  // namespace fm
