// fractalmidi eval-conditions — does a model follow what it is asked? Samples drawn under each condition (key, chords,
// density, tempo, style) measured with the same estimators `fractalmidi info` prints, beside unconditioned samples
// and the reference data's own figures. The Control issue's acceptance figures come from here.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "eval_data.h"
#include "int_list.h"
#include "interrupt.h"
#include "core/dataset.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/harmony.h"
#include "core/music_metrics.h"
#include "core/notes.h"
#include "model/conditions.h"
#include "model/engine.h"
#include "model/generate_params.h"
#include "model/threads.h"

namespace fmcli {

namespace {

struct ConditionArgs {
    std::string checkpoint, reference, device = "auto", chords = "C G Am F", num_iter = default_iters();
    std::vector<std::string> style_references;   // style=list
    int samples = 64, threads = 0, passing_tones = fm::Conditions().passing_tones;
    int64_t seed = 0;
    double cfg = fm::GenerateParams().guidance;
    bool json = false;
    std::vector<std::string> only;   // sections to measure (empty: all)
};

const char* const kSections[] = {"none", "key", "chords", "reference", "density", "tempo", "style"};

double notes_per_bar(const std::vector<fm::Roll>& rolls) {
    double notes = 0, bars = 0;
    for (const fm::Roll& r : rolls) notes += fm::count_notes(r), bars += r.width / double(fm::kStepsPerBar);
    return bars > 0 ? notes / bars : 0;
}

// Share of onsets whose pitch class lies in `scale` (key_scale bits); keys[i] for roll i.
double in_scale(const std::vector<fm::Roll>& rolls, const std::vector<fm::Key>& keys) {
    double in = 0, all = 0;
    for (size_t i = 0; i < rolls.size(); ++i) {
        const uint16_t scale = fm::key_scale(keys[i]);
        for (const fm::StepNote& n : fm::roll_to_notes(rolls[i])) in += (scale >> (n.pitch % 12)) & 1, all += 1;
    }
    return all > 0 ? in / all : 0;
}

// Share of bars (with notes) whose estimated chord has the asked root and quality; asked[i] per roll, bar after bar.
double chord_match(const std::vector<fm::Roll>& rolls, const std::vector<std::vector<fm::Chord>>& asked) {
    double hit = 0, bars = 0;
    for (size_t i = 0; i < rolls.size(); ++i)
        for (int b = 0; (b + 1) * fm::kStepsPerBar <= rolls[i].width; ++b) {
            const fm::Chord want = asked[i][size_t(b) % asked[i].size()];
            if (want.root < 0) continue;
            const fm::Chord got = fm::estimate_chord(rolls[i], b * fm::kStepsPerBar, (b + 1) * fm::kStepsPerBar);
            if (got.root < 0) continue;   // a silent bar has no chord to compare
            hit += fm::same_chord(got, want), bars += 1;
        }
    return bars > 0 ? hit / bars : 0;
}

std::vector<fm::Roll> reference_crops(const std::string& source, int n, int length, uint64_t seed) {
    return bar_crops(ScratchDataset(source).get(), n, length, seed);
}

void run_conditions(const ConditionArgs& a) {
    fm::use_threads(a.threads);
    auto engine = fm::Engine::load(a.checkpoint, a.device);
    const int width = engine->config().crop_length;
    Interrupt stop;
    nlohmann::json out;
    auto sample = [&](const fm::Conditions& c, uint64_t seed, int n) {
        fm::GenerateParams g;
        g.width = width, g.num_samples = n, g.seed = seed, g.conditions = c, g.guidance = a.cfg;
        g.num_iter = parse_iters(a.num_iter);
        auto rolls = engine->generate(g, {}, stop.flag());
        if (stop.raised()) throw fm::Error("interrupted");
        return rolls;
    };
    auto line = [&](const std::string& name, const std::string& text) { if (!a.json) std::printf("%-28s %s\n", name.c_str(), text.c_str()); };
    char buf[256];
    auto want = [&](const char* section) { return a.only.empty() || std::find(a.only.begin(), a.only.end(), section) != a.only.end(); };

    // Unconditioned: the baseline every figure is read against.
    if (want("none")) {
        const auto none = sample({}, uint64_t(a.seed), a.samples);
        std::vector<fm::Key> own;
        for (const auto& r : none) own.push_back(fm::estimate_key(r));
        const fm::MusicStats s = fm::compute_music_stats(none);
        out["none"] = {{"notes_per_bar", notes_per_bar(none)}, {"in_own_key_scale", in_scale(none, own)}, {"polyphony", s.polyphony},
                       {"pitch_classes_per_bar", s.pitch_classes_per_bar}};
        std::snprintf(buf, sizeof buf, "notes/bar %.2f  in own key's scale %.3f  polyphony %.2f  PC/bar %.2f", notes_per_bar(none),
                      in_scale(none, own), s.polyphony, s.pitch_classes_per_bar);
        line("unconditioned", buf);
    }
    // Keys: eight, each for an eighth of the samples; with the scale lock (the default) and without.
    const char* keys[] = {"C major", "A minor", "G major", "E minor", "F major", "D minor", "Bb major", "F# minor"};
    for (const bool lock : {true, false}) {
        if (!want("key")) break;
        std::vector<fm::Roll> rolls;
        std::vector<fm::Key> asked;
        double matched = 0;
        for (int k = 0; k < 8; ++k) {
            fm::Conditions c;
            const fm::Key key = fm::parse_key(keys[k]);
            c.key = fm::key_code(key), c.scale_lock = lock;
            for (auto& r : sample(c, uint64_t(a.seed) + 100 + uint64_t(k), std::max(1, a.samples / 8))) {
                matched += fm::estimate_key(r) == key;
                rolls.push_back(std::move(r)), asked.push_back(key);
            }
        }
        const double share = in_scale(rolls, asked), match = matched / double(rolls.size());
        out[lock ? "key" : "key_unlocked"] = {{"in_scale", share}, {"key_match", match}, {"samples", rolls.size()}};
        std::snprintf(buf, sizeof buf, "in asked scale %.3f  estimated key = asked %.3f  (%zu samples)", share, match, rolls.size());
        line(lock ? "--key (scale lock)" : "--key --no_lock", buf);
    }
    // Chords: one progression for all, then each sample the progression of a reference crop (the data's own bars).
    for (const bool lock : {true, false}) {
        if (!want("chords")) break;
        fm::Conditions c;
        c.chords = fm::parse_chords(a.chords), c.scale_lock = lock, c.passing_tones = a.passing_tones;
        const auto rolls = sample(c, uint64_t(a.seed) + 200, a.samples);
        const double m = chord_match(rolls, std::vector<std::vector<fm::Chord>>(rolls.size(), c.chords));
        out[lock ? "chords" : "chords_unlocked"] = {{"progression", a.chords}, {"match", m}};
        std::snprintf(buf, sizeof buf, "bars matching the asked chord %.3f  (\"%s\")", m, a.chords.c_str());
        line(lock ? "--chords" : "--chords --no_lock", buf);
    }
    if (!a.reference.empty() && want("reference")) {
        const auto ref = reference_crops(a.reference, a.samples, width, uint64_t(a.seed) + 7);
        std::vector<fm::Roll> rolls;
        std::vector<std::vector<fm::Chord>> asked;
        for (size_t i = 0; i < ref.size(); ++i) {
            fm::Conditions c;
            c.chords = fm::estimate_bar_chords(ref[i]);
            auto r = sample(c, uint64_t(a.seed) + 300 + i, 1);
            rolls.push_back(std::move(r.front())), asked.push_back(c.chords);
        }
        const double m = chord_match(rolls, asked);
        const fm::MusicStats rs = fm::compute_music_stats(ref);
        std::vector<fm::Key> own;
        for (const auto& r : ref) own.push_back(fm::estimate_key(r));
        out["chords_of_reference"] = {{"match", m}};
        out["reference"] = {{"notes_per_bar", notes_per_bar(ref)}, {"in_own_key_scale", in_scale(ref, own)}, {"polyphony", rs.polyphony},
                            {"pitch_classes_per_bar", rs.pitch_classes_per_bar}};
        std::snprintf(buf, sizeof buf, "bars matching the reference crop's own chords %.3f", m);
        line("--chords (data's own)", buf);
        std::snprintf(buf, sizeof buf, "notes/bar %.2f  in own key's scale %.3f  polyphony %.2f  PC/bar %.2f", notes_per_bar(ref),
                      in_scale(ref, own), rs.polyphony, rs.pitch_classes_per_bar);
        line("reference data", buf);
    }
    // Density and tempo: notes per bar should rise with the one and fall as the other rises.
    for (const double d : {0.2, 0.5, 0.8}) {
        if (!want("density")) break;
        fm::Conditions c;
        c.density = {d};
        const double npb = notes_per_bar(sample(c, uint64_t(a.seed) + 400, a.samples));
        out["density"][std::to_string(d).substr(0, 3)] = npb;
        std::snprintf(buf, sizeof buf, "notes/bar %.2f", npb);
        line("--density " + std::to_string(d).substr(0, 3), buf);
    }
    for (const double bpm : {70.0, 100.0, 140.0}) {
        if (!want("tempo")) break;
        fm::Conditions c;
        c.tempo = bpm;
        const double npb = notes_per_bar(sample(c, uint64_t(a.seed) + 500, a.samples));
        out["tempo"][std::to_string(int(bpm))] = npb;
        std::snprintf(buf, sizeof buf, "notes/bar %.2f", npb);
        line("--tempo " + std::to_string(int(bpm)), buf);
    }
    // Style: polyphony and pitch classes per bar, beside each corpus's own where a reference is given.
    std::map<std::string, std::string> refs;
    for (const std::string& s : a.style_references) {
        const auto eq = s.find('=');
        if (eq == std::string::npos) throw fm::Error("--style_reference '" + s + "' is not style=folder-or-list");
        refs[fm::style_name(fm::parse_style(s.substr(0, eq)))] = s.substr(eq + 1);
    }
    for (int st = 0; st < fm::kStyles && want("style"); ++st) {
        fm::Conditions c;
        c.style = fm::Style(st);
        const std::string name = fm::style_name(c.style);
        const auto rolls = sample(c, uint64_t(a.seed) + 600, a.samples);
        const fm::MusicStats s = fm::compute_music_stats(rolls);
        out["style"][name] = {{"polyphony", s.polyphony}, {"pitch_classes_per_bar", s.pitch_classes_per_bar}, {"notes_per_bar", notes_per_bar(rolls)}};
        std::snprintf(buf, sizeof buf, "polyphony %.2f  PC/bar %.2f  notes/bar %5.2f", s.polyphony, s.pitch_classes_per_bar, notes_per_bar(rolls));
        std::string text = buf;
        if (refs.count(name)) {
            const auto ref = reference_crops(refs[name], a.samples, width, uint64_t(a.seed) + 9);
            const fm::MusicStats r = fm::compute_music_stats(ref);
            out["style_reference"][name] = {{"polyphony", r.polyphony}, {"pitch_classes_per_bar", r.pitch_classes_per_bar},
                                            {"notes_per_bar", notes_per_bar(ref)}};
            std::snprintf(buf, sizeof buf, "   (data: %.2f  %.2f  %5.2f)", r.polyphony, r.pitch_classes_per_bar, notes_per_bar(ref));
            text += buf;
        }
        line("--style " + name, text);
    }
    out["cfg"] = a.cfg, out["num_iter_list"] = a.num_iter, out["samples"] = a.samples, out["checkpoint"] = a.checkpoint;
    if (a.json) std::printf("%s\n", out.dump().c_str());
}

}  // namespace

void add_conditions_command(CLI::App& app) {
    auto a = std::make_shared<ConditionArgs>();
    CLI::App* cmd = app.add_subcommand("eval-conditions", "Measure how a model follows --key, --chords, --density, --tempo and --style");
    cmd->add_option("--checkpoint", a->checkpoint, "Model checkpoint (.safetensors)")->required();
    cmd->add_option("--reference", a->reference, "Held-out folder or list: its crops' own chords are asked, and its figures shown");
    cmd->add_option("--style_reference", a->style_references, "style=folder-or-list: that corpus's held-out files (repeatable)");
    cmd->add_option("--chords", a->chords, "The progression asked of every sample")->capture_default_str();
    cmd->add_option("--samples", a->samples, "Samples per setting")->capture_default_str()->check(CLI::PositiveNumber);
    cmd->add_option("--passing_tones", a->passing_tones, "Locked chords: other pitch classes a bar may hold")->capture_default_str();
    cmd->add_option("--num_iter_list", a->num_iter, "MAR iterations at levels 0, 1, 2")->capture_default_str();
    cmd->add_option("--cfg", a->cfg, "Guidance scale of every conditioned setting (1: off)")->capture_default_str();
    cmd->add_option("--seed", a->seed, "Seed")->capture_default_str();
    cmd->add_option("--device", a->device, "cpu, cuda or auto")->capture_default_str();
    cmd->add_option("--threads", a->threads, "Intra-op threads (0: all cores)")->capture_default_str();
    cmd->add_flag("--json", a->json, "One JSON object instead of the table");
    cmd->add_option("--only", a->only, "Measure only these (repeatable): none (unconditioned), key, chords, reference, density, tempo, style")
        ->check(CLI::IsMember(std::vector<std::string>(std::begin(kSections), std::end(kSections))));
    cmd->callback([a] { run_conditions(*a); });
}

}  // namespace fmcli
