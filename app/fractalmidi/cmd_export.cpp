// fractalmidi export — a checkpoint made ready to ship: the weights alone (no optimiser state), optionally in fp16.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "core/error.h"
#include "core/safetensors.h"
#include "model/checkpoint.h"
#include "model/fractal_net.h"

namespace fmcli {

namespace {

struct ExportArgs {
    std::string checkpoint, out, unconditional_plan_from;
    std::vector<std::string> plan_only_styles;
    bool fp16 = false;
};

// The metadata an exported file keeps of its source (for the evaluation report), and the styles it serves by the plan alone.
std::map<std::string, std::string> export_metadata(const ExportArgs& a) {
    std::map<std::string, std::string> meta;
    const auto source = fm::read_safetensors_metadata(a.checkpoint);
    for (const char* key : {"step", "best_val_bits", "plan_only_styles", "exported_from"})
        if (auto it = source.find(key); it != source.end()) meta[key] = it->second;
    if (!meta.count("exported_from")) meta["exported_from"] = std::filesystem::path(a.checkpoint).filename().string();   // a run's file
    return meta;
}

// --plan_only_style: those styles' vectors in the levels' style tables set to zero (fm::drop_level_style), named in the
// file's metadata so that `info` shows them.
void drop_level_styles(const ExportArgs& a, fm::FractalNet& net, std::map<std::string, std::string>& meta) {
    std::string names = meta.count("plan_only_styles") ? meta["plan_only_styles"] : "";
    for (const std::string& name : a.plan_only_styles) {
        const fm::Style style = fm::parse_style(name);
        if (style == fm::Style::any) throw fm::Error("--plan_only_style: name a style (pop, classical, folk or chorale)");
        if (!fm::drop_level_style(net, style))
            throw fm::Error("--plan_only_style: this model's levels have no style table (its styles act through the plan alone already)", a.checkpoint);
        const std::string n = fm::style_name(style);
        if (("," + names + ",").find("," + n + ",") == std::string::npos) names += (names.empty() ? "" : ",") + n;
    }
    if (!names.empty()) meta["plan_only_styles"] = names;
}

// Both ways out: --plan_only_style applied, the file written, and a line saying what it holds (`what`: more of it).
void write_export(const ExportArgs& a, fm::FractalNet& net, std::map<std::string, std::string>& meta, const std::string& what) {
    drop_level_styles(a, net, meta);
    fm::save_checkpoint(a.out, net, nullptr, meta, a.fp16);
    int64_t n = 0;
    for (const auto& t : net->parameters()) n += t.numel();
    std::printf("wrote %s (%lld parameters, %s weights%s, %.1f MB)\n", a.out.c_str(), (long long)n, a.fp16 ? "fp16" : "fp32",
                what.c_str(), double(std::filesystem::file_size(a.out)) / 1e6);
}

// A model whose plan prior learnt conditions, with the plan prior of `plain` (a model without them) kept for samples that
// ask for nothing (ModelConfig::free_plan): what train --train_only plan now does itself, for runs made before it did.
void export_with_free_plan(const ExportArgs& a, std::map<std::string, std::string>& meta) {
    fm::ModelConfig config = fm::load_net(a.checkpoint, torch::kCPU)->config();
    if (!config.plan || !config.conditions) throw fm::Error("--unconditional_plan_from: this model has no conditioned plan", a.checkpoint);
    config.free_plan = true;
    fm::FractalNet net = fm::seeded_net(config, 0);
    for (const std::string& name : fm::warm_start(a.checkpoint, net))
        if (name.rfind("plan_free.", 0) != 0) throw fm::Error("--unconditional_plan_from: " + name + " is missing or of another shape", a.checkpoint);
    const auto left = fm::warm_start(a.unconditional_plan_from, net, "plan_free.");
    if (!left.empty()) throw fm::Error("--unconditional_plan_from: no plan prior of this shape (" + left.front() + ")", a.unconditional_plan_from);
    write_export(a, net, meta, ", unconditional plan from " + a.unconditional_plan_from);
}

void run_export(const ExportArgs& a) {
    std::map<std::string, std::string> meta = export_metadata(a);
    if (!a.unconditional_plan_from.empty()) {
        export_with_free_plan(a, meta);
        return;
    }
    fm::FractalNet net = fm::load_net(a.checkpoint, torch::kCPU);
    write_export(a, net, meta, "");
}

}  // namespace

void add_export_command(CLI::App& app) {
    auto a = std::make_shared<ExportArgs>();
    CLI::App* cmd = app.add_subcommand("export", "Write a checkpoint's weights alone (no optimiser state), e.g. to ship as a default model");
    cmd->add_option("--checkpoint", a->checkpoint, "Trained checkpoint (.safetensors)")->required();
    cmd->add_option("--out", a->out, "The file to write (.safetensors)")->required();
    cmd->add_option("--unconditional_plan_from", a->unconditional_plan_from,
                    "A conditioned model: keep this model's plan prior (one without conditions) for samples that ask for nothing");
    cmd->add_option("--plan_only_style", a->plan_only_styles,
                    "A style whose vectors in the levels' style tables are set to zero: it then acts through the bar plan alone (repeatable)");
    cmd->add_flag("--fp16", a->fp16, "Store the weights in half precision (half the size)");
    cmd->callback([a] { run_export(*a); });
}

}  // namespace fmcli
