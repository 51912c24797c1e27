#include "roll_image.h"

#include <algorithm>
#include <cmath>

#include "error.h"
#include "file_io.h"

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#if __has_include(<stb/stb_image_write.h>)
#include <stb/stb_image_write.h>
#else
#include <stb_image_write.h>
#endif

namespace fm {

namespace {
constexpr size_t kMaxImagePixels = 256u << 20;   // 768 MB of RGB
}  // namespace

Rgb cell_colour(float value) {
    if (value < 0.0f || std::isnan(value)) return {128, 128, 128};
    if (value == 0.0f) return {0, 0, 0};
    // Hue from 240 degrees (blue, velocity ~0) to 0 (red, velocity 127), full saturation and value.
    const float v = std::clamp(value, 0.0f, 1.0f);
    const float hue = 240.0f * (1.0f - v) / 60.0f;   // 0..4 sextants
    const int i = std::min(int(hue), 3);
    const float f = hue - float(i);
    const auto up = uint8_t(std::lround(255.0f * f));
    const auto down = uint8_t(std::lround(255.0f * (1.0f - f)));
    switch (i) {
        case 0: return {255, up, 0};     // red -> yellow
        case 1: return {down, 255, 0};   // yellow -> green
        case 2: return {0, 255, up};     // green -> cyan
        default: return {0, down, 255};  // cyan -> blue
    }
}

std::vector<uint8_t> render_roll_rgb(const Roll& roll, int scale) {
    if (scale < 1) throw Error("image scale must be at least 1");
    if (roll.rows % kPitches != 0)   // each band is 128 rows; other heights would be drawn outside the image
        throw Error("cannot draw a roll of " + std::to_string(roll.rows) + " rows (a multiple of 128 is needed)");
    const size_t w = size_t(roll.width) * scale, h = size_t(roll.rows) * scale;
    std::vector<uint8_t> rgb(w * h * 3);
    for (int r = 0; r < roll.rows; ++r) {
        const size_t y0 = size_t(r / kPitches * kPitches + (kPitches - 1 - r % kPitches)) * scale;
        for (int t = 0; t < roll.width; ++t) {
            const Rgb c = cell_colour(roll.at(r, t));
            for (int dy = 0; dy < scale; ++dy) {
                uint8_t* px = &rgb[((y0 + dy) * w + size_t(t) * scale) * 3];
                for (int dx = 0; dx < scale; ++dx, px += 3) std::copy(c.begin(), c.end(), px);
            }
        }
    }
    return rgb;
}

void save_roll_png(const std::string& path, const Roll& roll, int scale) {
    if (roll.width == 0) throw Error("the roll is empty (0 steps); no image written", path);
    const size_t w = size_t(roll.width) * scale, h = size_t(roll.rows) * size_t(scale);
    if (w > 1u << 20 || h > 1u << 20 || w * h > kMaxImagePixels)
        throw Error("image of " + std::to_string(w) + "x" + std::to_string(h) + " pixels is too large (at most " +
                    std::to_string(kMaxImagePixels / 1000000) + " megapixels: use a smaller --scale or a window)", path);
    std::vector<uint8_t> rgb;
    try {
        rgb = render_roll_rgb(roll, scale);
    } catch (const Error& e) {
        throw Error(e.reason(), path);
    }
    std::vector<uint8_t> png;
    const auto sink = [](void* ctx, void* data, int size) {
        auto* out = static_cast<std::vector<uint8_t>*>(ctx);
        out->insert(out->end(), static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + size);
    };
    if (!stbi_write_png_to_func(sink, &png, int(w), int(h), 3, rgb.data(), int(w * 3)))
        throw Error("PNG encoding failed", path);
    write_file_atomic(path, png.data(), png.size());
}

}  // namespace fm
