// fractalmidi generate / eval — sampling from and scoring a trained checkpoint (bits/cell; with --reference, music metrics).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <array>
#include <sstream>
#include <vector>

#include "commands.h"
#include "eval_data.h"
#include "int_list.h"
#include "interrupt.h"
#include "track_args.h"
#include "core/dataset.h"
#include "core/error.h"
#include "core/harmony.h"
#include "core/file_io.h"
#include "core/midi_roll.h"
#include "core/track_rolls.h"
#include "core/log.h"
#include "core/music_metrics.h"
#include "core/resources.h"
#include "core/roll_image.h"
#include "model/canvas.h"
#include "model/checkpoint.h"
#include "model/engine.h"
#include "model/generator.h"
#include "model/mixed_precision.h"
#include "model/scoring.h"

namespace fmcli {

namespace {

// --checkpoint, or the shipped model for the width (128 -> the 8-bar model, wider -> the 32-bar model).
std::string checkpoint_or_default(const std::string& checkpoint, int width) {
    if (!checkpoint.empty()) return checkpoint;
    std::string path = fm::default_model_path(width);
    if (path.empty())
        throw fm::Error("no --checkpoint given and no default model installed (looked for " + std::string(fm::kDefaultModel128) +
                        " and " + fm::kDefaultModel512 + " under the resource folders)");
    std::fprintf(stderr, "using the default model %s\n", path.c_str());
    return path;
}

// Converts the net for --precision and says what it uses (stderr, beside the default-model line).
fm::Precision use_precision(fm::FractalNet& net, const std::string& precision) {
    const fm::Precision used = fm::apply_precision(net, fm::parse_precision(precision));
    std::fprintf(stderr, "matmuls in %s\n", fm::precision_name(used));
    return used;
}

struct GenerateArgs {
    std::string checkpoint, output_dir, mode = "unconditional", input_midi, num_iter = default_iters(), device = "auto", precision = "auto";
    int target_width = 0, generation_length = 0, num_samples = 1, offset = 0, condition_length = 0, threads = 0;
    int mask_start = 0, mask_end = 0, pitch_low = 0, pitch_high = 127;
    double temperature = 1.0, velocity_temperature = fm::GenerateParams().velocity_temperature, plan_temperature = 1.0;
    int64_t seed = -1;
    bool save_images = false, no_gate = false, fill_patches = false, no_plan_rules = false;
    std::string key, chords, density, style;
    double tempo = 0, cfg = fm::GenerateParams().guidance;
    bool no_scale_lock = false;
    int passing_tones = fm::Conditions().passing_tones;
    std::string tracks, keep_tracks, track_map;   // multi-track models
};

// A multi-track model's input: the file's tracks as the model's roles, stacked (a role the file lacks: silent). By
// default each role takes the source track of its name (any case); --track_map maps other names.
fm::Roll stacked_input(const GenerateArgs& a, const std::vector<std::string>& roles, std::vector<fm::TempoChange>* tempo) {
    const fm::TrackRolls t = fm::load_midi_tracks(a.input_midi, roles_mapping(a.track_map, roles));
    for (const fm::TrackInfo& info : t.info)
        if (std::none_of(roles.begin(), roles.end(), [&](const std::string& r) { return fm::same_track_name(r, info.name); }))
            throw fm::Error("--track_map: the model has no track '" + info.name + "' (its tracks: " + join_names(roles) + ")");
    fm::TrackRolls ordered;
    ordered.tempo = t.tempo;
    for (const std::string& r : roles) {
        const int k = t.find(r);
        ordered.tracks.push_back(k >= 0 ? t.tracks[size_t(k)] : fm::Roll(t.width()));
        ordered.info.push_back({r, 0});
        if (k >= 0 && fm::count_notes(t.tracks[size_t(k)]) == 0) fm::log_warning("%s: no note for the model's track '%s'", a.input_midi.c_str(), r.c_str());
    }
    *tempo = t.tempo;
    return fm::stack_tracks(ordered);
}

// --density: one level for every bar, or a comma-separated list, bar after bar ("-" or a negative value: that bar free).
std::vector<double> parse_density(const std::string& s) {
    std::vector<double> out;
    std::stringstream in(s);
    for (std::string item; std::getline(in, item, ',');) {
        if (item == "-" || item == "*") {
            out.push_back(-1);
            continue;
        }
        try {
            size_t used = 0;
            out.push_back(std::stod(item, &used));
            if (used != item.size()) throw std::invalid_argument(item);
        } catch (const std::exception&) {
            throw fm::Error("--density '" + item + "' is not a number within 0..1 (or - for a free bar)");
        }
    }
    return out;
}

fm::Conditions conditions_of_args(const GenerateArgs& a) {
    fm::Conditions c;
    if (!a.key.empty() && a.key != "auto" && a.key != "none") c.key = fm::key_code(fm::parse_key(a.key));
    if (!a.chords.empty()) c.chords = fm::parse_chords(a.chords);
    if (!a.density.empty()) c.density = parse_density(a.density);
    c.tempo = a.tempo, c.style = fm::parse_style(a.style), c.scale_lock = !a.no_scale_lock, c.passing_tones = a.passing_tones;
    fm::check_conditions(c);
    return c;
}

void run_generate(const GenerateArgs& a) {
    if (a.output_dir.empty()) throw fm::Error("--output_dir is required");
    fm::use_threads(a.threads);
    const int asked_width = a.generation_length > 0 ? a.generation_length : a.target_width;
    // The studio's way in (fm::Engine), so both generate alike.
    // Asked to keep or write tracks without a model named: the shipped multi-track model, where it is installed.
    std::string checkpoint = a.checkpoint;
    if (checkpoint.empty() && (!a.tracks.empty() || !a.keep_tracks.empty())) {
        checkpoint = fm::default_tracks_model_path();   // "" when not installed: the one-track default, which then says why not
        if (!checkpoint.empty()) std::fprintf(stderr, "using the default multi-track model %s\n", checkpoint.c_str());
    }
    const auto engine = fm::Engine::load(checkpoint_or_default(checkpoint, asked_width > 0 ? asked_width : 128), a.device,
                                         fm::parse_precision(a.precision));
    std::fprintf(stderr, "matmuls in %s\n", fm::precision_name(engine->precision()));
    fm::GenerateParams g;
    g.width = a.generation_length > 0 ? a.generation_length : a.target_width > 0 ? a.target_width : engine->config().crop_length;
    g.num_samples = a.num_samples, g.temperature = a.temperature, g.num_iter = parse_iters(a.num_iter);
    g.velocity_temperature = a.velocity_temperature, g.plan_temperature = a.plan_temperature;
    g.gate = !a.no_gate, g.keep_occupied = a.fill_patches, g.plan_rules = !a.no_plan_rules;
    g.seed = a.seed >= 0 ? uint64_t(a.seed) : (uint64_t(std::random_device{}()) << 20 ^ std::random_device{}()) & 0xFFFFFFFFFFFFull;
    g.mode = fm::parse_generate_mode(a.mode);
    g.conditions = conditions_of_args(a), g.guidance = a.cfg;
    std::vector<fm::TempoChange> tempo;
    if (a.tempo > 0) tempo = {fm::TempoChange{0, uint32_t(std::lround(60e6 / a.tempo))}};   // the file plays at the asked tempo
    const std::vector<std::string>& roles = engine->config().track_names;
    if (roles.size() <= 1 && (!a.tracks.empty() || !a.keep_tracks.empty() || !a.track_map.empty()))
        throw fm::Error("--tracks, --keep_tracks and --track_map need a multi-track model; this one has one track");
    if (roles.size() > 1 && (!a.tracks.empty() || !a.keep_tracks.empty())) {
        // Some tracks kept from the input, the others written over the whole width (accompany: --keep_tracks melody).
        if (a.input_midi.empty()) throw fm::Error("--tracks/--keep_tracks need --input_midi: the tracks to keep come from it");
        const std::vector<int> write = tracks_to_write(a.tracks, a.keep_tracks, roles, "--keep_tracks");
        g.input = fm::crop(stacked_input(a, roles, &tempo), a.offset, g.width);
        // --mode inpainting or continuation: only the rectangle, or the steps after the prefix, of the written tracks.
        if (g.mode == fm::GenerateMode::continuation) {
            g.condition_length = a.condition_length;
            if (a.condition_length <= 0 || a.condition_length >= g.width) throw fm::Error("--mode continuation with tracks needs --condition_length within 1.." + std::to_string(g.width - 1));
        } else if (g.mode == fm::GenerateMode::inpainting) {
            g.mask_start = a.mask_start, g.mask_end = a.mask_end, g.pitch_low = a.pitch_low, g.pitch_high = a.pitch_high;
            if (g.mask_end <= g.mask_start) throw fm::Error("--mode inpainting with tracks needs --mask_start < --mask_end (the steps rewritten)");
        }
        fm::write_tracks(g, int(roles.size()), write);
        if (a.tempo <= 0) tempo = fm::tempo_window(tempo, a.offset, g.width);
        else tempo = {fm::TempoChange{0, uint32_t(std::lround(60e6 / a.tempo))}};
        std::vector<std::string> written;
        std::vector<int> kept;
        for (size_t k = 0; k < roles.size(); ++k)
            if (std::find(write.begin(), write.end(), int(k)) != write.end()) written.push_back(roles[k]);
            else kept.push_back(int(k));
        std::fprintf(stderr, "writing the track(s) %s; keeping the others from %s\n", join_names(written).c_str(), a.input_midi.c_str());
        // The written tracks follow the kept ones' key (--key auto, the default here; --key none: the model's own
        // choice; an asked key wins), where the model takes conditions.
        if ((a.key.empty() || a.key == "auto") && engine->config().conditions && !kept.empty()) {
            const fm::Roll kept_roll = fm::flatten_tracks(g.input, kept);
            if (fm::count_notes(kept_roll) > 0) {
                const fm::Key key = fm::estimate_key(kept_roll);
                g.conditions.key = fm::key_code(key);
                std::fprintf(stderr, "key from the kept tracks: %s (--key none: the model's own)\n", fm::key_name(key).c_str());
            }
        }
    } else if (g.mode != fm::GenerateMode::unconditional) {
        if (a.input_midi.empty()) throw fm::Error("--mode " + a.mode + " needs --input_midi");
        if (roles.size() > 1) {
            std::vector<fm::TempoChange> file_tempo;
            g.input = fm::crop(stacked_input(a, roles, &file_tempo), a.offset, g.width);
            if (a.tempo <= 0) tempo = fm::tempo_window(file_tempo, a.offset, g.width);
        } else {
            const fm::MidiRoll m = fm::load_midi(a.input_midi);
            g.input = fm::crop(m.roll, a.offset, g.width);
            if (a.tempo <= 0) tempo = fm::tempo_window(m.tempo, a.offset, g.width);
        }
        g.condition_length = a.condition_length, g.mask_start = a.mask_start, g.mask_end = a.mask_end;
        g.pitch_low = a.pitch_low, g.pitch_high = a.pitch_high;
    }
    std::filesystem::create_directories(a.output_dir);
    std::printf("seed %llu\n", (unsigned long long)g.seed);
    Interrupt stop;
    int last_level = -1;
    const auto rolls = engine->generate(g, [&](const fm::Progress& p) {
        if (p.level == 0 && p.level != last_level) std::fprintf(stderr, "\n");
        last_level = p.level;
        if (p.windows > 1) std::fprintf(stderr, "\rwindow %d/%d  level %d/3  step %d/%d   ", p.window + 1, p.windows, p.level + 1, p.step, p.of);
        else std::fprintf(stderr, "\rlevel %d/3  step %d/%d   ", p.level + 1, p.step, p.of);
    }, stop.flag());
    std::fprintf(stderr, "\n");
    if (stop.raised()) std::printf("interrupted: writing the partial rolls (unknown cells as silence)\n");
    for (size_t i = 0; i < rolls.size(); ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "sample_%03zu", i);
        const std::string base = a.output_dir + "/" + name;
        if (roles.size() > 1) {   // one MIDI track per model track, named by its role
            fm::TrackRolls t = fm::split_tracks(rolls[i], roles);
            t.tempo = tempo;
            fm::save_midi_tracks(base + ".mid", t);
            std::string per;
            for (size_t k = 0; k < roles.size(); ++k) per += (k ? ", " : "") + roles[k] + " " + std::to_string(fm::count_notes(t.tracks[k]));
            std::printf("wrote %s.mid (%s notes, %d steps)\n", base.c_str(), per.c_str(), rolls[i].width);
        } else {
            fm::save_midi(base + ".mid", rolls[i], tempo);
            std::printf("wrote %s.mid (%d notes, %d steps)\n", base.c_str(), fm::count_notes(rolls[i]), rolls[i].width);
        }
        if (a.save_images) fm::save_roll_png(base + ".png", fm::flatten_tracks(rolls[i]), 2);
    }
}

struct EvalArgs {
    std::string checkpoint, data, reference, train_data, device = "auto", num_iter = default_iters(), precision = "auto";
    int crops = 64, orders = 2, threads = 0, samples = 32;
    double temperature = 1.0, velocity_temperature = fm::GenerateParams().velocity_temperature, plan_temperature = 1.0;
    int64_t seed = 0;
    bool json = false, no_gate = false, fill_patches = false, no_plan_rules = false;
};

double bits_per_cell(fm::FractalNet& net, const fm::Dataset& ds, const EvalArgs& a, const torch::Device& device) {
    const auto& config = net->config();
    torch::NoGradGuard no_grad;
    net->eval();
    auto gen = at::detail::createCPUGenerator(uint64_t(a.seed) + 1);
    fm::SampleOptions opt;
    opt.num_iter = parse_iters(a.num_iter), opt.gate = !a.no_gate, opt.plan_rules = !a.no_plan_rules;
    const auto canvas = fm::rolls_to_canvas(bar_crops(ds, a.crops, config.crop_length, uint64_t(a.seed), fm::track_count(config)), config, device, 0.0f);
    return fm::bits_per_cell(net, canvas, opt, gen, a.orders, 1);   // one crop at a time: the trainer's figure, per crop
}

struct MusicRows {
    fm::MusicComparison model, ceiling, marginal;   // each against the reference crops
};

// --samples crops of the reference and of the training data, as many samples of the model and of the
// marginal baseline (fitted on the training crops), all of the model's crop length.
MusicRows music_rows(fm::FractalNet& net, const fm::Dataset& reference, const fm::Dataset& train, const EvalArgs& a) {
    const int length = net->config().crop_length, tracks = fm::track_count(net->config());
    // A multi-track model's music is that of its merged roll (all tracks as one), its data's too.
    auto merged = [](std::vector<fm::Roll> rolls) {
        for (fm::Roll& r : rolls) r = fm::flatten_tracks(r);
        return rolls;
    };
    const std::vector<fm::Roll> ref_crops = merged(bar_crops(reference, a.samples, length, uint64_t(a.seed), tracks));
    const std::vector<fm::Roll> train_crops = merged(bar_crops(train, a.samples, length, uint64_t(a.seed) + 1, tracks));

    constexpr int kBatch = 32;   // samples generated at once (bounds memory; batch b is seeded seed + b)
    std::vector<fm::Roll> generated;
    for (int b = 0; b * kBatch < a.samples; ++b) {
        fm::GenerateParams g;
        g.width = length, g.num_samples = std::min(kBatch, a.samples - b * kBatch), g.temperature = a.temperature;
        g.velocity_temperature = a.velocity_temperature, g.plan_temperature = a.plan_temperature;
        g.num_iter = parse_iters(a.num_iter), g.gate = !a.no_gate, g.keep_occupied = a.fill_patches, g.plan_rules = !a.no_plan_rules;
        g.seed = uint64_t(a.seed) + uint64_t(b);
        const bool tty = isatty(fileno(stderr));   // a live line on a terminal; nothing in a log file
        for (fm::Roll& r : fm::generate(net, g, [&](const fm::Progress& p) {
                 if (tty) std::fprintf(stderr, "\rgenerating samples %zu-%zu: level %d/3  step %d/%d   ", generated.size() + 1,
                              generated.size() + size_t(g.num_samples), p.level + 1, p.step, p.of);
             }, nullptr))
            generated.push_back(fm::flatten_tracks(r));
    }
    std::fprintf(stderr, "\n");

    const fm::MarginalModel marginal = fm::fit_marginal(train_crops);
    std::vector<fm::Roll> baseline;
    for (int i = 0; i < a.samples; ++i) baseline.push_back(fm::sample_marginal(marginal, length, uint64_t(a.seed) * 1000003u + uint64_t(i)));

    const fm::MusicStats ref = fm::compute_music_stats(ref_crops);
    return {fm::compare_music(fm::compute_music_stats(generated), ref), fm::compare_music(fm::compute_music_stats(train_crops), ref),
            fm::compare_music(fm::compute_music_stats(baseline), ref)};
}

nlohmann::json stats_json(const fm::MusicStats& s) {
    return {{"polyphony", s.polyphony}, {"pitch_classes_per_bar", s.pitch_classes_per_bar}, {"empty_beat_rate", s.empty_beat_rate},
            {"qualified_note_rate", s.qualified_note_rate}, {"scale_consistency", s.scale_consistency},
            {"key_stability", s.key_stability}, {"rolls", s.rolls},
            {"notes", s.notes},
            {"histograms", {{"pitch", s.pitch}, {"duration", s.duration}, {"velocity", s.velocity}, {"ioi", s.ioi}}}};
}

nlohmann::json row_json(const fm::MusicComparison& c) {
    nlohmann::json j = stats_json(c.generated);
    j["oa_pitch"] = c.oa_pitch, j["oa_duration"] = c.oa_duration, j["oa_velocity"] = c.oa_velocity, j["oa_ioi"] = c.oa_ioi;
    j["relative_to_reference"] = {{"polyphony", c.polyphony_rel}, {"pitch_classes_per_bar", c.pitch_classes_per_bar_rel},
                                  {"empty_beat_rate", c.empty_beat_rate_rel}, {"qualified_note_rate", c.qualified_note_rate_rel},
                                  {"scale_consistency", c.scale_consistency_rel},
                                  {"key_stability", c.key_stability_rel}};   // infinity is written as null
    return j;
}

void print_stats_cells(const fm::MusicStats& s) {
    std::printf("  %9.2f  %6.2f  %11.3f  %9.3f  %8.3f  %7.3f  %10.1f\n", s.polyphony, s.pitch_classes_per_bar, s.empty_beat_rate,
                s.qualified_note_rate, s.scale_consistency, s.key_stability, s.rolls > 0 ? double(s.notes) / s.rolls : 0.0);
}

void print_music_table(const MusicRows& m, const EvalArgs& a, int length) {
    std::printf("music metrics: %d samples of %d steps against %d bar-aligned crops of %s (training data: %s)\n", a.samples, length,
                a.samples, a.reference.c_str(), a.train_data.c_str());
    std::printf("%-29s %8s %7s %7s %7s  %9s  %6s  %11s  %9s  %8s  %7s  %10s\n", "", "OA pitch", "OA dur", "OA vel", "OA IOI", "polyphony",
                "PC/bar", "empty beats", "qualified", "in scale", "key", "notes/roll");
    const std::pair<const char*, const fm::MusicComparison*> rows[] = {
        {"model", &m.model}, {"ceiling (train vs reference)", &m.ceiling}, {"marginal baseline", &m.marginal}};
    for (const auto& [name, c] : rows) {
        std::printf("%-29s %8.3f %7.3f %7.3f %7.3f", name, c->oa_pitch, c->oa_duration, c->oa_velocity, c->oa_ioi);
        print_stats_cells(c->generated);
    }
    std::printf("%-29s %8s %7s %7s %7s", "reference", "-", "-", "-", "-");
    print_stats_cells(m.model.reference);
    std::printf("OA: histogram overlap with the reference (1: the same); PC/bar: distinct pitch classes per bar; empty beats: share\n"
                "of silent beats; qualified: share of notes of >= 2 steps; in scale: share of notes in the best major scale; key: share\n"
                "of 4-bar windows whose best major scale is the whole sample's\n");
}

void run_eval(const EvalArgs& a) {
    if (a.data.empty() && a.reference.empty()) throw fm::Error("eval needs --data or --reference");
    if (!a.reference.empty() && a.train_data.empty())
        throw fm::Error("--reference needs --train_data (the ceiling row and the marginal baseline's fit)");
    if (a.samples <= 0) throw fm::Error("--samples must be positive");
    const torch::Device device = fm::resolve_device(a.device);
    fm::use_threads(a.threads);
    const std::string checkpoint = checkpoint_or_default(a.checkpoint, 128);
    fm::FractalNet net = fm::load_net(checkpoint, device);
    const fm::Precision precision = use_precision(net, a.precision);
    const auto& config = net->config();
    const std::string data = a.data.empty() ? a.reference : a.data;   // bits/cell on the reference unless --data is given
    const fm::CacheOptions cache = roles_cache_options("", config.track_names);   // a multi-track model's data by its tracks
    const auto data_ds = std::make_shared<ScratchDataset>(data, cache);
    const double bits = bits_per_cell(net, data_ds->get(), a, device);

    nlohmann::json j = {{"checkpoint", checkpoint}, {"data", data}, {"bits_per_cell", bits}, {"crops", a.crops},
                        {"crop_length", config.crop_length}, {"orders", a.orders}, {"num_iter_list", a.num_iter}, {"gate", !a.no_gate},
                        {"precision", fm::precision_name(precision)}};
    if (!a.json)
        std::printf("%.4f bits/cell over %d crops of %d steps of %s (MAR levels averaged over %d random orders)\n", bits, a.crops,
                    config.crop_length, data.c_str(), a.orders);
    if (!a.reference.empty()) {
        const auto ref_ds = a.reference == data ? data_ds : std::make_shared<ScratchDataset>(a.reference, cache);
        const auto train_ds = a.train_data == data ? data_ds : a.train_data == a.reference ? ref_ds : std::make_shared<ScratchDataset>(a.train_data, cache);
        const MusicRows m = music_rows(net, ref_ds->get(), train_ds->get(), a);
        if (a.json) {
            j["reference"] = a.reference, j["train_data"] = a.train_data, j["samples"] = a.samples, j["temperature"] = a.temperature;
            j["velocity_temperature"] = a.velocity_temperature, j["plan_temperature"] = a.plan_temperature;
            j["music"] = {{"model", row_json(m.model)}, {"ceiling", row_json(m.ceiling)}, {"marginal_baseline", row_json(m.marginal)},
                          {"reference", stats_json(m.model.reference)}};
        } else {
            print_music_table(m, a, config.crop_length);
        }
    }
    if (a.json) std::printf("%s\n", j.dump().c_str());
}

}  // namespace

void add_generate_command(CLI::App& app) {
    auto a = std::make_shared<GenerateArgs>();
    CLI::App* cmd = app.add_subcommand("generate", "Generate piano rolls with a trained checkpoint and write sample_NNN.mid");
    cmd->add_option("--checkpoint", a->checkpoint, "Model checkpoint (.safetensors; default: the shipped model for the width)");
    cmd->add_option("--target_width", a->target_width, "Steps per generated roll (default: the model's crop length)")->check(CLI::PositiveNumber);
    cmd->add_option("--generation_length", a->generation_length, "Steps in all; wider than the model: windows, each conditioned on the last")->check(CLI::PositiveNumber);
    cmd->add_option("--num_samples", a->num_samples, "Rolls to generate")->capture_default_str()->check(CLI::PositiveNumber);
    cmd->add_option("--temperature", a->temperature, "Divides the occupancy and velocity logits (lower: safer)")->capture_default_str();
    cmd->add_option("--velocity_temperature", a->velocity_temperature,
                    "Further divides the velocity logits (below 1: fewer notes broken by a velocity change)")->capture_default_str();
    cmd->add_option("--plan_temperature", a->plan_temperature, "Divides the bar plan's logits (models with a plan): each bar's pitch "
                    "classes and density")->capture_default_str();
    cmd->add_option("--num_iter_list", a->num_iter, "MAR iterations at levels 0, 1, 2")->capture_default_str();
    cmd->add_option("--seed", a->seed, "Seed (default: random; the seed used is printed)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--output_dir", a->output_dir, "Folder for sample_NNN.mid (and .png)")->required();
    cmd->add_flag("--save_images", a->save_images, "Also write sample_NNN.png");
    cmd->add_flag("--no_gate", a->no_gate, "Run every level on every patch (default: skip the deeper levels of patches drawn empty)");
    cmd->add_flag("--fill_patches", a->fill_patches, "Gated: a patch drawn occupied always gets a note (more, shorter notes)");
    cmd->add_flag("--no_plan_rules", a->no_plan_rules,
                  "Models with a bar plan: let the levels draw notes outside a bar's chroma and onsets off its rhythm (for comparison)");
    cmd->add_option("--device", a->device, "cpu, cuda or auto")->capture_default_str();
    cmd->add_option("--threads", a->threads, "Intra-op threads (0: all cores, or OMP_NUM_THREADS when set)")->capture_default_str();
    cmd->add_option("--precision", a->precision, fm::kPrecisionHelp)->capture_default_str();
    cmd->add_option("--key", a->key,
                    "Condition: the key, e.g. \"A minor\", Am, \"F# major\" (models with conditions); with --keep_tracks/--tracks "
                    "the default, auto, is the kept tracks' key (none: the model's own)");
    cmd->add_option("--chords", a->chords, "Condition: chords bar after bar, repeated, e.g. \"Am F C G7\" (N.C. or -: a free bar)");
    cmd->add_option("--tempo", a->tempo, "Condition: tempo in bpm (the .mid files play at it too)")->check(CLI::Range(0.0, 400.0));
    cmd->add_option("--density", a->density, "Condition: notes per bar, 0 (sparse) .. 1 (busy); or a list per bar, e.g. 0.2,0.5,0.8,-");
    cmd->add_option("--style", a->style, "Condition: pop (POP909), classical (ASAP), folk (Nottingham) or chorale (JSB)");
    cmd->add_option("--cfg", a->cfg, "Guidance by the conditions: 1 off, 2 twice as far from the unconditional model")->capture_default_str();
    cmd->add_option("--passing_tones", a->passing_tones, "With --chords: pitch classes a bar may hold besides its chord's tones")
        ->capture_default_str()->check(CLI::Range(0, 12));
    cmd->add_flag("--no_lock", a->no_scale_lock,
                  "Let notes leave --key's scale and --chords' tones (the conditions then only steer the plan, as learnt)");
    cmd->add_option("--mode", a->mode, "unconditional, continuation or inpainting")->capture_default_str();
    cmd->add_option("--tracks", a->tracks, "Multi-track models: the tracks to write (comma-separated roles); the others are kept from --input_midi");
    cmd->add_option("--keep_tracks", a->keep_tracks,
                    "Multi-track models: the tracks kept from --input_midi, the others written (accompany a melody: --keep_tracks melody)");
    cmd->add_option("--track_map", a->track_map,
                    "Multi-track models: which of the input's tracks is which role (SOURCE=ROLE rules; default: each role takes the track of its name)");
    cmd->add_option("--input_midi", a->input_midi, "Source for continuation and inpainting");
    cmd->add_option("--offset", a->offset, "First step of --input_midi to use")->capture_default_str();
    cmd->add_option("--condition_length", a->condition_length, "Continuation: steps of the input kept as the prefix")->capture_default_str();
    cmd->add_option("--mask_start", a->mask_start, "Inpainting: first step regenerated")->capture_default_str();
    cmd->add_option("--mask_end", a->mask_end, "Inpainting: step after the last regenerated")->capture_default_str();
    cmd->add_option("--pitch_low", a->pitch_low, "Inpainting: lowest pitch regenerated")->capture_default_str();
    cmd->add_option("--pitch_high", a->pitch_high, "Inpainting: highest pitch regenerated")->capture_default_str();
    cmd->callback([a] { run_generate(*a); });

    auto e = std::make_shared<EvalArgs>();
    CLI::App* ev = app.add_subcommand("eval", "Score a checkpoint: bits per roll cell on random crops of MIDI files and, with "
                                              "--reference, music metrics of its samples");
    ev->add_option("--checkpoint", e->checkpoint, "Model checkpoint (.safetensors; default: the shipped 8-bar model)");
    ev->add_option("--data", e->data, "Folder or list of MIDI files scored in bits/cell (default: --reference)");
    ev->add_option("--crops", e->crops, "Random crops (of the model's crop length) to score")->capture_default_str()->check(CLI::PositiveNumber);
    ev->add_option("--orders", e->orders, "Random MAR orders averaged per crop")->capture_default_str()->check(CLI::PositiveNumber);
    ev->add_option("--reference", e->reference, "Folder or list of MIDI files: compare samples with its music (histogram overlaps, "
                                                "polyphony, pitch classes per bar, ...)");
    ev->add_option("--train_data", e->train_data, "With --reference: the training data (the ceiling row; the marginal baseline is fitted on it)");
    ev->add_option("--samples", e->samples, "With --reference: samples generated, and crops taken of each folder")->capture_default_str()->check(CLI::PositiveNumber);
    ev->add_option("--temperature", e->temperature, "With --reference: sampling temperature")->capture_default_str();
    ev->add_option("--velocity_temperature", e->velocity_temperature, "With --reference: velocity temperature")->capture_default_str();
    ev->add_option("--plan_temperature", e->plan_temperature, "With --reference: bar plan temperature")->capture_default_str();
    ev->add_option("--seed", e->seed, "Seed of the crops, orders and samples")->capture_default_str()->check(CLI::NonNegativeNumber);
    ev->add_option("--num_iter_list", e->num_iter, "MAR iterations at levels 0, 1, 2 (of the order scored and of sampling)")->capture_default_str();
    ev->add_flag("--no_gate", e->no_gate, "Score and sample without empty-patch gating (every level on every patch)");
    ev->add_flag("--fill_patches", e->fill_patches, "Gated sampling: a patch drawn occupied always gets a note");
    ev->add_flag("--no_plan_rules", e->no_plan_rules,
                 "Models with a bar plan: score and sample without the plan's rules (notes outside a bar's chroma, onsets off its rhythm)");
    ev->add_option("--device", e->device, "cpu, cuda or auto")->capture_default_str();
    ev->add_option("--threads", e->threads, "Intra-op threads (0: all cores, or OMP_NUM_THREADS when set)")->capture_default_str();
    ev->add_option("--precision", e->precision, fm::kPrecisionHelp)->capture_default_str();
    ev->add_flag("--json", e->json, "Print one JSON object");
    ev->callback([e] { run_eval(*e); });
}

}  // namespace fmcli
