#include "generator.h"

#include <algorithm>
#include <cstddef>

#include "core/error.h"
#include "core/log.h"
#include "model/bar_plan.h"
#include "model/canvas.h"

namespace fm {

GenerateMode parse_generate_mode(const std::string& s) {
    if (s == "unconditional") return GenerateMode::unconditional;
    if (s == "continuation") return GenerateMode::continuation;
    if (s == "inpainting") return GenerateMode::inpainting;
    throw Error("mode '" + s + "' is not unconditional, continuation or inpainting");
}

Roll initial_canvas(const GenerateParams& p, int rows) {
    check_width(p.width);
    if (p.mode == GenerateMode::unconditional) return Roll(p.width, kUnknown, rows);
    if (p.input.width == 0) throw Error("this mode needs an input roll (--input_midi)");
    if (p.input.rows != rows)
        throw Error("the input has " + std::to_string(p.input.rows / kPitches) + " track(s) of 128 pitches; the model makes " +
                    std::to_string(rows / kPitches));
    Roll known = pad(p.input, p.width);
    if (p.mode == GenerateMode::continuation) {
        if (p.condition_length < 0 || p.condition_length > p.width)
            throw Error("--condition_length " + std::to_string(p.condition_length) + " must be within 0.." + std::to_string(p.width));
        for (int r = 0; r < rows; ++r)
            for (int t = p.condition_length; t < p.width; ++t) known.at(r, t) = kUnknown;
        return known;
    }
    if (!p.cell_mask.empty()) {
        if (p.cell_mask.size() != size_t(rows) * size_t(p.width))
            throw Error("the inpainting mask has " + std::to_string(p.cell_mask.size()) + " cells, not " + std::to_string(rows) + " x " +
                        std::to_string(p.width));
        size_t regenerated = 0;
        for (size_t i = 0; i < p.cell_mask.size(); ++i)
            if (p.cell_mask[i]) known.cells[i] = kUnknown, ++regenerated;
        if (regenerated == 0) throw Error("the inpainting mask is empty: mark the cells to regenerate");
        return known;
    }
    if (p.mask_start < 0 || p.mask_end > p.width || p.mask_start >= p.mask_end)
        throw Error("the inpainting mask [" + std::to_string(p.mask_start) + ", " + std::to_string(p.mask_end) +
                    ") must be a non-empty range within 0.." + std::to_string(p.width));
    if (p.pitch_low < 0 || p.pitch_high > 127 || p.pitch_low > p.pitch_high) throw Error("the pitch range must lie within 0..127");
    for (int k = 0; k < rows / kPitches; ++k)   // the rectangle in every track
        for (int r = p.pitch_low; r <= p.pitch_high; ++r)
            for (int t = p.mask_start; t < p.mask_end; ++t) known.at(k * kPitches + r, t) = kUnknown;
    return known;
}

void write_tracks(GenerateParams& p, int tracks, const std::vector<int>& written) {
    // What the mode regenerates (initial_canvas's unknown cells), in the written tracks alone.
    const Roll canvas = initial_canvas(p, tracks * kPitches);
    const size_t per_track = size_t(kPitches) * size_t(p.width);
    std::vector<uint8_t> mask(canvas.cells.size(), 0);
    for (int k : written) {
        if (k < 0 || k >= tracks) throw Error("no track " + std::to_string(k) + " among " + std::to_string(tracks));
        for (size_t i = size_t(k) * per_track; i < size_t(k + 1) * per_track; ++i) mask[i] = canvas.cells[i] == kUnknown;
    }
    p.mode = GenerateMode::inpainting;
    p.cell_mask = std::move(mask);
}

namespace {

void paste(Roll& dst, const Roll& src, int offset, int width) {
    for (int p = 0; p < dst.rows; ++p)
        for (int t = 0; t < width && offset + t < dst.width; ++t) dst.at(p, offset + t) = src.at(p, t);
}

}  // namespace

std::vector<Roll> generate(FractalNet& net, const GenerateParams& p, const ProgressFn& progress, const CancelFlag* cancel) {
    if (p.num_samples <= 0) throw Error("--num_samples must be positive");
    if (!(p.temperature > 0)) throw Error("--temperature must be positive");
    if (!(p.velocity_temperature > 0)) throw Error("--velocity_temperature must be positive");
    if (!(p.plan_temperature > 0)) throw Error("--plan_temperature must be positive");
    if (!(p.guidance >= 0 && p.guidance <= 20)) throw Error("--cfg " + std::to_string(p.guidance) + " must be within 0..20 (1: off)");
    check_conditions(p.conditions);
    for (int it : p.num_iter)
        if (it <= 0) throw Error("--num_iter_list entries must be positive");
    const ModelConfig& config = net->config();
    const Roll start = initial_canvas(p, roll_rows(config));
    std::vector<Roll> rolls(size_t(p.num_samples), start);

    const std::vector<GenerationWindow> spans = generation_windows(p.width, config);
    const auto device = net->parameters().front().device();
    torch::NoGradGuard no_grad;
    net->eval();
    auto gen = at::detail::createCPUGenerator(p.seed);
    SampleOptions opt;
    opt.num_iter = p.num_iter, opt.temperature = p.temperature, opt.gate = p.gate, opt.keep_occupied = p.keep_occupied;
    opt.velocity_temperature = p.velocity_temperature, opt.plan_temperature = p.plan_temperature, opt.plan_rules = p.plan_rules;
    opt.guidance = p.guidance;
    // A model with a plan but no conditions still keeps to an asked key's scale and chords' tones (rules on its plan);
    // one without a plan can take none.
    const bool conditioned = config.plan && p.conditions.any();
    if (p.conditions.any() && !config.plan)
        throw Error("this model has no bar plan, so it cannot take a key, chords, tempo, density or style: use a model trained with one");
    if (p.conditions.any() && !config.conditions)
        log_warning("this model was trained without conditions: an asked key and chords only limit its plan's notes; tempo, "
                    "density and style are not followed");

    for (size_t i = 0; i < spans.size(); ++i) {
        const int offset = spans[i].offset, w = spans[i].width;
        std::vector<Roll> windows;
        for (const Roll& r : rolls) windows.push_back(crop(r, offset, w, kUnknown));
        auto canvas = rolls_to_canvas(windows, config, device, kUnknown);   // padding is generated, then cut
        NetReport report;
        if (progress)
            report = [&](int level, int step, int of, const torch::Tensor& c) {
                Roll shown = rolls[0];
                paste(shown, crop(canvas_to_roll(c[0], config), 0, w), offset, w);
                progress({level, step, of, &shown, int(i), int(spans.size())});
            };
        PlanConditions cond;   // the window's bars of what was asked (per-bar lists count from the roll's step 0)
        if (conditioned) {
            const int64_t steps = config.layout == CanvasLayout::folded ? 2 * canvas.size(2) : canvas.size(2);
            cond = plan_conditions({p.conditions}, canvas.size(0), offset / kStepsPerBar, steps / kStepsPerBar, device);
        }
        auto out = net->sample({canvas, cond}, opt, gen, report, cancel);
        for (size_t b = 0; b < rolls.size(); ++b) paste(rolls[b], crop(canvas_to_roll(out[int64_t(b)], config), 0, w), offset, w);
        if (cancelled(cancel)) break;
    }
    return rolls;
}

std::vector<GenerationWindow> generation_windows(int width, const ModelConfig& config) {
    check_width(width);
    const int unit = canvas_unit(config);
    const int window = std::min(width, std::max(unit, config.crop_length / unit * unit));
    const int hop = std::max(4, window / 2 / 4 * 4);
    std::vector<GenerationWindow> spans;
    for (int offset = 0;; offset += hop) {
        spans.push_back({offset, std::min(window, width - offset)});
        if (offset + spans.back().width >= width) break;
    }
    return spans;
}

}  // namespace fm
