// fractalmidi info FILE.mid — what the importer sees in a MIDI file, and its estimated key and chords per bar
// (FILE.safetensors: what a checkpoint holds).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.h"
#include "core/error.h"
#include "core/harmony.h"
#include "core/midi_roll.h"
#include "core/track_rolls.h"

namespace fmcli {

namespace {

struct InfoArgs {
    std::string input;
    bool keep_drums = false;
    bool json = false;
    std::string track_map;
};

void run_info(const InfoArgs& a) {
    if (std::filesystem::path(a.input).extension() == ".safetensors") {
#ifdef FM_HAVE_MODEL
        return print_checkpoint_info(a.input, a.json);
#else
        throw fm::Error("this build has no model support: it cannot read checkpoints", a.input);
#endif
    }
    fm::ImportOptions opt;
    opt.keep_drums = a.keep_drums;
    const fm::SmfFile smf = fm::read_smf_file(a.input);
    fm::MidiRoll m;
    fm::TrackRolls t;
    try {
        t = fm::midi_to_tracks(smf, fm::parse_track_map(a.track_map), opt, &m);   // the tracks, and the one-track import
    } catch (const fm::Error& e) {
        throw fm::Error(e.reason(), a.input);
    }
    nlohmann::json track_list = nlohmann::json::array();
    for (size_t k = 0; k < t.tracks.size(); ++k)
        track_list.push_back({{"name", t.info[k].name}, {"program", t.info[k].program}, {"notes", fm::count_notes(t.tracks[k])}});
    double lo = 1e9, hi = 0;
    for (const fm::TempoChange& t : m.tempo) lo = std::min(lo, t.bpm()), hi = std::max(hi, t.bpm());
    const double step_ticks = m.ticks_per_quarter / 4.0;
    int last = 0;
    for (const fm::StepNote& n : m.notes) last = std::max(last, n.end);
    const double seconds = fm::steps_to_seconds(m.tempo, last);
    // A musician's check of the estimators that key and chord conditions are measured with (core/harmony.h).
    const fm::Key key = fm::estimate_key(m.roll);
    const std::string declared =
        m.key_signatures.empty() ? "" : fm::key_name(fm::key_of_signature(m.key_signatures.front().sharps, m.key_signatures.front().minor));
    std::vector<std::string> chords;
    for (const fm::Chord& c : fm::estimate_bar_chords(m.roll)) chords.push_back(fm::chord_name(c));
    const int beat = fm::estimate_beat_phase(m.notes);   // where the beats fall on this roll (0: on its quarters)

    if (a.json) {
        nlohmann::json j = {
            {"file", a.input}, {"format", m.format}, {"tracks", m.tracks}, {"ticks_per_quarter", m.ticks_per_quarter},
            {"tempo_min_bpm", lo}, {"tempo_max_bpm", hi}, {"tempo_changes", int(m.tempo.size()) - 1},
            {"source_notes", m.source_notes}, {"notes", int(m.notes.size())}, {"drum_notes_left_out", m.dropped_drum_notes},
            {"length_steps", m.roll.width}, {"length_bars", m.roll.width / double(fm::kStepsPerBar)},
            {"seconds", seconds}, {"grid_phase_ticks", m.phase_ticks}, {"grid_phase_steps", m.phase_ticks / step_ticks},
            {"beat_phase", beat}, {"warnings", m.warnings}, {"key", m.notes.empty() ? "" : fm::key_name(key)}, {"key_fit", key.score},
            {"declared_key", declared}, {"chords", chords}, {"roll_tracks", track_list}, {"notes_in_no_track", t.unmapped_notes}};
        std::cout << j.dump() << "\n";
        return;
    }
    std::printf("file:           %s\n", a.input.c_str());
    std::printf("format:         %d (%d track%s)\n", m.format, m.tracks, m.tracks == 1 ? "" : "s");
    std::printf("ticks/quarter:  %d (one 1/16 step = %g ticks)\n", m.ticks_per_quarter, step_ticks);
    if (m.tempo.size() == 1) std::printf("tempo:          %.1f bpm\n", lo);
    else std::printf("tempo:          %.1f-%.1f bpm (%zu changes)\n", lo, hi, m.tempo.size() - 1);
    std::printf("notes:          %d read, %d in the roll", m.source_notes, int(m.notes.size()));
    if (m.dropped_drum_notes > 0) std::printf(", %d drum notes left out (--keep_drums keeps them)", m.dropped_drum_notes);
    std::printf("\nlength:         %d steps = %.2f bars (4/4), %.1f s\n", m.roll.width, m.roll.width / double(fm::kStepsPerBar), seconds);
    std::printf("grid phase:     %+.1f ticks (%+.3f step)\n", m.phase_ticks, m.phase_ticks / step_ticks);
    if (!m.notes.empty()) {
        if (beat == 0) std::printf("beats:          on the roll's quarters (steps 0, 4, 8, 12 of a bar)\n");
        else std::printf("beats:          on steps %d, %d, %d, %d of a bar, not the roll's quarters (dataset/train --align_beats moves them)\n",
                         beat, beat + 4, beat + 8, beat + 12);
    }
    for (size_t k = 0; k < t.tracks.size(); ++k)   // what convert --tracks keeps apart
        std::printf("%-16s%-16s program %3d, %d notes\n", k == 0 ? "tracks:" : "", t.info[k].name.c_str(), t.info[k].program, fm::count_notes(t.tracks[k]));
    if (t.unmapped_notes > 0) std::printf("                %d notes in no track the map names\n", t.unmapped_notes);
    if (!m.notes.empty()) {
        std::printf("key:            %s (profile fit %.2f", fm::key_name(key).c_str(), key.score);
        if (!declared.empty()) std::printf("; the file declares %s", declared.c_str());
        std::printf(")\nchords:         ");
        for (size_t b = 0; b < chords.size(); ++b) {   // eight bars a line, numbered from 1
            if (b > 0 && b % 8 == 0) std::printf("|\n                ");
            if (b % 8 == 0) std::printf("%-4zu", b + 1);
            std::printf("| %-6s ", chords[b].c_str());
        }
        std::printf("|\n");
    }
    for (const std::string& w : m.warnings) std::printf("warning:        %s\n", w.c_str());
}

}  // namespace

void add_info_command(CLI::App& app) {
    auto args = std::make_shared<InfoArgs>();
    CLI::App* cmd = app.add_subcommand("info", "Show a MIDI file's format, tracks, tempo, notes, length, grid phase, estimated key and chords per bar, or check a checkpoint and show what it holds");
    cmd->add_option("file", args->input, "MIDI file, or a checkpoint (.safetensors)")->required();
    cmd->add_flag("--keep_drums", args->keep_drums, "Keep channel 10 (percussion)");
    cmd->add_flag("--json", args->json, "Print one JSON object");
    cmd->add_option("--track_map", args->track_map, "How the tracks are told apart (as convert --track_map; default: auto)");
    cmd->callback([args] { run_info(*args); });
}

}  // namespace fmcli
