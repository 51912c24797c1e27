#include "midi_roll.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <utility>

#include "error.h"

namespace fm {

namespace {

constexpr int kExportTicksPerQuarter = 480;
constexpr int kExportTicksPerStep = kExportTicksPerQuarter / kStepsPerQuarter;

// Format 2 tracks are independent sequences played one after another: each starts where the last ended.
std::vector<int64_t> track_offsets(const SmfFile& smf) {
    std::vector<int64_t> offsets(smf.tracks.size(), 0);
    if (smf.format != 2) return offsets;
    int64_t at = 0;
    for (size_t i = 0; i < smf.tracks.size(); ++i) {
        offsets[i] = at;
        const SmfTrack& tr = smf.tracks[i];
        at += std::max(tr.end_tick, tr.events.empty() ? int64_t(0) : tr.events.back().tick);
    }
    return offsets;
}

}  // namespace

int64_t quantise_tick(double tick, double phase, double step_ticks) {
    return std::max<int64_t>(0, int64_t(std::floor((tick - phase) / step_ticks + 0.5)));
}

int64_t last_event_tick(const SmfFile& smf) {
    const std::vector<int64_t> offsets = track_offsets(smf);
    int64_t last = 0;
    for (size_t i = 0; i < smf.tracks.size(); ++i) {
        const SmfTrack& tr = smf.tracks[i];
        last = std::max(last, offsets[i] + std::max(tr.end_tick, tr.events.empty() ? int64_t(0) : tr.events.back().tick));
    }
    return last;
}

std::vector<MidiNote> collect_notes(const SmfFile& smf, bool keep_drums, int* dropped_drums) {
    std::vector<MidiNote> out;
    int dropped = 0;
    const std::vector<int64_t> offsets = track_offsets(smf);
    // (channel, pitch) -> onsets, FIFO. One set for all tracks (each track's end empties it): 2048 deques
    // per track made a file of thousands of empty tracks take seconds.
    std::vector<std::deque<std::pair<int64_t, int>>> open(16 * 128);
    for (size_t ti = 0; ti < smf.tracks.size(); ++ti) {
        const SmfTrack& tr = smf.tracks[ti];
        auto close = [&](int channel, int pitch, int64_t tick) {
            auto& q = open[size_t(channel * 128 + pitch)];
            if (q.empty()) return;   // unmatched note-off: nothing to end
            out.push_back({pitch, q.front().first, tick, q.front().second, channel, int(ti)});
            q.pop_front();
        };
        int64_t last = 0;
        for (const SmfEvent& ev : tr.events) {
            const int64_t t = ev.tick + offsets[ti];
            last = std::max(last, t);
            if (ev.status < 0x80 || ev.status >= 0xF0) continue;
            const int ch = ev.channel();
            if (ch == 9 && !keep_drums) {
                if (ev.is_note_on()) ++dropped;
                continue;
            }
            if (ev.is_note_on()) {
                open[size_t(ch * 128 + ev.data1)].push_back({t, ev.data2});
            } else if (ev.is_note_off()) {
                close(ch, ev.data1, t);
            } else if (ev.kind() == 0xB0 && (ev.data1 == 120 || ev.data1 == 123)) {   // all sound / notes off
                for (int p = 0; p < 128; ++p)
                    while (!open[size_t(ch * 128 + p)].empty()) close(ch, p, t);
            }
        }
        const int64_t end = std::max(last, tr.end_tick + offsets[ti]);
        for (int ch = 0; ch < 16; ++ch)
            for (int p = 0; p < 128; ++p)
                while (!open[size_t(ch * 128 + p)].empty()) close(ch, p, end);
    }
    std::stable_sort(out.begin(), out.end(), [](const MidiNote& a, const MidiNote& b) { return a.start < b.start; });
    if (dropped_drums) *dropped_drums = dropped;
    return out;
}

double estimate_grid_phase(const std::vector<int64_t>& onsets, double step_ticks) {
    if (onsets.empty() || !(step_ticks > 0)) return 0.0;
    // Histogram of onset residues, at most 480 bins (one tick per bin at 1920 ticks per quarter or less).
    const int bins = std::clamp(int(std::lround(step_ticks)), 1, 480);
    const double bin_ticks = step_ticks / bins;
    std::vector<double> hist(size_t(bins), 0.0);
    for (int64_t t : onsets) {
        double r = std::fmod(double(t), step_ticks);
        hist[size_t(std::min(bins - 1, int(r / bin_ticks)))] += 1.0;
    }
    const double cap = step_ticks / 4;
    double best_cost = 0, best_phase = 0;
    bool first = true;
    for (int k = 0; k < bins; ++k) {
        double cost = 0;
        for (int j = 0; j < bins; ++j) {
            if (hist[size_t(j)] == 0) continue;
            int d = std::abs(j - k);
            d = std::min(d, bins - d);
            cost += hist[size_t(j)] * std::min(d * bin_ticks, cap);
        }
        double phase = k * bin_ticks;
        if (phase > step_ticks / 2) phase -= step_ticks;
        const bool better = first || cost < best_cost - 1e-9 ||
                            (std::abs(cost - best_cost) <= 1e-9 && std::abs(phase) < std::abs(best_phase));
        if (better) { best_cost = cost; best_phase = phase; first = false; }
    }
    return best_phase;
}

std::vector<std::pair<int64_t, uint32_t>> tempo_map_ticks(const SmfFile& smf) {
    std::vector<std::pair<int64_t, uint32_t>> map;
    const std::vector<int64_t> offsets = track_offsets(smf);
    for (size_t ti = 0; ti < smf.tracks.size(); ++ti)
        for (const SmfEvent& ev : smf.tracks[ti].events)
            if (ev.is_tempo() && ev.tempo_us_per_quarter() > 0) map.push_back({ev.tick + offsets[ti], ev.tempo_us_per_quarter()});
    std::stable_sort(map.begin(), map.end(), [](auto& a, auto& b) { return a.first < b.first; });
    std::vector<std::pair<int64_t, uint32_t>> out;
    for (auto& e : map) {
        if (!out.empty() && out.back().first == e.first) out.back().second = e.second;   // last one at a tick wins
        else out.push_back(e);
    }
    if (out.empty() || out.front().first > 0) out.insert(out.begin(), {0, 500000u});
    return out;
}

double ticks_to_seconds(const std::vector<std::pair<int64_t, uint32_t>>& map, int ticks_per_quarter, double tick) {
    double seconds = 0;
    for (size_t i = 0; i < map.size(); ++i) {
        const double from = double(map[i].first);
        if (tick <= from) break;
        const double to = i + 1 < map.size() ? std::min(tick, double(map[i + 1].first)) : tick;
        seconds += (to - from) * map[i].second * 1e-6 / ticks_per_quarter;
    }
    return seconds;
}

double steps_to_seconds(const std::vector<TempoChange>& tempo, double step) {
    double seconds = 0;
    double from = 0;
    uint32_t us = tempo.empty() ? 500000u : tempo.front().us_per_quarter;
    for (const TempoChange& c : tempo) {
        if (c.step >= step) break;
        seconds += (c.step - from) * us * 1e-6 / kStepsPerQuarter;
        from = c.step;
        us = c.us_per_quarter;
    }
    return seconds + (step - from) * us * 1e-6 / kStepsPerQuarter;
}

int estimate_beat_phase(const std::vector<StepNote>& notes) {
    double weight[kStepsPerQuarter] = {};
    for (const StepNote& n : notes) weight[(n.start % kStepsPerQuarter + kStepsPerQuarter) % kStepsPerQuarter] += n.end - n.start;
    int best = 0;
    for (int k = 1; k < kStepsPerQuarter; ++k)
        if (weight[k] > weight[best]) best = k;
    return best;
}

MidiRoll midi_to_roll(const SmfFile& smf, const ImportOptions& options) {
    MidiRoll m;
    m.format = smf.format;
    m.tracks = int(smf.tracks.size());
    m.ticks_per_quarter = smf.ticks_per_quarter;
    m.warnings = smf.warnings;
    const std::vector<MidiNote> notes = collect_notes(smf, options.keep_drums, &m.dropped_drum_notes);
    m.source_notes = int(notes.size());
    const double step_ticks = smf.ticks_per_quarter / double(kStepsPerQuarter);
    if (options.estimate_phase) {
        std::vector<int64_t> onsets;
        onsets.reserve(notes.size());
        for (const MidiNote& n : notes) onsets.push_back(n.start);
        m.phase_ticks = estimate_grid_phase(onsets, step_ticks);
    }
    // A note's onset and end on the grid, with the phase as it stands (a note lasts at least one step).
    const auto on_grid = [&](const MidiNote& n) {
        const int64_t s = quantise_tick(double(n.start), m.phase_ticks, step_ticks);
        return std::pair<int64_t, int64_t>{s, std::max(s + 1, quantise_tick(double(n.end), m.phase_ticks, step_ticks))};
    };
    if (options.align_beats) {   // the beat's step, from the notes on the grid; the shift joins the phase
        std::vector<StepNote> beats;
        beats.reserve(notes.size());
        for (const MidiNote& n : notes) {
            const auto [s, e] = on_grid(n);
            beats.push_back({n.pitch, int(s), int(e), n.velocity});
        }
        m.beat_shift = (kStepsPerQuarter - estimate_beat_phase(beats)) % kStepsPerQuarter;
        m.phase_ticks -= m.beat_shift * step_ticks;
    }

    std::vector<StepNote> steps;
    steps.reserve(notes.size());
    int64_t last = 0;
    for (const MidiNote& n : notes) {
        const auto [s, e] = on_grid(n);
        if (e > kMaxImportSteps)
            throw Error("a note ends at step " + std::to_string(e) + "; at most " + std::to_string(kMaxImportSteps) +
                        " steps (" + std::to_string(kMaxImportSteps / kStepsPerBar) + " bars) can be imported");
        last = std::max(last, e);
        steps.push_back({n.pitch, int(s), int(e), n.velocity});
    }
    // The roll lasts as long as the file: to its last event (End of Track included), unless that lies
    // beyond what can be imported, where the notes alone decide.
    const int64_t end_step = quantise_tick(double(last_event_tick(smf)), m.phase_ticks, step_ticks);
    if (end_step <= kMaxImportSteps) last = std::max(last, end_step);
    const int width = std::max<int>(1, int(last));
    m.notes = apply_strike_rule(std::move(steps));
    m.roll = Roll(width);
    paint_notes(m.roll, m.notes);

    for (const auto& [tick, us] : tempo_map_ticks(smf)) {
        const double s = std::max(0.0, (double(tick) - m.phase_ticks) / step_ticks);
        if (!m.tempo.empty() && s <= m.tempo.back().step + 1e-9) m.tempo.back().us_per_quarter = us;
        else m.tempo.push_back({s, us});
    }
    m.tempo.front().step = 0;

    const std::vector<int64_t> offsets = track_offsets(smf);
    for (size_t ti = 0; ti < smf.tracks.size(); ++ti)
        for (const SmfEvent& ev : smf.tracks[ti].events)
            if (ev.is_meta(0x59) && ev.payload.size() == 2) {
                const int sharps = int(int8_t(ev.payload[0]));
                if (sharps < -7 || sharps > 7 || ev.payload[1] > 1) continue;   // not a key signature a reader knows
                const double s = std::max(0.0, (double(ev.tick + offsets[ti]) - m.phase_ticks) / step_ticks);
                m.key_signatures.push_back({int(std::lround(s)), sharps, ev.payload[1] == 1});
            }
    std::stable_sort(m.key_signatures.begin(), m.key_signatures.end(),
                     [](const KeySignature& a, const KeySignature& b) { return a.step < b.step; });
    return m;
}

MidiRoll load_midi(const std::string& path, const ImportOptions& options) {
    SmfFile smf = read_smf_file(path);
    try {
        return midi_to_roll(smf, options);
    } catch (const Error& e) {
        throw Error(e.reason(), path);
    }
}

std::vector<TempoChange> tempo_window(const std::vector<TempoChange>& tempo, int offset, int width) {
    std::vector<TempoChange> out{{0.0, 500000u}};
    for (const TempoChange& c : tempo) {
        if (c.step <= offset) out.front().us_per_quarter = c.us_per_quarter;
        else if (c.step < double(offset) + width) out.push_back({c.step - offset, c.us_per_quarter});
    }
    return out;
}

SmfFile roll_to_smf(const Roll& roll_in, const std::vector<TempoChange>& tempo) {
    const Roll roll = roll_in.rows == kPitches ? roll_in : unfold(roll_in);
    SmfFile smf;
    smf.format = 1;
    smf.ticks_per_quarter = kExportTicksPerQuarter;
    const int64_t end_tick = int64_t(roll.width) * kExportTicksPerStep;

    SmfTrack meta;
    SmfEvent ts;
    ts.status = 0xFF, ts.data1 = 0x58, ts.payload = {4, 2, 24, 8};   // 4/4
    meta.events.push_back(ts);
    std::vector<TempoChange> map = tempo.empty() ? std::vector<TempoChange>{{0.0, 500000u}} : tempo;
    for (const TempoChange& c : map) {
        SmfEvent ev;
        ev.tick = std::max<int64_t>(0, std::llround(c.step * kExportTicksPerStep));
        ev.status = 0xFF, ev.data1 = 0x51;
        ev.payload = {uint8_t(c.us_per_quarter >> 16), uint8_t(c.us_per_quarter >> 8), uint8_t(c.us_per_quarter)};
        if (ev.tick <= end_tick) meta.events.push_back(ev);
    }
    std::stable_sort(meta.events.begin(), meta.events.end(), [](auto& a, auto& b) { return a.tick < b.tick; });
    meta.end_tick = end_tick;

    SmfTrack piano;
    SmfEvent name;
    name.status = 0xFF, name.data1 = 0x03, name.payload = {'P', 'i', 'a', 'n', 'o'};
    piano.events.push_back(name);
    SmfEvent program;
    program.status = 0xC0, program.data1 = 0;
    piano.events.push_back(program);
    std::vector<SmfEvent> notes;
    for (const StepNote& n : roll_to_notes(roll)) {
        SmfEvent on, off;
        on.tick = int64_t(n.start) * kExportTicksPerStep, on.status = 0x90, on.data1 = uint8_t(n.pitch), on.data2 = uint8_t(n.velocity);
        off.tick = int64_t(n.end) * kExportTicksPerStep, off.status = 0x80, off.data1 = uint8_t(n.pitch), off.data2 = 64;
        notes.push_back(on);
        notes.push_back(off);
    }
    // At one tick, note-offs first: a strike that starts where another ends must not be cut by that end.
    std::stable_sort(notes.begin(), notes.end(), [](const SmfEvent& a, const SmfEvent& b) {
        return a.tick != b.tick ? a.tick < b.tick : (a.status == 0x80) > (b.status == 0x80);
    });
    piano.events.insert(piano.events.end(), notes.begin(), notes.end());
    piano.end_tick = end_tick;
    smf.tracks = {std::move(meta), std::move(piano)};
    return smf;
}

void save_midi(const std::string& path, const Roll& roll, const std::vector<TempoChange>& tempo) {
    write_smf_file(path, roll_to_smf(roll, tempo));
}

}  // namespace fm
