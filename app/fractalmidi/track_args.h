// track_args.h — the multi-track flags that generate and eval-tracks share: which of a model's tracks are written,
// and how a MIDI file's tracks map to its roles.
#pragma once

#include <string>
#include <vector>

#include "core/dataset.h"
#include "core/track_rolls.h"

namespace fmcli {

// Comma-separated names, empty items dropped.
std::vector<std::string> split_names(const std::string& list);
std::string join_names(const std::vector<std::string>& names);   // "melody, bridge, piano"

// The indices of the model's tracks to write: those `write` names (all when empty) less those `keep` names. Names
// compare without case. fm::Error names an unknown track, both lists given, or nothing left to write (`keep_flag`:
// the flag that kept them all, for the message).
std::vector<int> tracks_to_write(const std::string& write, const std::string& keep, const std::vector<std::string>& roles,
                                 const std::string& keep_flag);

// `track_map` parsed, or (when empty) each role taking the source track of its own name.
fm::TrackMapping roles_mapping(const std::string& track_map, const std::vector<std::string>& roles);

// A dataset cache of the model's tracks (roles_mapping's rules, which must give the roles in the model's order; fm::Error
// otherwise). One role or none: the default options (every file's tracks merged).
fm::CacheOptions roles_cache_options(const std::string& track_map, const std::vector<std::string>& roles);

}  // namespace fmcli
