// fractalmidi convert IN.mid --out OUT.mid — MIDI -> piano roll -> MIDI (and PNG).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "commands.h"
#include "core/error.h"
#include "core/log.h"
#include "core/midi_roll.h"
#include "core/roll_image.h"
#include "core/roundtrip.h"
#include "core/track_rolls.h"

namespace fmcli {

namespace {

struct ConvertArgs {
    std::string input, output, png;
    bool fold = false;
    bool keep_drums = false;
    bool no_phase = false;
    int offset = 0;
    int width = 0;   // 0: the whole file
    int scale = 4;
    bool tracks = false;     // keep the file's tracks apart (one MIDI track per roll track)
    std::string track_map;   // SOURCE=ROLE rules, "pop909" or "auto" (implies tracks)
};

// --tracks: the roll tracks, each windowed, written as one MIDI track each.
void convert_tracks(const ConvertArgs& a, const fm::SmfFile& source, const fm::ImportOptions& opt) {
    fm::TrackRolls t;
    try {
        t = fm::midi_to_tracks(source, fm::parse_track_map(a.track_map), opt);
    } catch (const fm::Error& e) {
        throw fm::Error(e.reason(), a.input);
    }
    const int width = a.width != 0 ? a.width : t.width() - a.offset;
    if (width <= 0)
        throw fm::Error("--offset " + std::to_string(a.offset) + " is past the end of the file (" + std::to_string(t.width()) + " steps)", a.input);
    const bool whole = a.offset == 0 && width == t.width();
    if (!whole) {
        for (fm::Roll& r : t.tracks) r = fm::crop(r, a.offset, width);
        t.tempo = fm::tempo_window(t.tempo, a.offset, width);
    }
    std::printf("%s: %zu track%s, steps %d-%d\n", a.input.c_str(), t.tracks.size(), t.tracks.size() == 1 ? "" : "s", a.offset, a.offset + width);
    for (size_t k = 0; k < t.tracks.size(); ++k)
        std::printf("  %zu %-16s program %3d  %6d notes\n", k + 1, t.info[k].name.c_str(), t.info[k].program, fm::count_notes(t.tracks[k]));
    if (t.unmapped_notes > 0) fm::log_warning("%s: %d notes in no track the map names: left out", a.input.c_str(), t.unmapped_notes);
    if (!a.output.empty()) {
        fm::save_midi_tracks(a.output, t);
        std::printf("wrote %s\n", a.output.c_str());
    }
    if (!a.png.empty()) {   // the tracks together
        const fm::Roll roll = fm::merge_tracks(t);
        fm::save_roll_png(a.png, a.fold ? fm::fold(fm::pad(roll, roll.width + roll.width % 2)) : roll, a.scale);
        std::printf("wrote %s\n", a.png.c_str());
    }
}

void run_convert(const ConvertArgs& a) {
    if (a.output.empty() && a.png.empty()) throw fm::Error("nothing to write: give --out and/or --png");
    if (a.offset < 0) throw fm::Error("--offset " + std::to_string(a.offset) + " must be >= 0");
    if (a.width != 0) fm::check_width(a.width);
    fm::ImportOptions opt;
    opt.keep_drums = a.keep_drums;
    opt.estimate_phase = !a.no_phase;
    const fm::SmfFile source = fm::read_smf_file(a.input);
    for (const std::string& w : source.warnings) fm::log_warning("%s: %s", a.input.c_str(), w.c_str());
    if (a.tracks || !a.track_map.empty()) return convert_tracks(a, source, opt);
    fm::MidiRoll m;
    try {
        m = fm::midi_to_roll(source, opt);
    } catch (const fm::Error& e) {
        throw fm::Error(e.reason(), a.input);
    }
    const int width = a.width != 0 ? a.width : m.roll.width - a.offset;
    if (width <= 0)
        throw fm::Error("--offset " + std::to_string(a.offset) + " is past the end of the file (" +
                        std::to_string(m.roll.width) + " steps)", a.input);
    const bool whole = a.offset == 0 && width == m.roll.width;
    const fm::Roll roll = whole ? m.roll : fm::crop(m.roll, a.offset, width);
    const auto tempo = whole ? m.tempo : fm::tempo_window(m.tempo, a.offset, width);
    if (!a.output.empty()) fm::save_midi(a.output, roll, tempo);
    if (!a.png.empty()) {
        // A whole file may have an odd number of steps: one silent step more makes it foldable.
        const fm::Roll shown = a.fold ? fm::fold(fm::pad(roll, roll.width + roll.width % 2)) : roll;
        fm::save_roll_png(a.png, shown, a.scale);
    }
    std::printf("%s: %d notes read, %d in the roll, steps %d-%lld (%d steps, %.2f bars), grid phase %+.1f ticks\n",
                a.input.c_str(), m.source_notes, fm::count_notes(roll), a.offset, (long long)a.offset + width, width,
                width / double(fm::kStepsPerBar), m.phase_ticks);
    if (!a.output.empty()) {
        if (whole) {   // how much of the file survived, read back from what was written
            const fm::RoundTrip r = fm::compare_roundtrip(source, fm::read_smf_file(a.output), opt);
            std::printf("round trip: %.2f%% of %d notes kept at pitch and onset, %.2f%% added, %.2f%% of durations within "
                        "one step, length %.2f s -> %.2f s\n",
                        100 * r.kept_rate(), r.source_notes, 100 * r.extra_rate(), 100 * r.duration_rate(),
                        r.source_seconds, r.exported_seconds);
        }
        std::printf("wrote %s\n", a.output.c_str());
    }
    if (!a.png.empty()) std::printf("wrote %s\n", a.png.c_str());
}

}  // namespace

void add_convert_command(CLI::App& app) {
    auto a = std::make_shared<ConvertArgs>();
    CLI::App* cmd = app.add_subcommand("convert", "MIDI -> 1/16-note piano roll -> MIDI (the whole file or a window), and a PNG of the roll");
    cmd->add_option("input", a->input, "MIDI file to read")->required();
    cmd->add_option("--out", a->output, "MIDI file to write (SMF type 1: tempo track + one piano track)");
    cmd->add_option("--png", a->png, "PNG image of the roll to write (pitch up, time right)");
    cmd->add_flag("--fold", a->fold, "Draw the PNG folded: a 128x512 roll as a 256x256 square");
    cmd->add_option("--offset", a->offset, "First step of the window (1/16 notes)")->capture_default_str();
    cmd->add_option("--width", a->width, "Window width in steps, a multiple of 4 (default: to the end)");
    cmd->add_option("--scale", a->scale, "PNG pixels per cell")->capture_default_str()->check(CLI::Range(1, 64));
    cmd->add_flag("--keep_drums", a->keep_drums, "Keep channel 10 (percussion)");
    cmd->add_flag("--no_phase", a->no_phase, "Quantise on the raw tick grid, without the per-file grid phase");
    cmd->add_flag("--tracks", a->tracks, "Keep the file's tracks apart: one MIDI track per track (by name; by channel in a one-track file)");
    cmd->add_option("--track_map", a->track_map,
                    "Which source goes to which track: SOURCE=ROLE rules, comma-separated (SOURCE: a track name, #N, chN or *), "
                    "or pop909 (MELODY, BRIDGE, PIANO); implies --tracks");
    cmd->callback([a] { run_convert(*a); });
}

}  // namespace fmcli
