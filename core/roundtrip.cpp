#include "roundtrip.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace fm {

namespace {

struct GridNotes {
    std::map<std::pair<int, int64_t>, int64_t> duration;   // (pitch, onset step) -> longest duration (steps)
    double seconds = 0;
};

GridNotes grid_notes(const SmfFile& smf, const ImportOptions& options) {
    GridNotes g;
    const std::vector<MidiNote> notes = collect_notes(smf, options.keep_drums);
    const double step = smf.ticks_per_quarter / double(kStepsPerQuarter);
    std::vector<int64_t> onsets;
    for (const MidiNote& n : notes) onsets.push_back(n.start);
    const double phase = options.estimate_phase ? estimate_grid_phase(onsets, step) : 0.0;
    const auto tempo = tempo_map_ticks(smf);
    for (const MidiNote& n : notes) {
        const int64_t s = quantise_tick(double(n.start), phase, step);
        const int64_t e = std::max(s + 1, quantise_tick(double(n.end), phase, step));
        int64_t& d = g.duration[{n.pitch, s}];
        d = std::max(d, e - s);
    }
    g.seconds = ticks_to_seconds(tempo, smf.ticks_per_quarter, double(last_event_tick(smf)));
    return g;
}

}  // namespace

RoundTrip compare_roundtrip(const SmfFile& source, const SmfFile& exported, const ImportOptions& options) {
    const GridNotes a = grid_notes(source, options);
    ImportOptions on_grid = options;
    on_grid.estimate_phase = false;   // the export is on its own grid by construction
    const GridNotes b = grid_notes(exported, on_grid);
    RoundTrip r;
    r.source_notes = int(a.duration.size());
    r.exported_notes = int(b.duration.size());
    r.source_seconds = a.seconds;
    r.exported_seconds = b.seconds;
    int best = -1;
    for (int shift = -2; shift <= 2; ++shift) {
        int kept = 0, within = 0;
        for (const auto& [key, dur] : a.duration) {
            auto it = b.duration.find({key.first, key.second + shift});
            if (it == b.duration.end()) continue;
            ++kept;
            if (std::llabs(it->second - dur) <= 1) ++within;
        }
        if (kept > best || (kept == best && std::abs(shift) < std::abs(r.shift))) {
            best = kept;
            r.shift = shift;
            r.kept = kept;
            r.durations_within_one = within;
        }
    }
    r.extra = r.exported_notes - r.kept;
    return r;
}

}  // namespace fm
