// soundfont.h — finding a General MIDI soundfont.
//
//   std::string sf2 = fm::find_soundfont(settings_value);   // "" when there is none anywhere
//
// Order: `preferred` when it is a readable file; $FRACTALMIDI_SOUNDFONT; then /usr/share/sounds/sf2 (and
// /usr/share/soundfonts): FluidR3_GM.sf2, TimGM6mb.sf2, then any *.sf2 by name. Thread-safety: free function.
#pragma once

#include <string>
#include <vector>

namespace fm {

std::string find_soundfont(const std::string& preferred = "");
std::vector<std::string> soundfont_search_dirs();

}  // namespace fm
