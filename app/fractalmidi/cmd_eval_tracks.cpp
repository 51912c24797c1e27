// fractalmidi eval-tracks — a multi-track model writing the other tracks around kept ones (accompany: --keep melody),
// on songs it never saw: are the kept tracks unchanged, do the written tracks keep the kept ones' key, and do their
// polyphony and pitch classes per bar match the same tracks of the data (the ceiling is the data's own tracks).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "eval_data.h"
#include "int_list.h"
#include "track_args.h"
#include "core/error.h"
#include "core/harmony.h"
#include "core/music_metrics.h"
#include "core/notes.h"
#include "core/track_rolls.h"
#include "model/canvas.h"
#include "core/resources.h"
#include "model/checkpoint.h"
#include "model/generator.h"
#include "model/mixed_precision.h"
#include "model/threads.h"

namespace fmcli {

namespace {

struct EvalTracksArgs {
    std::string checkpoint, reference, track_map, keep = "melody", device = "auto", precision = "auto", num_iter = default_iters();
    int samples = 64, threads = 0;
    std::string key = "auto";   // auto: the written tracks are asked for the kept tracks' key (generate's default)
    int64_t seed = 0;
    bool json = false;
};

void run_eval_tracks(const EvalTracksArgs& a) {
    fm::use_threads(a.threads);
    if (a.samples <= 0) throw fm::Error("--samples must be positive");
    const torch::Device device = fm::resolve_device(a.device);
    const std::string checkpoint = a.checkpoint.empty() ? fm::default_tracks_model_path() : a.checkpoint;
    if (checkpoint.empty()) throw fm::Error(std::string("no --checkpoint given and no default multi-track model installed (") + fm::kDefaultModelTracks + ")");
    fm::FractalNet net = fm::load_net(checkpoint, device);
    fm::apply_precision(net, fm::parse_precision(a.precision));
    const fm::ModelConfig& config = net->config();
    const std::vector<std::string>& roles = config.track_names;
    if (roles.size() < 2) throw fm::Error("eval-tracks needs a multi-track model; this one has one track", checkpoint);
    const std::vector<int> written = tracks_to_write("", a.keep, roles, "--keep");
    std::vector<int> kept;
    for (size_t k = 0; k < roles.size(); ++k)
        if (std::find(written.begin(), written.end(), int(k)) == written.end()) kept.push_back(int(k));
    if (kept.empty()) throw fm::Error("--keep " + a.keep + ": name the tracks to keep");

    // The reference songs' tracks by the model's roles, in its order (the cache's tracks are the map's roles).
    const ScratchDataset reference(a.reference, roles_cache_options(a.track_map, roles));
    std::vector<int> files(size_t(reference.get().size()));
    for (int i = 0; i < reference.get().size(); ++i) files[size_t(i)] = i;
    fm::CropSampler sampler(reference.get(), files, {config.crop_length, 0, uint64_t(a.seed), fm::kStepsPerBar, int(roles.size())});

    std::vector<fm::Roll> data, made;
    std::vector<fm::Key> lead_keys;   // each crop's kept tracks' key
    int unchanged = 0, tries = 0;
    const bool tty = isatty(fileno(stderr));
    while (int(data.size()) < a.samples) {
        if (++tries > 50 * a.samples) throw fm::Error("the reference has too few crops where the kept tracks sound", a.reference);
        fm::Roll crop = sampler.next();
        const fm::Roll lead = fm::flatten_tracks(crop, kept);
        if (fm::count_notes(lead) < 4) continue;   // a crop to accompany: the kept tracks play
        fm::GenerateParams g;
        g.width = config.crop_length, g.num_samples = 1, g.seed = uint64_t(a.seed) * 1000 + data.size(), g.num_iter = parse_iters(a.num_iter);
        g.input = crop;   // the written tracks' cells are masked: the model never sees them
        fm::write_tracks(g, int(roles.size()), written);
        lead_keys.push_back(fm::estimate_key(lead));
        if (a.key == "auto" && config.conditions) g.conditions.key = fm::key_code(lead_keys.back());
        const fm::Roll out = fm::generate(net, g, {}, nullptr).front();
        unchanged += fm::flatten_tracks(out, kept) == lead ? 1 : 0;
        data.push_back(crop), made.push_back(out);
        if (tty) std::fprintf(stderr, "\rsample %zu/%d", data.size(), a.samples);
    }
    if (tty) std::fprintf(stderr, "\n");

    // Key agreement: the written tracks' key against the kept tracks' (and the data's own written tracks' against them).
    int same_key = 0, same_scale = 0, data_same_key = 0, data_same_scale = 0;
    for (size_t i = 0; i < data.size(); ++i) {
        const fm::Key& lead = lead_keys[i];
        const fm::Key ours = fm::estimate_key(fm::flatten_tracks(made[i], written)), theirs = fm::estimate_key(fm::flatten_tracks(data[i], written));
        same_key += ours == lead, same_scale += fm::key_scale(ours) == fm::key_scale(lead);
        data_same_key += theirs == lead, data_same_scale += fm::key_scale(theirs) == fm::key_scale(lead);
    }
    nlohmann::json j = {{"checkpoint", checkpoint}, {"reference", a.reference}, {"samples", int(data.size())}, {"kept", a.keep}, {"key", a.key},
                        {"kept_unchanged", unchanged}, {"same_key", same_key}, {"same_scale", same_scale},
                        {"data_same_key", data_same_key}, {"data_same_scale", data_same_scale}};
    for (int k : written) {   // per written track: its figures against the data's same track
        std::vector<fm::Roll> ours, theirs;
        for (size_t i = 0; i < data.size(); ++i) ours.push_back(fm::flatten_tracks(made[i], {k})), theirs.push_back(fm::flatten_tracks(data[i], {k}));
        const fm::MusicStats o = fm::compute_music_stats(ours), d = fm::compute_music_stats(theirs);
        j["tracks"][roles[size_t(k)]] = {{"notes", o.notes}, {"data_notes", d.notes}, {"polyphony", o.polyphony}, {"data_polyphony", d.polyphony},
                                         {"pitch_classes_per_bar", o.pitch_classes_per_bar}, {"data_pitch_classes_per_bar", d.pitch_classes_per_bar},
                                         {"scale_consistency", o.scale_consistency}, {"data_scale_consistency", d.scale_consistency}};
    }
    if (a.json) {
        std::cout << j.dump() << "\n";
        return;
    }
    const double n = double(data.size());
    std::printf("%d samples of %d steps; kept %s; wrote the rest (key: %s)\n", int(data.size()), config.crop_length, a.keep.c_str(), a.key.c_str());
    std::printf("kept tracks unchanged:        %d of %d\n", unchanged, int(data.size()));
    std::printf("key of the written tracks = key of the kept ones: %5.1f %%  (same scale %5.1f %%)   data: %5.1f %% (%5.1f %%)\n",
                100 * same_key / n, 100 * same_scale / n, 100 * data_same_key / n, 100 * data_same_scale / n);
    for (int k : written) {
        const auto& t = j["tracks"][roles[size_t(k)]];
        std::printf("%-10s notes %5lld (data %5lld)  polyphony %.2f (data %.2f)  pitch classes/bar %.2f (data %.2f)  scale %.3f (data %.3f)\n",
                    roles[size_t(k)].c_str(), (long long)t["notes"].get<int64_t>(), (long long)t["data_notes"].get<int64_t>(),
                    t["polyphony"].get<double>(), t["data_polyphony"].get<double>(), t["pitch_classes_per_bar"].get<double>(),
                    t["data_pitch_classes_per_bar"].get<double>(), t["scale_consistency"].get<double>(), t["data_scale_consistency"].get<double>());
    }
}

}  // namespace

void add_eval_tracks_command(CLI::App& app) {
    auto a = std::make_shared<EvalTracksArgs>();
    CLI::App* cmd = app.add_subcommand("eval-tracks",
                                       "A multi-track model writing the other tracks around kept ones (accompany a melody), on songs it never saw");
    cmd->add_option("--checkpoint", a->checkpoint, "A multi-track checkpoint (default: the shipped one, models/default-tracks.safetensors)");
    cmd->add_option("--reference", a->reference, "Songs it never saw (folder or list): their tracks by the model's track names")->required();
    cmd->add_option("--track_map", a->track_map, "Which of the songs' tracks is which role (SOURCE=ROLE rules, in the model's track order; default: each role takes the track of its name)");
    cmd->add_option("--keep", a->keep, "The tracks kept (comma-separated); the others are written")->capture_default_str();
    cmd->add_option("--samples", a->samples, "Crops accompanied")->capture_default_str();
    cmd->add_option("--key", a->key, "auto: ask for the kept tracks' key (as generate --keep_tracks does); none: the model's own choice")
        ->capture_default_str()->check(CLI::IsMember({"auto", "none"}));
    cmd->add_option("--num_iter_list", a->num_iter, "MAR iterations at levels 0, 1, 2")->capture_default_str();
    cmd->add_option("--seed", a->seed, "Seed of the crops and the draws")->capture_default_str();
    cmd->add_option("--device", a->device, "cpu, cuda or auto")->capture_default_str();
    cmd->add_option("--precision", a->precision, fm::kPrecisionHelp)->capture_default_str();
    cmd->add_option("--threads", a->threads, "Intra-op threads (0: all cores)");
    cmd->add_flag("--json", a->json, "One JSON object");
    cmd->callback([a] { run_eval_tracks(*a); });
}

}  // namespace fmcli
