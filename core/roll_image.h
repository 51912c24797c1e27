// roll_image.h — a roll as a picture: PNG through stb_image_write.
//
//   fm::save_roll_png("song.png", roll, 4);   // each cell 4x4 pixels, pitch 127 at the top
//
// Colours: -1 unknown grey (128,128,128); 0 silence black; velocity from blue (low) through green and
// yellow to red (high). Each band of 128 rows is drawn with pitch 127 at its top; a folded 256-row roll is
// drawn as its square with the first half of the steps (rows 0-127) in the upper band.
// Thread-safety: free functions over values.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "roll.h"

namespace fm {

using Rgb = std::array<uint8_t, 3>;

Rgb cell_colour(float value);

// RGB bytes, (rows*scale) x (width*scale).
std::vector<uint8_t> render_roll_rgb(const Roll& roll, int scale);

// Throws fm::Error(reason, path) when the image is empty or cannot be written.
void save_roll_png(const std::string& path, const Roll& roll, int scale = 1);

}  // namespace fm
