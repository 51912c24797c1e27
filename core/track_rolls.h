// track_rolls.h — multi-track rolls: K tracks (a melody, an accompaniment, ...) of 128 x W each on one grid and one
// tempo map, imported from a MIDI file's tracks by role and exported as one MIDI track per roll track.
//
//   fm::TrackRolls t = fm::load_midi_tracks("pop909/001.mid", fm::parse_track_map("pop909"));
//   t.tracks[0]                                        // the melody: a Roll, 128 x W, values as everywhere
//   fm::save_midi_tracks("out.mid", t);                 // track 0 tempo; then "melody", "bridge", "piano"
//   fm::Roll one = fm::merge_tracks(t);                 // all tracks in one roll, as load_midi merges them
//
// Import: the notes of load_midi (same grid phase, quantisation and width), then split by role. A mapping's rules
// name the sources: a track's name (case-insensitive), "#N" the file's track N (0-based), "chN" the MIDI channel N
// (1-16), "*" any other; each rule gives the role (the roll track) the source goes to. Roles keep the order in which
// the rules first name them. Notes that no rule takes are left out and counted. With no rules ("auto"), every track
// that has notes is a roll track named after it ("Track N" when it has no name); a file whose notes all sit in one
// track (format 0) is split by channel ("Channel N"). The re-strike rule applies within each track, so tracks may
// strike the same pitch at once.
// Export: SMF type 1 at 480 ticks per quarter, the tempo map and 4/4 in track 0, then per roll track its name (meta
// FF 03), its GM program on its own channel (1, 2, ...; 10 is skipped: drums) and its notes (the export rule of
// notes.h).
// Thread-safety: free functions over values.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/midi_file.h"
#include "core/midi_roll.h"
#include "core/roll.h"

namespace fm {

struct TrackInfo {
    std::string name;   // the role: "melody", "piano", or the source track's name
    int program = 0;    // General MIDI program 0-127 (0: acoustic grand piano)
};

struct TrackRolls {
    std::vector<Roll> tracks;           // each 128 x width, one width
    std::vector<TrackInfo> info;        // one per track
    std::vector<TempoChange> tempo;     // as load_midi reads it
    int unmapped_notes = 0;             // notes no rule took (left out)
    int width() const { return tracks.empty() ? 0 : tracks.front().width; }
    int find(const std::string& name) const;   // the track of that name (case-insensitive), -1 when none
};

struct TrackRule {
    std::string source;   // a track name, "#N", "chN" or "*"
    std::string role;
};

struct TrackMapping {
    std::vector<TrackRule> rules;   // empty: auto (one roll track per source track, or per channel)
};

// "auto" (or ""), "pop909" (MELODY, BRIDGE and PIANO to melody, bridge, piano), or comma-separated SOURCE=ROLE rules,
// e.g. "Vocal=melody,Guitar=accompaniment,*=accompaniment". fm::Error names a malformed rule.
TrackMapping parse_track_map(const std::string& text);

// Each role takes the source track of its own name (any case): "melody=melody,bridge=bridge,..." for these roles.
TrackMapping mapping_by_name(const std::vector<std::string>& roles);

// The roles a mapping's rules name, in their order (the roll tracks it makes; empty for auto).
std::vector<std::string> track_roles(const TrackMapping& mapping);

// The file's tracks' names (meta FF 03, the first in each track; "" when none), by track index.
std::vector<std::string> smf_track_names(const SmfFile& smf);

// `merged`, when given, receives the one-track import these tracks were split from (midi_to_roll's result).
TrackRolls midi_to_tracks(const SmfFile& smf, const TrackMapping& mapping, const ImportOptions& options = {}, MidiRoll* merged = nullptr);
TrackRolls load_midi_tracks(const std::string& path, const TrackMapping& mapping, const ImportOptions& options = {});   // errors name the file

// One roll of all tracks' notes (the re-strike rule over all of them, as load_midi merges tracks).
Roll merge_tracks(const TrackRolls& t);

// The tracks stacked into one roll of K x 128 rows (track k: rows 128k..128k+127), as a multi-track model reads them;
// split_tracks is the inverse (`names` one per 128 rows; fm::Error when they do not match).
Roll stack_tracks(const TrackRolls& t);
TrackRolls split_tracks(const Roll& stacked, const std::vector<std::string>& names);
// Track k of a stacked roll (128 x W), and its replacement in place (fm::Error: no such track, or another size).
Roll track_of(const Roll& stacked, int k);
void set_track(Roll& stacked, int k, const Roll& track);
// A stacked roll seen as one track: per cell, the loudest value among the tracks `which` (every track when empty),
// for what reads one roll: key, chords, images.
Roll flatten_tracks(const Roll& stacked, const std::vector<int>& which = {});

// Track names compare without case ("MELODY" is the role "melody").
bool same_track_name(const std::string& a, const std::string& b);

SmfFile tracks_to_smf(const TrackRolls& t);
void save_midi_tracks(const std::string& path, const TrackRolls& t);

}  // namespace fm
