#include "cell_coding.h"

namespace fm {

using torch::indexing::Slice;

namespace {

// Each cell's left neighbour along time; `edge` for the first step.
torch::Tensor left_of(const torch::Tensor& x, double edge) {
    return torch::cat({torch::full_like(x.index({Slice(), Slice(), Slice(0, 1)}), edge), x.index({Slice(), Slice(), Slice(0, -1)})}, 2);
}

// Decoded values of a time-major class canvas, given the values of its anchors (every cell that is not a generated
// hold): each hold takes its anchor's value; where the anchor is silent, unknown or absent, the run of holds is a note
// at the first hold's fallback value.
torch::Tensor fill_holds(const torch::Tensor& anchor_value, const torch::Tensor& is_hold, const torch::Tensor& fallback) {
    const int64_t w = anchor_value.size(2);
    auto steps = torch::arange(w, torch::TensorOptions().dtype(torch::kLong).device(anchor_value.device())).view({1, 1, w});
    auto anchor = std::get<0>(torch::where(is_hold, torch::full_like(steps, -1).expand_as(is_hold), steps.expand_as(is_hold)).cummax(2));
    auto value = anchor_value.gather(2, anchor.clamp_min(0));
    // The first hold of each run: the cell after its anchor (or step 0).
    auto first = fallback.gather(2, (anchor + 1).clamp_max(w - 1));
    value = torch::where((anchor >= 0) & (value > 0), value, first);
    return torch::where(is_hold, value, anchor_value);
}

}  // namespace

torch::Tensor time_major(const torch::Tensor& x, const ModelConfig& config) {
    if (config.layout != CanvasLayout::folded) return x;
    const int64_t half = x.size(1) / 2;
    return torch::cat({x.index({Slice(), Slice(0, half)}), x.index({Slice(), Slice(half)})}, 2);
}

torch::Tensor canvas_major(const torch::Tensor& x, const ModelConfig& config) {
    if (config.layout != CanvasLayout::folded) return x;
    const int64_t half = x.size(2) / 2;
    return torch::cat({x.index({Slice(), Slice(), Slice(0, half)}), x.index({Slice(), Slice(), Slice(half)})}, 1);
}

int64_t note_classes(const ModelConfig& config) { return config.cells == CellCoding::notes ? 129 : 128; }

torch::Tensor holds_with_fallback(const torch::Tensor& classes, const torch::Tensor& is_hold, const torch::Tensor& onset) {
    return torch::where(is_hold, double(kHoldClass) + onset.to(classes.scalar_type()) / kFallbackScale, classes);
}

torch::Tensor encode_cells(const torch::Tensor& canvas, const ModelConfig& config) {
    auto velocity = torch::where(canvas < 0, torch::full_like(canvas, -1.0), (canvas * 127.0).round().clamp(0, 127));
    if (config.cells == CellCoding::velocity) return velocity;
    auto v = time_major(canvas, config);
    auto vel = time_major(velocity, config);
    auto hold = (v > 0) & (left_of(v, -2.0) == v);
    auto cls = torch::where(v < 0, torch::full_like(v, -1.0),
                            torch::where(v <= 0, torch::zeros_like(v), torch::where(hold, torch::full_like(v, double(kHoldClass)), vel.clamp_min(1) + 1)));
    return canvas_major(cls, config);
}

torch::Tensor decode_cells(const torch::Tensor& classes, const torch::Tensor& canvas, const ModelConfig& config) {
    const auto known = canvas >= 0;
    if (config.cells == CellCoding::velocity)
        return torch::where(known, canvas, torch::where(classes < 0, torch::full_like(canvas, -1.0), classes / 127.0));
    auto c = time_major(classes, config), o = time_major(canvas, config), k = time_major(known, config);
    auto is_hold = k.logical_not() & (c >= double(kHoldClass)) & (c < double(kHoldClass) + 1);
    auto generated_onset = k.logical_not() & (c >= double(kHoldClass) + 1);
    auto anchor = torch::where(k, o, torch::where(c < 0, torch::full_like(o, -1.0), (c - 1).clamp_min(0) / 127.0));
    auto onset = ((c - double(kHoldClass)) * kFallbackScale).round();   // a hold's fallback onset class, 0 when none
    auto fallback = torch::where(is_hold & (onset >= 2), (onset - 1) / 127.0, torch::full_like(o, kPendingVelocity / 127.0));
    auto value = fill_holds(anchor, is_hold, fallback);
    // An onset right after a note of its own value would merge into it on export: nudge it (a few passes settle chains).
    for (int pass = 0; pass < 4; ++pass) {
        auto clash = generated_onset & (left_of(value, -2.0) == anchor);
        if (!clash.any().item<bool>()) break;
        auto up = anchor + 1.0 / 127.0;
        anchor = torch::where(clash, torch::where(up > 1.0 + 1e-6, anchor - 1.0 / 127.0, up), anchor);
        value = fill_holds(anchor, is_hold, fallback);
    }
    return canvas_major(value, config);
}

}  // namespace fm
