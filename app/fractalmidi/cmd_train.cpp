// fractalmidi train — train the fractal model (flag names as in the original FractalMIDI scripts).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "commands.h"
#include "interrupt.h"
#include "model/precision.h"
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
    cmd->add_option("--train_data", p->train_data, "Folder of MIDI files (recursive) or a list file, one path per line")->required();
    cmd->add_option("--val_data", p->val_data, "Validation folder or list (default: a share of --train_data's files)");
    cmd->add_option("--val_fraction", p->val_fraction, "Share of files held out when there is no --val_data")->capture_default_str();
    cmd->add_option("--model", p->model, "Model size: tiny (tests), small, base (the original's)")->capture_default_str();
    cmd->add_option("--generator_types", p->generator_types,
                    "Four entries mar|ar: levels 16x16, 4x4 and 1x1, then the velocity head (a per-cell head; "
                    "either value gives the same head)")->capture_default_str();
    cmd->add_option("--scan_order", p->scan_order, "AR levels: row_major (pitch first) or column_major (time first)")->capture_default_str();
    cmd->add_option("--layout", p->layout, "How a 512-wide model sees its canvas: long (128x512) or folded (256x256)")->capture_default_str();
    cmd->add_option("--crop_length", p->crop_length, "Steps (1/16 notes) per training crop, a multiple of 16")->capture_default_str();
    cmd->add_option("--train_batch_size", p->train_batch_size, "Crops per step")->capture_default_str();
    cmd->add_option("--max_steps", p->max_steps, "Steps to train for (in all, when resuming)")->capture_default_str();
    cmd->add_option("--lr", p->lr, "Peak learning rate (AdamW)")->capture_default_str();
    cmd->add_option("--weight_decay", p->weight_decay, "AdamW weight decay")->capture_default_str();
    cmd->add_option("--warmup_steps", p->warmup_steps, "Linear warm-up steps before the cosine decay")->capture_default_str();
    cmd->add_option("--grad_clip", p->grad_clip, "Max global gradient norm")->capture_default_str();
    cmd->add_option("--pitch_shift", p->pitch_shift, "Augmentation: random transposition of up to this many semitones")->capture_default_str();
    cmd->add_option("--cells", p->cells, "What the net predicts per cell: notes (silence, hold, onset at velocity k) or velocity "
                    "(silence, velocity k: the earlier models)")->capture_default_str();
    cmd->add_option("--pitch_positions", p->pitch_positions, "Tokens learn their pitch class and octave (true|false)")->capture_default_str();
    cmd->add_option("--plan", p->plan, "A per-bar plan (each bar's pitch classes and note density) drawn first and seen by every "
                    "level (true|false)")->capture_default_str();
    cmd->add_option("--plan_batch", p->plan_batch, "Crops per step for the bar plan (the batch's and more, plan only: "
                    "it is small and cheap)")->capture_default_str();
    cmd->add_option("--ema", p->ema, "Decay of the weights' moving average kept for validation and best (0: off)")->capture_default_str();
    cmd->add_option("--seed", p->seed, "Seed of initialisation, data order and masks")->capture_default_str();
    cmd->add_option("--device", p->device, "cpu, cuda or auto")->capture_default_str();
    cmd->add_option("--precision", p->precision, fm::kPrecisionHelp)->capture_default_str();
    cmd->add_option("--output_dir", p->output_dir, "Folder for checkpoints (last, best), metrics.jsonl, config.json")->required();
    cmd->add_flag("--resume", p->resume, "Continue from output_dir/last.safetensors");
    cmd->add_option("--eval_every", p->eval_every, "Steps between validation bits/cell and checkpoints")->capture_default_str();
    cmd->add_option("--val_crops", p->val_crops, "Validation crops")->capture_default_str();
    cmd->add_option("--threads", p->threads, "Intra-op threads (0: all cores)")->capture_default_str();
    cmd->add_option("--init_from", p->init_from, "Start a new run from this checkpoint's weights (its architecture; this run's crop_length and layout)");
    cmd->add_option("--sample_every", p->sample_every, "Steps between preview samples, saved as output_dir/samples/step_N.mid (0: none)")
        ->capture_default_str();
    cmd->callback([p] {
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
