// fractalmidi export — a checkpoint made ready to ship: the weights alone (no optimiser state), optionally in fp16.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "commands.h"
#include "core/error.h"
#include "core/safetensors.h"
#include "model/engine.h"

namespace fmcli {

namespace {

struct ExportArgs {
    std::string checkpoint, out;
    bool fp16 = false;
};

void run_export(const ExportArgs& a) {
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
    cmd->add_flag("--fp16", a->fp16, "Store the weights in half precision (half the size)");
    cmd->callback([a] { run_export(*a); });
}

}  // namespace fmcli
