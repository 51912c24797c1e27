#include "track_rolls.h"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <map>
#include <set>
#include <utility>

#include "error.h"
#include "notes.h"

namespace fm {

namespace {

std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string& s) {
    const size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

// A source of a rule: "#N", "chN" (1-16), "*" or a name; checked once when parsed.
bool rule_takes(const std::string& source, int track, int channel, const std::string& track_name) {
    if (source == "*") return true;
    if (source.size() > 1 && source[0] == '#') return std::stoi(source.substr(1)) == track;
    if (source.size() > 2 && lower(source.substr(0, 2)) == "ch" && std::all_of(source.begin() + 2, source.end(), ::isdigit))
        return std::stoi(source.substr(2)) == channel + 1;
    return lower(source) == lower(trim(track_name));
}

// The first program change of each (track, channel) pair.
std::map<std::pair<int, int>, int> first_programs(const SmfFile& smf) {
    std::map<std::pair<int, int>, int> out;
    for (size_t ti = 0; ti < smf.tracks.size(); ++ti)
        for (const SmfEvent& ev : smf.tracks[ti].events)
            if (ev.kind() == 0xC0) out.emplace(std::make_pair(int(ti), ev.channel()), int(ev.data1));
    return out;
}

}  // namespace

int TrackRolls::find(const std::string& name) const {
    for (size_t i = 0; i < info.size(); ++i)
        if (same_track_name(info[i].name, name)) return int(i);
    return -1;
}

TrackMapping parse_track_map(const std::string& text_in) {
    const std::string text = trim(text_in);
    if (text.empty() || lower(text) == "auto") return {};
    if (lower(text) == "pop909") return TrackMapping{{{"MELODY", "melody"}, {"BRIDGE", "bridge"}, {"PIANO", "piano"}}};
    TrackMapping m;
    size_t at = 0;
    while (at <= text.size()) {
        const size_t comma = std::min(text.find(',', at), text.size());
        const std::string item = trim(text.substr(at, comma - at));
        const size_t eq = item.find('=');
        if (eq == std::string::npos || trim(item.substr(0, eq)).empty() || trim(item.substr(eq + 1)).empty())
            throw Error("track map: '" + item + "' is not SOURCE=ROLE (a track name, #N, chN or *, then the roll track's name)");
        TrackRule r{trim(item.substr(0, eq)), trim(item.substr(eq + 1))};
        if (r.source[0] == '#') {
            const std::string n = r.source.substr(1);
            if (n.empty() || !std::all_of(n.begin(), n.end(), ::isdigit) || n.size() > 5)
                throw Error("track map: '" + r.source + "' is not a track number (#0, #1, ...)");
        }
        if (r.source.size() > 2 && lower(r.source.substr(0, 2)) == "ch" && std::all_of(r.source.begin() + 2, r.source.end(), ::isdigit)) {
            const int ch = r.source.size() > 4 ? 99 : std::stoi(r.source.substr(2));
            if (ch < 1 || ch > 16) throw Error("track map: '" + r.source + "': channels are ch1 to ch16");
        }
        m.rules.push_back(r);
        at = comma + 1;
    }
    return m;
}

TrackMapping mapping_by_name(const std::vector<std::string>& roles) {
    TrackMapping map;
    for (const std::string& r : roles) map.rules.push_back({r, r});
    return map;
}

std::vector<std::string> track_roles(const TrackMapping& mapping) {
    std::vector<std::string> roles;
    for (const TrackRule& r : mapping.rules)
        if (std::none_of(roles.begin(), roles.end(), [&](const std::string& x) { return same_track_name(x, r.role); })) roles.push_back(r.role);
    return roles;
}

std::vector<std::string> smf_track_names(const SmfFile& smf) {
    std::vector<std::string> names(smf.tracks.size());
    for (size_t ti = 0; ti < smf.tracks.size(); ++ti)
        for (const SmfEvent& ev : smf.tracks[ti].events)
            if (ev.is_meta(0x03)) {
                names[ti] = trim(std::string(ev.payload.begin(), ev.payload.end()));
                break;
            }
    return names;
}

TrackRolls midi_to_tracks(const SmfFile& smf, const TrackMapping& mapping, const ImportOptions& options, MidiRoll* merged_out) {
    MidiRoll merged = midi_to_roll(smf, options);   // grid phase, width, tempo: as the one-track import
    const std::vector<MidiNote> notes = collect_notes(smf, options.keep_drums);
    const std::vector<std::string> names = smf_track_names(smf);
    const auto programs = first_programs(smf);
    const double step_ticks = smf.ticks_per_quarter / double(kStepsPerQuarter);

    TrackRolls t;
    t.tempo = merged.tempo;
    std::vector<std::vector<StepNote>> per_track;
    std::map<std::string, int> role_index;   // lower-case role -> roll track
    auto role_of = [&](const std::string& role, int program) {
        const auto it = role_index.find(lower(role));
        if (it != role_index.end()) return it->second;
        const int k = int(t.info.size());
        role_index[lower(role)] = k;
        t.info.push_back({role, program});
        per_track.emplace_back();
        return k;
    };
    if (!mapping.rules.empty())
        for (const TrackRule& r : mapping.rules) role_of(r.role, 0);   // the rules' order, even for roles with no notes

    // Auto: by track, or by channel when one track holds every note.
    std::set<int> note_tracks;
    for (const MidiNote& n : notes) note_tracks.insert(n.track);
    const bool by_channel = mapping.rules.empty() && note_tracks.size() == 1;
    if (mapping.rules.empty()) {   // auto: the file's order of tracks (or channels), whatever sounds first
        std::set<int> channels;
        for (const MidiNote& n : notes) channels.insert(n.channel);
        auto program_of = [&](int track, int channel) {
            const auto it = programs.find({track, channel});
            return it == programs.end() ? 0 : it->second;
        };
        if (by_channel)
            for (int ch : channels) role_of("Channel " + std::to_string(ch + 1), program_of(*note_tracks.begin(), ch));
        else
            for (int tr : note_tracks) {
                const std::string& name = names[size_t(tr)];
                int channel = 0;
                for (const MidiNote& n : notes)
                    if (n.track == tr) {
                        channel = n.channel;
                        break;
                    }
                role_of(name.empty() ? "Track " + std::to_string(tr) : name, program_of(tr, channel));
            }
    }

    std::vector<char> program_set(64, 0);
    for (const MidiNote& n : notes) {
        int k = -1;
        const auto prog = programs.find({n.track, n.channel});
        const int program = prog == programs.end() ? 0 : prog->second;
        if (mapping.rules.empty()) {
            const std::string& name = names[size_t(n.track)];
            k = by_channel ? role_of("Channel " + std::to_string(n.channel + 1), program)
                           : role_of(name.empty() ? "Track " + std::to_string(n.track) : name, program);
        } else {
            for (const TrackRule& r : mapping.rules)
                if (rule_takes(r.source, n.track, n.channel, names[size_t(n.track)])) {
                    k = role_index.at(lower(r.role));
                    break;
                }
            if (k < 0) {
                ++t.unmapped_notes;
                continue;
            }
        }
        if (size_t(k) >= program_set.size()) program_set.resize(size_t(k) + 1, 0);
        if (!program_set[size_t(k)] && prog != programs.end()) t.info[size_t(k)].program = program, program_set[size_t(k)] = 1;
        const int64_t s = quantise_tick(double(n.start), merged.phase_ticks, step_ticks);
        const int64_t e = std::max(s + 1, quantise_tick(double(n.end), merged.phase_ticks, step_ticks));
        per_track[size_t(k)].push_back({n.pitch, int(s), int(e), n.velocity});
    }
    for (auto& list : per_track) t.tracks.push_back(notes_to_roll(list, merged.roll.width));
    if (merged_out) *merged_out = std::move(merged);
    return t;
}

TrackRolls load_midi_tracks(const std::string& path, const TrackMapping& mapping, const ImportOptions& options) {
    SmfFile smf = read_smf_file(path);
    try {
        return midi_to_tracks(smf, mapping, options);
    } catch (const Error& e) {
        throw Error(e.reason(), path);
    }
}

Roll merge_tracks(const TrackRolls& t) {
    std::vector<StepNote> all;
    for (const Roll& r : t.tracks) {
        const auto notes = roll_to_notes(r);
        all.insert(all.end(), notes.begin(), notes.end());
    }
    std::stable_sort(all.begin(), all.end(), [](const StepNote& a, const StepNote& b) { return a.start < b.start; });
    return notes_to_roll(all, t.width());
}

Roll stack_tracks(const TrackRolls& t) {
    Roll out(t.width(), 0.0f, int(t.tracks.size()) * kPitches);
    for (size_t k = 0; k < t.tracks.size(); ++k) {
        if (t.tracks[k].rows != kPitches || t.tracks[k].width != t.width()) throw Error("stack_tracks: tracks of unequal size");
        std::copy(t.tracks[k].cells.begin(), t.tracks[k].cells.end(), out.cells.begin() + std::ptrdiff_t(k * t.tracks[k].cells.size()));
    }
    return out;
}

TrackRolls split_tracks(const Roll& stacked, const std::vector<std::string>& names) {
    if (stacked.rows != int(names.size()) * kPitches)
        throw Error("a roll of " + std::to_string(stacked.rows) + " rows is not " + std::to_string(names.size()) + " tracks of 128 pitches");
    TrackRolls t;
    const size_t per = size_t(kPitches) * size_t(stacked.width);
    for (size_t k = 0; k < names.size(); ++k) {
        Roll r(stacked.width);
        std::copy(stacked.cells.begin() + std::ptrdiff_t(k * per), stacked.cells.begin() + std::ptrdiff_t((k + 1) * per), r.cells.begin());
        t.tracks.push_back(std::move(r));
        t.info.push_back({names[k], 0});
    }
    return t;
}

namespace {
void check_track(const Roll& stacked, int k) {
    if (stacked.rows % kPitches != 0 || k < 0 || k >= stacked.rows / kPitches)
        throw Error("no track " + std::to_string(k) + " in a roll of " + std::to_string(stacked.rows) + " rows");
}
}  // namespace

Roll track_of(const Roll& stacked, int k) {
    check_track(stacked, k);
    Roll r(stacked.width);
    const size_t per = r.cells.size();
    std::copy(stacked.cells.begin() + std::ptrdiff_t(size_t(k) * per), stacked.cells.begin() + std::ptrdiff_t(size_t(k + 1) * per), r.cells.begin());
    return r;
}

void set_track(Roll& stacked, int k, const Roll& track) {
    check_track(stacked, k);
    if (track.rows != kPitches || track.width != stacked.width)
        throw Error("a track of " + std::to_string(track.rows) + " x " + std::to_string(track.width) + " in a roll " +
                    std::to_string(stacked.width) + " steps wide");
    std::copy(track.cells.begin(), track.cells.end(), stacked.cells.begin() + std::ptrdiff_t(size_t(k) * track.cells.size()));
}

Roll flatten_tracks(const Roll& stacked, const std::vector<int>& which) {
    if (stacked.rows % kPitches != 0) throw Error("flatten_tracks: " + std::to_string(stacked.rows) + " rows are not whole tracks");
    const int tracks = stacked.rows / kPitches;
    if (which.empty() && tracks == 1) return stacked;
    std::vector<int> all;
    for (int k = 0; k < tracks; ++k) all.push_back(k);
    Roll out(stacked.width);
    for (int k : which.empty() ? all : which) {
        if (k < 0 || k >= tracks) throw Error("flatten_tracks: no track " + std::to_string(k) + " in " + std::to_string(tracks));
        for (int p = 0; p < kPitches; ++p)
            for (int t = 0; t < stacked.width; ++t) out.at(p, t) = std::max(out.at(p, t), stacked.at(k * kPitches + p, t));
    }
    return out;
}

bool same_track_name(const std::string& a, const std::string& b) { return lower(a) == lower(b); }

SmfFile tracks_to_smf(const TrackRolls& t) {
    if (t.tracks.size() != t.info.size()) throw Error("multi-track export: " + std::to_string(t.tracks.size()) + " rolls but " + std::to_string(t.info.size()) + " names");
    if (t.tracks.size() > 15) throw Error("multi-track export: " + std::to_string(t.tracks.size()) + " tracks; MIDI has 15 channels besides the drums'");
    SmfFile smf;
    for (size_t k = 0; k < t.tracks.size(); ++k) {
        if (t.tracks[k].rows != kPitches || t.tracks[k].width != t.width())
            throw Error("multi-track export: track " + std::to_string(k) + " is " + std::to_string(t.tracks[k].rows) + " x " +
                        std::to_string(t.tracks[k].width) + ", not 128 x " + std::to_string(t.width()));
        // The one-track exporter's piano track, renamed and moved to this track's channel and program.
        SmfFile one = roll_to_smf(t.tracks[k], t.tempo);
        if (k == 0) smf = one, smf.tracks.resize(1);
        SmfTrack track = std::move(one.tracks.at(1));
        const int channel = int(k) < 9 ? int(k) : int(k) + 1;
        const int program = std::clamp(t.info[k].program, 0, 127);
        for (SmfEvent& ev : track.events) {
            if (ev.is_meta(0x03)) ev.payload.assign(t.info[k].name.begin(), t.info[k].name.end());
            else if (ev.kind() == 0xC0) ev.data1 = uint8_t(program);
            if (ev.status >= 0x80 && ev.status < 0xF0) ev.status = uint8_t((ev.status & 0xF0) | channel);
        }
        smf.tracks.push_back(std::move(track));
    }
    if (t.tracks.empty()) smf = roll_to_smf(Roll(0), t.tempo), smf.tracks.resize(1);
    return smf;
}

void save_midi_tracks(const std::string& path, const TrackRolls& t) { write_smf_file(path, tracks_to_smf(t)); }

}  // namespace fm
