// fractalmidi generate / eval — sampling from and scoring a trained checkpoint.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <array>
#include <sstream>
#include <vector>

#include "commands.h"
#include "int_list.h"
#include "interrupt.h"
#include "core/dataset.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/midi_roll.h"
#include "core/roll_image.h"
#include "model/canvas.h"
#include "model/checkpoint.h"
#include "model/generator.h"

namespace fmcli {

namespace {

std::array<int, 3> parse_iters(const std::string& s) {
    const std::vector<int> v = parse_int_list(s, "--num_iter_list", 3);
    return {v[0], v[1], v[2]};
}

struct GenerateArgs {
    std::string checkpoint, output_dir, mode = "unconditional", input_midi, num_iter = "8,4,2", device = "auto";
    int target_width = 0, generation_length = 0, num_samples = 1, offset = 0, condition_length = 0, threads = 0;
    int mask_start = 0, mask_end = 0, pitch_low = 0, pitch_high = 127;
    double temperature = 1.0;
    int64_t seed = -1;
    bool save_images = false, no_gate = false;
};

void run_generate(const GenerateArgs& a) {
    if (a.output_dir.empty()) throw fm::Error("--output_dir is required");
    const torch::Device device = fm::resolve_device(a.device);
    fm::use_threads(a.threads);
    fm::FractalNet net = fm::load_net(a.checkpoint, device);
    fm::GenerateParams g;
    g.width = a.generation_length > 0 ? a.generation_length : a.target_width > 0 ? a.target_width : net->config().crop_length;
    g.num_samples = a.num_samples, g.temperature = a.temperature, g.num_iter = parse_iters(a.num_iter);
    g.gate = !a.no_gate;
    g.seed = a.seed >= 0 ? uint64_t(a.seed) : (uint64_t(std::random_device{}()) << 20 ^ std::random_device{}()) & 0xFFFFFFFFFFFFull;
    g.mode = fm::parse_generate_mode(a.mode);
    std::vector<fm::TempoChange> tempo;
    if (g.mode != fm::GenerateMode::unconditional) {
        if (a.input_midi.empty()) throw fm::Error("--mode " + a.mode + " needs --input_midi");
        const fm::MidiRoll m = fm::load_midi(a.input_midi);
        g.input = fm::crop(m.roll, a.offset, g.width);
        tempo = fm::tempo_window(m.tempo, a.offset, g.width);
        g.condition_length = a.condition_length, g.mask_start = a.mask_start, g.mask_end = a.mask_end;
        g.pitch_low = a.pitch_low, g.pitch_high = a.pitch_high;
    }
    std::filesystem::create_directories(a.output_dir);
    std::printf("seed %llu\n", (unsigned long long)g.seed);
    Interrupt stop;
    int last_level = -1;
    const auto rolls = fm::generate(net, g, [&](const fm::Progress& p) {
        if (p.level == 0 && p.level != last_level) std::fprintf(stderr, "\n");
        last_level = p.level;
        std::fprintf(stderr, "\rlevel %d/3  step %d/%d   ", p.level + 1, p.step, p.of);
    }, stop.flag());
    std::fprintf(stderr, "\n");
    if (stop.raised()) std::printf("interrupted: writing the partial rolls (unknown cells as silence)\n");
    for (size_t i = 0; i < rolls.size(); ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "sample_%03zu", i);
        const std::string base = a.output_dir + "/" + name;
        fm::save_midi(base + ".mid", rolls[i], tempo);
        if (a.save_images) fm::save_roll_png(base + ".png", rolls[i], 2);
        std::printf("wrote %s.mid (%d notes, %d steps)\n", base.c_str(), fm::count_notes(rolls[i]), rolls[i].width);
    }
}

struct EvalArgs {
    std::string checkpoint, data, device = "auto", num_iter = "8,4,2";
    int crops = 64, orders = 2, threads = 0;
    int64_t seed = 0;
    bool json = false, no_gate = false;
};

void run_eval(const EvalArgs& a) {
    const torch::Device device = fm::resolve_device(a.device);
    fm::use_threads(a.threads);
    fm::FractalNet net = fm::load_net(a.checkpoint, device);
    const auto& config = net->config();
    // A cache of our own (two evals at once must not share one), removed when done.
    const fm::ScratchPath scratch("fractalmidi-eval", ".fmcache");
    const std::string& cache = scratch.path();
    fm::build_cache(a.data, cache);
    const fm::Dataset ds = fm::Dataset::open(cache);
    if (ds.size() == 0) throw fm::Error("no usable MIDI file", a.data);
    std::vector<int> files;
    for (int i = 0; i < ds.size(); ++i) files.push_back(i);
    fm::CropSampler sampler(ds, files, {config.crop_length, 0, uint64_t(a.seed), fm::kStepsPerBar});
    torch::NoGradGuard no_grad;
    net->eval();
    auto gen = at::detail::createCPUGenerator(uint64_t(a.seed) + 1);
    fm::SampleOptions opt;
    opt.num_iter = parse_iters(a.num_iter), opt.gate = !a.no_gate;
    double nats = 0, cells = 0;
    for (int i = 0; i < a.crops; ++i) {
        const fm::Roll r = sampler.next();
        auto x = fm::rolls_to_canvas({r}, config, device, 0.0f);
        for (int o = 0; o < a.orders; ++o) nats += net->nll(x, opt, gen).sum().item<double>() / a.orders;
        cells += double(x.numel());
    }
    const double bits = nats / cells / std::log(2.0);
    if (a.json) {
        std::printf("%s\n", nlohmann::json({{"checkpoint", a.checkpoint}, {"data", a.data}, {"bits_per_cell", bits}, {"crops", a.crops},
                                            {"crop_length", config.crop_length}, {"orders", a.orders},
                                            {"num_iter_list", a.num_iter}, {"gate", !a.no_gate}}).dump().c_str());
    } else {
        std::printf("%.4f bits/cell over %d crops of %d steps (MAR levels averaged over %d random orders)\n", bits, a.crops,
                    config.crop_length, a.orders);
    }
}

}  // namespace

void add_generate_command(CLI::App& app) {
    auto a = std::make_shared<GenerateArgs>();
    CLI::App* cmd = app.add_subcommand("generate", "Generate piano rolls with a trained checkpoint and write sample_NNN.mid");
    cmd->add_option("--checkpoint", a->checkpoint, "Model checkpoint (.safetensors)")->required();
    cmd->add_option("--target_width", a->target_width, "Steps per generated roll (default: the model's crop length)");
    cmd->add_option("--generation_length", a->generation_length, "Steps in all; wider than the model: windows, each conditioned on the last");
    cmd->add_option("--num_samples", a->num_samples, "Rolls to generate")->capture_default_str();
    cmd->add_option("--temperature", a->temperature, "Divides the occupancy and velocity logits (lower: safer)")->capture_default_str();
    cmd->add_option("--num_iter_list", a->num_iter, "MAR iterations at levels 0, 1, 2")->capture_default_str();
    cmd->add_option("--seed", a->seed, "Seed (default: random; the seed used is printed)");
    cmd->add_option("--output_dir", a->output_dir, "Folder for sample_NNN.mid (and .png)")->required();
    cmd->add_flag("--save_images", a->save_images, "Also write sample_NNN.png");
    cmd->add_flag("--no_gate", a->no_gate, "Run every level on every patch (default: skip the deeper levels of patches drawn empty)");
    cmd->add_option("--device", a->device, "cpu, cuda or auto")->capture_default_str();
    cmd->add_option("--threads", a->threads, "Intra-op threads (0: all cores)")->capture_default_str();
    cmd->add_option("--mode", a->mode, "unconditional, continuation or inpainting")->capture_default_str();
    cmd->add_option("--input_midi", a->input_midi, "Source for continuation and inpainting");
    cmd->add_option("--offset", a->offset, "First step of --input_midi to use")->capture_default_str();
    cmd->add_option("--condition_length", a->condition_length, "Continuation: steps of the input kept as the prefix")->capture_default_str();
    cmd->add_option("--mask_start", a->mask_start, "Inpainting: first step regenerated")->capture_default_str();
    cmd->add_option("--mask_end", a->mask_end, "Inpainting: step after the last regenerated")->capture_default_str();
    cmd->add_option("--pitch_low", a->pitch_low, "Inpainting: lowest pitch regenerated")->capture_default_str();
    cmd->add_option("--pitch_high", a->pitch_high, "Inpainting: highest pitch regenerated")->capture_default_str();
    cmd->callback([a] { run_generate(*a); });

    auto e = std::make_shared<EvalArgs>();
    CLI::App* ev = app.add_subcommand("eval", "Score a checkpoint: bits per roll cell on random crops of MIDI files");
    ev->add_option("--checkpoint", e->checkpoint, "Model checkpoint (.safetensors)")->required();
    ev->add_option("--data", e->data, "Folder or list of MIDI files")->required();
    ev->add_option("--crops", e->crops, "Random crops (of the model's crop length) to score")->capture_default_str();
    ev->add_option("--orders", e->orders, "Random MAR orders averaged per crop")->capture_default_str();
    ev->add_option("--seed", e->seed, "Seed of the crops and orders")->capture_default_str();
    ev->add_option("--num_iter_list", e->num_iter, "MAR iterations at levels 0, 1, 2 of the order scored")->capture_default_str();
    ev->add_flag("--no_gate", e->no_gate, "Score without empty-patch gating (every level on every patch)");
    ev->add_option("--device", e->device, "cpu, cuda or auto")->capture_default_str();
    ev->add_option("--threads", e->threads, "Intra-op threads (0: all cores)")->capture_default_str();
    ev->add_flag("--json", e->json, "Print one JSON object");
    ev->callback([e] { run_eval(*e); });
}

}  // namespace fmcli
