// fractalmidi info MODEL.safetensors — what a checkpoint holds, after the same checks the loaders make (the tensors
// against the digest stored when the file was written, every weight finite): architecture, step, validation bits,
// whether it can resume a run (optimiser state, moving average).
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "commands.h"
#include "core/safetensors.h"
#include "model/checkpoint.h"
#include "model/model_config.h"

namespace fmcli {

void print_checkpoint_info(const std::string& path, bool json) {
    fm::Metadata meta;
    const fm::FractalNet net = fm::load_net(path, torch::Device(torch::kCPU), &meta);   // throws on damage
    const fm::StFile file = fm::load_safetensors(path);   // the names (load_net keeps only what the net uses)
    bool optimiser = false, ema = false;
    for (const auto& t : file.tensors) {
        optimiser |= t.name.rfind("optim.", 0) == 0;
        ema |= t.name.rfind("ema.", 0) == 0;
    }
    int64_t parameters = 0;
    for (const auto& t : net->parameters()) parameters += t.numel();
    const fm::ModelConfig& c = net->config();
    const auto field = [&](const char* key) { auto it = meta.find(key); return it == meta.end() ? std::string() : it->second; };
    const std::string digest = field("tensor_digest");
    if (json) {
        nlohmann::json j = {{"file", path}, {"preset", c.preset}, {"parameters", parameters}, {"crop_length", c.crop_length},
                            {"layout", fm::to_string(c.layout)}, {"cells", fm::to_string(c.cells)}, {"plan", c.plan},
                            {"tensors", file.tensors.size()}, {"digest", digest}, {"verified", !digest.empty()},
                            {"optimizer_state", optimiser}, {"ema", ema}, {"conditions", c.plan && c.conditions},
                            {"level_style", c.plan && c.conditions && c.level_style}, {"free_plan", c.plan && c.conditions && c.free_plan}};
        j["pitch_range"] = {c.pitch_low, c.pitch_high};
        j["tracks"] = c.track_names;   // empty: one track
        if (!field("step").empty()) j["step"] = std::stoll(field("step"));
        if (!field("best_val_bits").empty()) j["best_val_bits"] = std::stod(field("best_val_bits"));
        if (!field("plan_only_styles").empty()) j["plan_only_styles"] = field("plan_only_styles");
        std::cout << j.dump() << "\n";
        return;
    }
    std::printf("file:           %s\n", path.c_str());
    std::printf("model:          %s, %lld parameters, %d-step crops (%s layout), %s cells%s\n", c.preset.c_str(),
                (long long)parameters, c.crop_length, fm::to_string(c.layout), fm::to_string(c.cells), c.plan ? ", bar plan" : "");
    if (c.plan && c.conditions)   // what generate --key/--chords/--tempo/--density/--style reach (docs/CONTROL.md)
        std::printf("conditions:     key, chords, tempo, density, style (%s%s%s)%s\n", c.level_style ? "plan and levels" : "plan",
                    field("plan_only_styles").empty() ? "" : "; by the plan alone: ", field("plan_only_styles").c_str(),
                    c.free_plan ? "; its own prior when nothing is asked" : "");
    else if (c.plan)
        std::printf("conditions:     none learnt (an asked key or chords only bound its plan's notes)\n");
    else
        std::printf("conditions:     none (no bar plan: generate refuses --key, --chords, --tempo, --density and --style)\n");
    std::printf("pitches:        %d-%d%s\n", c.pitch_low, c.pitch_high, c.pitch_low == fm::kPianoLow && c.pitch_high == fm::kPianoHigh ? " (the 88 keys)" : "");
    if (!c.track_names.empty()) {
        std::string names;
        for (const auto& n : c.track_names) names += (names.empty() ? "" : ", ") + n;
        std::printf("tracks:         %s (generate --keep_tracks / --tracks)\n", names.c_str());
    }
    if (!field("step").empty()) std::printf("step:           %s\n", field("step").c_str());
    if (!field("best_val_bits").empty()) std::printf("best val:       %s bits/cell\n", field("best_val_bits").c_str());
    std::printf("tensors:        %zu%s%s\n", file.tensors.size(), optimiser ? ", with the optimiser state (resumable)" : "",
                ema ? ", with the weights' moving average" : "");
    std::printf("digest:         %s\n", digest.empty() ? "none (an older file or another tool's: damage cannot be detected)"
                                                        : (digest + " (verified)").c_str());
}

}  // namespace fmcli
