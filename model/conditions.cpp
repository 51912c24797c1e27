#include "conditions.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/error.h"
#include "core/notes.h"

namespace fm {

namespace {

std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

constexpr double kTempoEdges[kTempoBins - 1] = {66, 80, 96, 112, 128, 144, 168};

// A per-bar list repeats over a longer roll (a progression loops, as in a DAW's chord track).
template <class T>
const T* at_bar(const std::vector<T>& v, int bar) {
    return v.empty() || bar < 0 ? nullptr : &v[size_t(bar) % v.size()];
}

}  // namespace

Style parse_style(const std::string& name) {
    const std::string s = lower(name);
    if (s.empty() || s == "any" || s == "none") return Style::any;
    if (s == "pop" || s == "pop909") return Style::pop;
    if (s == "classical" || s == "asap") return Style::classical;
    if (s == "folk" || s == "nottingham") return Style::folk;
    if (s == "chorale" || s == "jsb" || s == "bach") return Style::chorale;
    throw Error("style '" + name + "' is not one of pop (POP909), classical (ASAP), folk (Nottingham), chorale (JSB) or any");
}

const char* style_name(Style s) {
    switch (s) {
        case Style::pop: return "pop";
        case Style::classical: return "classical";
        case Style::folk: return "folk";
        case Style::chorale: return "chorale";
        case Style::any: break;
    }
    return "any";
}

Style style_of_path(const std::string& path) {
    const std::string p = lower(path);
    if (p.find("pop909") != std::string::npos) return Style::pop;
    if (p.find("asap") != std::string::npos) return Style::classical;
    if (p.find("nottingham") != std::string::npos) return Style::folk;
    if (p.find("jsb") != std::string::npos || p.find("chorale") != std::string::npos) return Style::chorale;
    return Style::any;
}

int tempo_bin(double bpm) {
    int b = 0;
    while (b < kTempoBins - 1 && bpm >= kTempoEdges[b]) ++b;
    return b;
}

int density_bin(int onsets) {
    int b = 0;
    while (b + 1 < kDensityBins && onsets >= kDensityEdges[b + 1]) ++b;
    return b;
}

int density_bin_of_level(double level) { return 1 + int(std::lround(std::clamp(level, 0.0, 1.0) * (kDensityBins - 2))); }

int chord_code(const Chord& c) { return c.root < 0 ? 0 : 1 + c.root * kChordQualities + int(c.quality); }

int chord_code_at(const Conditions& c, int bar) {
    const Chord* ch = at_bar(c.chords, bar);
    return ch ? chord_code(*ch) : 0;
}

int density_code_at(const Conditions& c, int bar) {
    const double* d = at_bar(c.density, bar);
    return d && *d >= 0 ? 1 + density_bin_of_level(*d) : 0;
}

void check_conditions(const Conditions& c) {
    if (c.key < -1 || c.key >= kKeyCodes) throw Error("--key: code " + std::to_string(c.key) + " is not one of the 24 keys");
    if (!(c.tempo >= 0 && c.tempo <= 400)) throw Error("--tempo " + std::to_string(c.tempo) + " must be within 1..400 bpm (0: not asked)");
    for (double d : c.density)
        if (!(d <= 1.0)) throw Error("--density " + std::to_string(d) + " must be within 0..1 (negative: that bar is free)");
}

Conditions conditions_of(const Roll& crop, double bpm, Style style) {
    Conditions c;
    c.key = key_code(estimate_key(crop));
    c.tempo = bpm;
    c.style = style;
    const size_t bars = size_t(crop.width / kStepsPerBar);   // whole bars
    c.chords = estimate_bar_chords(crop);
    c.chords.resize(bars);
    std::vector<int> onsets(bars, 0);
    for (const StepNote& n : roll_to_notes(crop))
        if (size_t(n.start / kStepsPerBar) < bars) ++onsets[size_t(n.start / kStepsPerBar)];
    for (int count : onsets) {
        const int bin = density_bin(count);
        // A silent bar has no level a user could set (0 is the sparsest playing): free.
        c.density.push_back(bin == 0 ? -1.0 : double(bin - 1) / double(kDensityBins - 2));
    }
    return c;
}

}  // namespace fm
