// resources.h — where the shipped files (default models, soundfont hints, icons) are found, installed or not.
//
//   std::string m = fm::default_model_path(128);    // the 8-bar model; "" when none is installed
//   std::string m32 = fm::default_model_path(512);  // the 32-bar model (falls back to the 8-bar one)
//   std::string mt = fm::default_tracks_model_path(); // the multi-track model, or ""
//
// Searched in order: $FRACTALMIDI_RESOURCES; <dir of the running executable>/../share/fractalmidi (an install,
// found through /proc/self/exe); the source tree's resources/ (compiled in for development builds); ./resources.
// Thread-safety: free functions (they read the environment and the file system).
#pragma once

#include <string>
#include <vector>

namespace fm {

std::vector<std::string> resource_dirs();                     // existing folders, in search order
std::string find_resource(const std::string& relative);       // the first existing file, or ""

// The shipped model for a width: 128 (or less) -> models/default-128.safetensors (8 bars), wider ->
// models/default-512.safetensors (32 bars); when that one is absent, the other. "" when neither is.
std::string default_model_path(int width);
std::string default_model_path(int width, const std::vector<std::string>& dirs);   // the same over given folders
inline constexpr const char* kDefaultModel128 = "models/default-128.safetensors";
inline constexpr const char* kDefaultModel512 = "models/default-512.safetensors";
// The shipped multi-track model (melody, bridge and piano of POP909; 8 bars, the 88 keys): "" when it is not installed.
inline constexpr const char* kDefaultModelTracks = "models/default-tracks.safetensors";
std::string default_tracks_model_path();

}  // namespace fm
