// fractalmidi jam — a play-along session in wall-clock time, with a MIDI file standing in for the musician (so that
// tests and benchmarks need no MIDI hardware): writes the session and reports, for every bar the model made, when
// it was ready against when it was due.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "commands.h"
#include "int_list.h"
#include "interrupt.h"
#include "core/error.h"
#include "core/harmony.h"
#include "core/midi_roll.h"
#include "core/notes.h"
#include "core/resources.h"
#include "model/engine.h"
#include "model/jam.h"
#include "model/threads.h"

namespace fmcli {

namespace {

struct JamArgs {
    std::string checkpoint, input, mode = "endless", out, num_iter = default_iters(), device = "cpu";
    double tempo = 120, temperature = 1.0;
    int bars = 16, lookahead = 1, call_bars = 4, offset = 0, threads = 0;
    int64_t seed = 0;
    bool json = false, melody_only = false, call_chords = false;
};

// The top line of a texture: at each onset, the highest note struck there (what a musician's right hand plays).
std::vector<fm::StepNote> top_line(const std::vector<fm::StepNote>& notes) {
    std::map<int, fm::StepNote> top;
    for (const fm::StepNote& n : notes) {
        auto it = top.find(n.start);
        if (it == top.end() || n.pitch > it->second.pitch) top[n.start] = n;
    }
    std::vector<fm::StepNote> out;
    for (const auto& [start, n] : top) out.push_back(n);
    return out;
}

double rss_mb() {
    std::ifstream f("/proc/self/status");
    for (std::string line; std::getline(f, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return 0;
}

std::string key_text(const fm::Key& k) { return fm::key_name(k); }

void run_jam_command(const JamArgs& a) {
    fm::JamOptions o;
    o.mode = fm::parse_jam_mode(a.mode);
    o.bpm = a.tempo, o.bars = a.bars, o.lookahead = a.lookahead, o.call_bars = a.call_bars, o.temperature = a.temperature;
    o.seed = uint64_t(a.seed);
    o.answer_call_chords = a.call_chords;
    const std::vector<int> it = parse_int_list(a.num_iter, "--num_iter_list", 3);
    o.num_iter = {it[0], it[1], it[2]};
    if (o.mode != fm::JamMode::endless && a.input.empty()) throw fm::Error("--mode " + a.mode + " needs --input FILE.mid (the musician)");
    if (a.offset < 0) throw fm::Error("--offset must be 0 or more bars");

    std::vector<fm::StepNote> played;
    if (!a.input.empty()) {
        const fm::MidiRoll in = fm::load_midi(a.input);
        for (const fm::StepNote& n : in.notes)
            if (n.start >= a.offset * fm::kStepsPerBar)
                played.push_back(fm::StepNote{n.pitch, n.start - a.offset * fm::kStepsPerBar, n.end - a.offset * fm::kStepsPerBar, n.velocity});
        if (a.melody_only) played = top_line(played);
        if (played.empty() && o.mode != fm::JamMode::endless) throw fm::Error("no notes from bar " + std::to_string(a.offset + 1) + " on", a.input);
    }

    fm::use_threads(a.threads);
    std::string path = a.checkpoint.empty() ? fm::default_model_path(128) : a.checkpoint;
    if (path.empty()) throw fm::Error("no --checkpoint given and no default model installed");
    auto engine = fm::Engine::load(path, a.device);
    const std::vector<fm::JamEvent> events = fm::jam_input_events(played, o);
    const double rss_start = rss_mb();
    Interrupt stop;
    nlohmann::json bars = nlohmann::json::array();
    const fm::JamResult r = fm::run_jam(*engine, o, events, [&](const fm::JamBarReport& b) {
        nlohmann::json j = {{"bar", b.bar}, {"due_s", b.due_s}, {"ready_s", b.ready_s}, {"margin_s", b.margin_s},
                            {"job_s", b.job_s}, {"degraded", b.degraded}, {"rss_mb", rss_mb()}};
        if (b.key >= 0) j["key"] = key_text(fm::key_of_code(b.key));
        if (a.json) std::printf("%s\n", j.dump().c_str());
        else std::printf("bar %3d  due %7.2f s  ready %7.2f s  margin %+6.2f s%s\n", b.bar + 1, b.due_s, b.ready_s, b.margin_s,
                         b.degraded ? "  (degraded)" : "");
        std::fflush(stdout);
        bars.push_back(j);
    }, stop.flag());
    if (!a.out.empty()) fm::save_midi(a.out, r.recording, {fm::TempoChange{0, uint32_t(std::lround(60e6 / a.tempo))}});

    int late = 0;
    for (const auto& b : bars) late += b["margin_s"].get<double>() < 0;
    nlohmann::json s = {{"summary", true}, {"mode", fm::jam_mode_name(o.mode)}, {"tempo", a.tempo}, {"bars", a.bars},
                        {"model_bars", bars.size()}, {"worst_margin_s", r.worst_margin_s}, {"p99_margin_s", r.p99_margin_s},
                        {"late_bars", late}, {"degraded", r.degraded}, {"degrade_reason", r.degrade_reason},
                        {"rss_start_mb", rss_start}, {"rss_end_mb", rss_mb()}, {"cancelled", stop.raised()}};
    const auto notes = fm::roll_to_notes(r.recording);
    s["notes"] = notes.size();
    if (o.mode == fm::JamMode::answer) {   // the first call and its answer: do they share a key?
        const int call = o.call_bars * fm::kStepsPerBar;
        const fm::Key in = fm::estimate_key(r.recording, 0, call), out = fm::estimate_key(r.recording, call, std::min(2 * call, r.recording.width));
        s["call_key"] = key_text(in), s["answer_key"] = key_text(out), s["same_key"] = in == out;
        s["same_scale"] = fm::key_scale(in) == fm::key_scale(out);   // equal, or the relative major / minor
    }
    if (o.mode == fm::JamMode::accompany) {   // every note the musician played, as quantised, is in the session unchanged
        int kept = 0;
        const std::vector<fm::StepNote>& heard = r.input;
        for (const fm::StepNote& n : heard) kept += std::find(notes.begin(), notes.end(), n) != notes.end();
        s["input_notes"] = heard.size(), s["input_notes_kept"] = kept;
    }
    if (a.json) {
        std::printf("%s\n", s.dump().c_str());
    } else {
        std::printf("%zu bars made: worst margin %+.2f s, p99 %+.2f s, %d late%s\n", bars.size(), r.worst_margin_s, r.p99_margin_s, late,
                    r.degraded ? (", degraded: " + r.degrade_reason).c_str() : "");
        if (!a.out.empty()) std::printf("wrote %s\n", a.out.c_str());
    }
}

}  // namespace

void add_jam_command(CLI::App& app) {
    auto a = std::make_shared<JamArgs>();
    CLI::App* cmd = app.add_subcommand("jam", "Play along in real time: answer, accompany or continue endlessly (a .mid as the musician)");
    cmd->add_option("--checkpoint", a->checkpoint, "Model (default: the shipped 8-bar model)");
    cmd->add_option("--input", a->input, "MIDI file played as the musician, in wall-clock time (answer, accompany)");
    cmd->add_option("--offset", a->offset, "First bar of --input to play")->capture_default_str();
    cmd->add_flag("--melody_only", a->melody_only, "Play only --input's top line (the highest note of each onset)");
    cmd->add_option("--mode", a->mode, "answer (call and response), accompany or endless")->capture_default_str();
    cmd->add_option("--tempo", a->tempo, "Session tempo in bpm")->capture_default_str();
    cmd->add_option("--bars", a->bars, "Session length in bars (after one bar of count-in)")->capture_default_str();
    cmd->add_option("--lookahead", a->lookahead, "Bars the model makes per job (endless, accompany)")->capture_default_str();
    cmd->add_option("--call_bars", a->call_bars, "answer: bars of each call and each answer")->capture_default_str();
    cmd->add_flag("--call_chords", a->call_chords, "answer: each bar of the answer over the chord of the call's bar in its place");
    cmd->add_option("--temperature", a->temperature, "Sampling temperature")->capture_default_str();
    cmd->add_option("--num_iter_list", a->num_iter, "MAR iterations at levels 0, 1, 2 (halved when degraded)")->capture_default_str();
    cmd->add_option("--seed", a->seed, "Seed")->capture_default_str();
    cmd->add_option("--threads", a->threads, "Intra-op threads (0: all cores)")->capture_default_str();
    cmd->add_option("--device", a->device, "cpu, cuda or auto")->capture_default_str();
    cmd->add_option("--out", a->out, "Write the session (musician and model) as .mid");
    cmd->add_flag("--json", a->json, "One JSON object per bar ({bar, due_s, ready_s, margin_s, ...}), then a summary");
    cmd->callback([a] { run_jam_command(*a); });
}

}  // namespace fmcli
