#include "model_config.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "core/error.h"

namespace fm {

namespace {

// 2: categorical cell embeddings, occupancy gating at every level, a velocity head over notes only.
constexpr int kModelVersion = 2;

LevelConfig level(int width, int depth, int heads) {
    LevelConfig l;
    l.width = width, l.depth = depth, l.heads = heads;
    return l;
}

GeneratorType parse_type(const std::string& s) {
    if (s == "mar") return GeneratorType::mar;
    if (s == "ar") return GeneratorType::ar;
    throw Error("generator type '" + s + "' is neither 'mar' nor 'ar'");
}

}  // namespace

ModelConfig model_preset(const std::string& name) {
    ModelConfig c;
    c.preset = name;
    if (name == "tiny") {
        c.levels[0] = level(32, 1, 2), c.levels[1] = level(32, 1, 2), c.levels[2] = level(16, 1, 1), c.levels[3] = level(16, 1, 1);
    } else if (name == "small") {
        c.levels[0] = level(256, 8, 4), c.levels[1] = level(256, 4, 2), c.levels[2] = level(128, 2, 1), c.levels[3] = level(64, 1, 1);
    } else if (name == "base") {
        c.levels[0] = level(512, 12, 8), c.levels[1] = level(256, 3, 4), c.levels[2] = level(128, 2, 2), c.levels[3] = level(64, 1, 2);
    } else {
        throw Error("unknown model preset '" + name + "' (tiny, small or base)");
    }
    return c;
}

void set_generator_types(ModelConfig& config, const std::string& list) {
    std::vector<std::string> parts;
    std::stringstream ss(list);
    std::string item;
    while (std::getline(ss, item, ',')) parts.push_back(item);
    if (parts.size() != kLevels)
        throw Error("--generator_types needs " + std::to_string(kLevels) + " comma-separated entries (mar|ar), got '" + list + "'");
    for (int i = 0; i < kLevels; ++i) config.levels[i].type = parse_type(parts[size_t(i)]);
}

std::string generator_types(const ModelConfig& config) {
    std::string s;
    for (int i = 0; i < kLevels; ++i) s += std::string(i ? "," : "") + (config.levels[i].type == GeneratorType::ar ? "ar" : "mar");
    return s;
}

ScanOrder parse_scan_order(const std::string& s) {
    if (s == "row_major") return ScanOrder::row_major;
    if (s == "column_major") return ScanOrder::column_major;
    throw Error("scan order '" + s + "' is neither 'row_major' nor 'column_major'");
}

CanvasLayout parse_layout(const std::string& s) {
    if (s == "long") return CanvasLayout::long_roll;
    if (s == "folded") return CanvasLayout::folded;
    throw Error("layout '" + s + "' is neither 'long' nor 'folded'");
}

CellCoding parse_cell_coding(const std::string& s) {
    if (s == "velocity") return CellCoding::velocity;
    if (s == "notes") return CellCoding::notes;
    throw Error("cell coding '" + s + "' is neither 'notes' nor 'velocity'");
}

const char* to_string(CellCoding c) { return c == CellCoding::notes ? "notes" : "velocity"; }

const char* to_string(ScanOrder s) { return s == ScanOrder::row_major ? "row_major" : "column_major"; }
const char* to_string(CanvasLayout l) { return l == CanvasLayout::long_roll ? "long" : "folded"; }

int canvas_low(const ModelConfig& config) { return config.pitch_low / kPatchSizes[0] * kPatchSizes[0]; }

int pitch_rows(const ModelConfig& config) {
    return (config.pitch_high + kPatchSizes[0]) / kPatchSizes[0] * kPatchSizes[0] - canvas_low(config);
}

int track_count(const ModelConfig& config) { return std::max<int>(1, int(config.track_names.size())); }

int roll_rows(const ModelConfig& config) { return track_count(config) * 128; }

void canvas_shape(const ModelConfig& config, int width, int* rows, int* cols) {
    if (config.layout == CanvasLayout::folded) {
        *rows = 256, *cols = width / 2;
    } else {
        *rows = track_count(config) * pitch_rows(config), *cols = width;
    }
}

void parse_pitch_range(const std::string& text, int* low, int* high) {
    if (text == "all" || text.empty()) {
        *low = 0, *high = 127;
        return;
    }
    if (text == "piano") {
        *low = kPianoLow, *high = kPianoHigh;
        return;
    }
    int a = -1, b = -1;
    char dash = 0, extra = 0;
    if (std::sscanf(text.c_str(), "%d%c%d%c", &a, &dash, &b, &extra) != 3 || dash != '-' || a < 0 || b > 127 || a > b)
        throw Error("pitch range '" + text + "' is not all, piano or LOW-HIGH within 0-127");
    *low = a, *high = b;
}

void check_heights_and_tracks(const ModelConfig& c) {
    if (c.pitch_low < 0 || c.pitch_high > 127 || c.pitch_high - c.pitch_low + 1 < kPatchSizes[0])
        throw Error("model config: the pitch range " + std::to_string(c.pitch_low) + "-" + std::to_string(c.pitch_high) +
                    " must lie within 0-127 and span at least " + std::to_string(kPatchSizes[0]) + " pitches");
    if (c.track_names.size() > 15) throw Error("model config: at most 15 tracks (MIDI's channels besides the drums')");
    if ((c.track_names.size() > 1 || pitch_rows(c) != 128) && c.layout == CanvasLayout::folded)
        throw Error("model config: several tracks or a pitch range need the long layout");
    for (const auto& n : c.track_names)
        if (n.empty()) throw Error("model config: a track without a name");
}

std::string config_to_json(const ModelConfig& c) {
    nlohmann::json j;
    j["format"] = "fractalmidi-model";
    j["version"] = kModelVersion;
    j["preset"] = c.preset;
    for (int i = 0; i < kLevels; ++i) {
        const LevelConfig& l = c.levels[i];
        j["levels"].push_back({{"width", l.width}, {"depth", l.depth}, {"heads", l.heads},
                               {"generator", l.type == GeneratorType::ar ? "ar" : "mar"}, {"patch", kPatchSizes[i]}});
    }
    j["scan_order"] = to_string(c.scan);
    j["layout"] = to_string(c.layout);
    j["crop_length"] = c.crop_length;
    j["mlp_ratio"] = c.mlp_ratio;
    j["cells"] = to_string(c.cells);
    j["pitch_positions"] = c.pitch_positions;
    j["plan"] = c.plan;
    j["rhythm"] = c.rhythm;
    j["gate_flag"] = c.gate_flag;
    j["conditions"] = c.conditions;
    j["free_plan"] = c.free_plan;
    j["level_style"] = c.level_style;
    if (c.pitch_low != 0 || c.pitch_high != 127) j["pitch_range"] = {c.pitch_low, c.pitch_high};   // absent: all 128
    if (!c.track_names.empty()) j["tracks"] = c.track_names;                                      // absent: one track
    return j.dump();
}

ModelConfig config_from_json(const std::string& text) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        throw Error(std::string("model config is not valid JSON: ") + e.what());
    }
    try {
        if (j.value("format", "") != "fractalmidi-model") throw Error("model config has no format 'fractalmidi-model'");
        if (j.at("version").get<int>() != kModelVersion)
            throw Error("model config version " + std::to_string(j.at("version").get<int>()) + " is not supported by this build (" +
                        std::to_string(kModelVersion) + ")");
        ModelConfig c;
        c.preset = j.value("preset", "custom");
        const auto& levels = j.at("levels");
        if (!levels.is_array() || levels.size() != kLevels) throw Error("model config needs 4 levels");
        for (int i = 0; i < kLevels; ++i) {
            const auto& l = levels[size_t(i)];
            c.levels[i].width = l.at("width").get<int>();
            c.levels[i].depth = l.at("depth").get<int>();
            c.levels[i].heads = l.at("heads").get<int>();
            c.levels[i].type = parse_type(l.at("generator").get<std::string>());
            if (c.levels[i].width <= 0 || c.levels[i].depth < 0 || c.levels[i].heads <= 0 || c.levels[i].width % c.levels[i].heads != 0)
                throw Error("model config level " + std::to_string(i) + ": width must be a positive multiple of heads");
        }
        c.scan = parse_scan_order(j.at("scan_order").get<std::string>());
        c.layout = parse_layout(j.at("layout").get<std::string>());
        c.crop_length = j.at("crop_length").get<int>();
        c.mlp_ratio = j.value("mlp_ratio", 4.0);
        c.cells = parse_cell_coding(j.value("cells", "velocity"));   // the models written before note-aware cells
        c.pitch_positions = j.value("pitch_positions", false);
        c.plan = j.value("plan", false);
        c.rhythm = j.value("rhythm", false);
        c.gate_flag = j.value("gate_flag", false);
        c.conditions = j.value("conditions", false);
        c.free_plan = j.value("free_plan", false);
        c.level_style = j.value("level_style", false);
        if (j.contains("pitch_range")) {
            c.pitch_low = j.at("pitch_range").at(0).get<int>(), c.pitch_high = j.at("pitch_range").at(1).get<int>();
        }
        if (j.contains("tracks")) c.track_names = j.at("tracks").get<std::vector<std::string>>();
        if (c.crop_length <= 0 || c.crop_length % 4 != 0) throw Error("model config crop_length must be a positive multiple of 4");
        check_heights_and_tracks(c);
        return c;
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("model config: ") + e.what());
    }
}

}  // namespace fm
