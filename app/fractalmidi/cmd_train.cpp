// fractalmidi train — train the fractal model (flag names as in the original FractalMIDI scripts).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <type_traits>

#include "commands.h"
#include "core/error.h"
#include "interrupt.h"
#include "local_ranks.h"
#include "model/trainer.h"

namespace fmcli {

namespace {

std::string clock(double s) {
    char buf[32];
    const int t = int(s);
    std::snprintf(buf, sizeof buf, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
    return buf;
}

}  // namespace

void add_train_command(CLI::App& app) {
    auto p = std::make_shared<fm::TrainParams>();
    CLI::App* cmd = app.add_subcommand("train", "Train the fractal model on MIDI files (Ctrl+C saves and stops; --resume continues)");
    // One flag per field of fm::TrainParams, from its list: names, help and defaults (train_params.h).
    fm::for_each_train_param([cmd, p](const char* name, auto field, const char* help) {
        const std::string flag = std::string("--") + name;
        using Field = decltype(field);
        if constexpr (std::is_same_v<Field, bool fm::TrainParams::*>) {
            if (field == &fm::TrainParams::resume) {   // a switch; the other booleans take true|false
                cmd->add_flag(flag, (*p).*field, help);
                return;
            }
        }
        CLI::Option* o = cmd->add_option(flag, (*p).*field, help);
        if constexpr (std::is_same_v<Field, std::string fm::TrainParams::*>) {
            if (field == &fm::TrainParams::train_data || field == &fm::TrainParams::output_dir) o->required();
            if (!((*p).*field).empty()) o->capture_default_str();
        } else {
            o->capture_default_str();
        }
        if constexpr (std::is_same_v<Field, uint64_t fm::TrainParams::*>)   // CLI11 would wrap -5 round to 2^64 - 5
            o->check(CLI::Validator([](std::string& v) { return v.find('-') == std::string::npos ? std::string() : v + " is negative"; },
                                    ""));
    });
    auto nproc = std::make_shared<int>(0);
    cmd->add_option("--nproc_per_node", *nproc,
                    "Start this many ranks of a data-parallel job on this machine (as torchrun does; the global batch is "
                    "--train_batch_size, shared out); 0: one process, or one rank of a job torchrun started")
        ->check(CLI::Range(0, 1024));
    cmd->callback([p, nproc] {
        fm::validate(*p);   // a value out of range: one error line, before anything is read or written
        if (*nproc > 1) {
            const std::string failed = run_local_ranks(*nproc, own_args_without_nproc_flag());
            if (!failed.empty()) throw fm::Error("training stopped: " + failed);
            return;
        }
        Interrupt stop;
        fm::train(*p, [](const fm::TrainStatus& s) {
            if (s.stopped || s.scanned) {   // a line of its own: where it stopped, or what the data scan found
                std::printf("%s\n", s.message.c_str());
                return;
            }
            std::printf("step %6d/%d  loss %.4f bits/cell  lr %.2e  %.2f steps/s  ETA %s", s.step, s.max_steps, s.loss_bits, s.lr,
                        s.steps_per_s, clock(s.eta_s).c_str());
            if (s.val_bits >= 0) std::printf("  val %.4f bits/cell", s.val_bits);
            std::printf("\n");
            if (!s.message.empty()) std::printf("%s\n", s.message.c_str());
            if (!s.sample_path.empty()) std::printf("sample: %s\n", s.sample_path.c_str());
            std::fflush(stdout);
        }, stop.flag());
    });
}

}  // namespace fmcli
