// commands.h — the `fractalmidi` subcommands. Each registers its flags on the app and runs through the
// library; errors are thrown as fm::Error and printed by main() as "error: FILE: reason".
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace fmcli {

void add_info_command(CLI::App& app);
// info on a .safetensors file: the checkpoint's checks, architecture and step (cmd_info_checkpoint.cpp; with the model)
void print_checkpoint_info(const std::string& path, bool json);
void add_convert_command(CLI::App& app);
void add_dataset_command(CLI::App& app);
void add_train_command(CLI::App& app);      // only with the model (FM_HAVE_MODEL)
void add_generate_command(CLI::App& app);   // generate and eval; only with the model
void add_conditions_command(CLI::App& app); // eval-conditions; only with the model
void add_bench_command(CLI::App& app);      // only with the model
void add_export_command(CLI::App& app);     // only with the model
void add_jam_command(CLI::App& app);        // only with the model
void add_eval_tracks_command(CLI::App& app); // eval-tracks; only with the model

}  // namespace fmcli
