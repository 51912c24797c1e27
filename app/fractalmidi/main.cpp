// fractalmidi — the command-line tool over the FractalMIDI library.
#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.h"
#include "core/error.h"
#include "core/log.h"
#include "local_ranks.h"

int main(int argc, char** argv) {
    fmcli::keep_argv(argc, argv);
    fm::set_log_sink([](fm::LogLevel level, const std::string& message) {
        if (level == fm::LogLevel::debug) return;
        std::cerr << (level == fm::LogLevel::warning ? "warning: " : level == fm::LogLevel::error ? "error: " : "")
                  << message << "\n";
    });

    CLI::App app{"FractalMIDI: piano rolls, MIDI and the fractal generative model, from the command line."};
    app.set_version_flag("--version", "fractalmidi " FM_VERSION);
    app.require_subcommand(1);
    app.fallthrough(false);
    fmcli::add_info_command(app);
    fmcli::add_convert_command(app);
    fmcli::add_dataset_command(app);
#ifdef FM_HAVE_MODEL
    fmcli::add_train_command(app);
    fmcli::add_generate_command(app);
    fmcli::add_conditions_command(app);
    fmcli::add_bench_command(app);
    fmcli::add_export_command(app);
    fmcli::add_jam_command(app);
    fmcli::add_eval_tracks_command(app);
#endif

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);   // --help, --version
        std::cerr << "error: " << e.what() << " (see --help)\n";
        return 1;
    } catch (const fm::Error& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    } catch (const std::bad_alloc&) {
        std::cerr << "error: out of memory\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
