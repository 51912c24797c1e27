// fractalmidi export — a checkpoint made ready to ship: the weights alone (no optimiser state), optionally in fp16.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include "commands.h"
#include "core/error.h"
#include "core/safetensors.h"
#include "model/checkpoint.h"
#include "model/engine.h"
#include "model/fractal_net.h"

namespace fmcli {

namespace {

struct ExportArgs {
    std::string checkpoint, out, unconditional_plan_from;
    bool fp16 = false;
};

// A model whose plan prior learnt conditions, with the plan prior of `plain` (a model without them) kept for samples that
// ask for nothing (ModelConfig::free_plan): what train --train_only plan now does itself, for runs made before it did.
void export_with_free_plan(const ExportArgs& a, const std::map<std::string, std::string>& meta) {
    fm::ModelConfig config = fm::load_net(a.checkpoint, torch::kCPU)->config();
    if (!config.plan || !config.conditions) throw fm::Error("--unconditional_plan_from: this model has no conditioned plan", a.checkpoint);
    config.free_plan = true;
    fm::FractalNet net = fm::seeded_net(config, 0);
    for (const std::string& name : fm::warm_start(a.checkpoint, net))
        if (name.rfind("plan_free.", 0) != 0) throw fm::Error("--unconditional_plan_from: " + name + " is missing or of another shape", a.checkpoint);
    const auto left = fm::warm_start(a.unconditional_plan_from, net, "plan_free.");
    if (!left.empty()) throw fm::Error("--unconditional_plan_from: no plan prior of this shape (" + left.front() + ")", a.unconditional_plan_from);
    fm::save_checkpoint(a.out, net, nullptr, meta, a.fp16);
    int64_t n = 0;
    for (const auto& t : net->parameters()) n += t.numel();
    std::printf("wrote %s (%lld parameters, %s weights, unconditional plan from %s, %.1f MB)\n", a.out.c_str(), (long long)n,
                a.fp16 ? "fp16" : "fp32", a.unconditional_plan_from.c_str(), double(std::filesystem::file_size(a.out)) / 1e6);
}

void run_export(const ExportArgs& a) {
    if (!a.unconditional_plan_from.empty()) {
        std::map<std::string, std::string> meta;
        const auto source = fm::read_safetensors_metadata(a.checkpoint);
        for (const char* key : {"step", "best_val_bits"})
            if (auto it = source.find(key); it != source.end()) meta[key] = it->second;
        meta["exported_from"] = std::filesystem::path(a.checkpoint).filename().string();
        export_with_free_plan(a, meta);
        return;
    }
    const auto engine = fm::Engine::load(a.checkpoint, "cpu");
    std::map<std::string, std::string> meta;   // where it came from, for the evaluation report
    const auto source = fm::read_safetensors_metadata(a.checkpoint);
    for (const char* key : {"step", "best_val_bits"})
        if (auto it = source.find(key); it != source.end()) meta[key] = it->second;
    meta["exported_from"] = std::filesystem::path(a.checkpoint).filename().string();
    engine->save(a.out, meta, a.fp16);
    std::printf("wrote %s (%lld parameters, %s weights, %.1f MB)\n", a.out.c_str(), (long long)engine->parameters(),
                a.fp16 ? "fp16" : "fp32", double(std::filesystem::file_size(a.out)) / 1e6);
}

}  // namespace

void add_export_command(CLI::App& app) {
    auto a = std::make_shared<ExportArgs>();
    CLI::App* cmd = app.add_subcommand("export", "Write a checkpoint's weights alone (no optimiser state), e.g. to ship as a default model");
    cmd->add_option("--checkpoint", a->checkpoint, "Trained checkpoint (.safetensors)")->required();
    cmd->add_option("--out", a->out, "The file to write (.safetensors)")->required();
    cmd->add_option("--unconditional_plan_from", a->unconditional_plan_from,
                    "A conditioned model: keep this model's plan prior (one without conditions) for samples that ask for nothing");
    cmd->add_flag("--fp16", a->fp16, "Store the weights in half precision (half the size)");
    cmd->callback([a] { run_export(*a); });
}

}  // namespace fmcli
