// model_config.h — the fractal model's architecture, without torch: presets, flags, JSON.
//
//   fm::ModelConfig c = fm::model_preset("small");
//   fm::set_generator_types(c, "ar,mar,mar,mar");   // level 0 autoregressive, the rest masked
//   std::string json = fm::config_to_json(c);        // stored in every checkpoint's metadata
//
// Levels: 0 splits the canvas into 16x16 patches, 1 splits a 16x16 patch into 4x4 patches, 2 splits a 4x4
// patch into single cells, 3 is the velocity head (128 classes per cell).
// Thread-safety: plain value types.
#pragma once

#include <string>
#include <vector>

namespace fm {

enum class GeneratorType { mar, ar };
enum class ScanOrder { row_major, column_major };   // AR order over a level's grid: pitch first, or time first
enum class CanvasLayout { long_roll, folded };       // how a 512-wide model sees its canvas: 128x512 or 256x256
// What a cell's class means (model/cell_coding.h). velocity: 0 silence, k velocity k (128 classes; every cell of a
// note draws its velocity again). notes: 0 silence, 1 hold (the note of the cell to the left goes on), 1 + k onset at
// velocity k (129 classes). Both map to the same roll values exactly.
enum class CellCoding { velocity, notes };

struct LevelConfig {
    int width = 64;                          // transformer width D
    int depth = 1;                           // blocks
    int heads = 1;
    GeneratorType type = GeneratorType::mar;
};

constexpr int kLevels = 4;                          // 3 patch levels + the velocity head
constexpr int kPatchSizes[kLevels] = {16, 4, 1, 1};  // side of the tokens of each level (the head: one cell)

struct ModelConfig {
    std::string preset = "custom";
    LevelConfig levels[kLevels];
    ScanOrder scan = ScanOrder::row_major;
    CanvasLayout layout = CanvasLayout::long_roll;
    int crop_length = 128;                   // steps the model was trained on (windows when generating wider)
    double mlp_ratio = 4.0;
    CellCoding cells = CellCoding::notes;    // files without the field are velocity-coded (written before it existed)
    // Every token also gets learned vectors for the pitch class and octave of its lowest row, so the net can learn
    // that C3 and C4 are both a C (files without the field: off).
    bool pitch_positions = true;
    // A per-bar plan (model/bar_plan.h) as the coarsest level: each bar's chroma and density drawn first, in time
    // order, and seen by every level below (files without the field: off).
    bool plan = true;
    // With a plan, each bar's rhythm (the steps where notes start) is part of it, so patches drawn in parallel start
    // their notes together (files without the field: off).
    bool rhythm = true;
    // Levels below 0 know whether their patch was drawn occupied (gated) or not (an ungated walk), so they model each
    // case (files without the field: off; their levels learnt a blend of the two, which under-fills gated patches).
    bool gate_flag = true;
    // With a plan, the plan prior takes conditions (model/conditions.h: key, chords, tempo, density, style), each of
    // which may be left out (files without the field: none; such a model generates as if none were asked).
    bool conditions = true;
    // With conditions, a second plan prior ("plan_free") serves samples and likelihoods that ask for nothing: the prior
    // the model had before it learnt the conditions (train --train_only plan --init_from a model without them), so
    // unconditioned samples stay as they were (files without the field: one prior for both).
    bool free_plan = false;
    // With conditions, every level also adds a learned vector for the asked style to each token (zero when no style is
    // asked, so unconditioned samples are what the levels made before: train --train_only style). The plan prior's
    // style moves the chords and rhythm; this moves what the plan leaves to the levels: voicing, polyphony, durations
    // (files without the field: off).
    bool level_style = false;
    // Heights: the pitches the model plays, [pitch_low, pitch_high] (0-127 by default; 21-108 for the 88 keys). Its
    // canvas rows are the whole 16-row patches of the 128-pitch canvas that hold the range: from canvas_low() (16 for
    // the 88 keys), pitch_rows() of them per track (96). The rows outside the range are padding, always silent: no
    // note outside it is ever generated. On the patches' own grid, a model moved to a range (--init_from) keeps the
    // geometry it learnt: level 0's row positions count from the 128-pitch canvas's top, and restart in each track.
    int pitch_low = 0, pitch_high = 127;
    // Tracks: rolls of tracks x 128 pitches (the tracks stacked, as core/track_rolls.h keeps them), one canvas of
    // tracks x pitch_rows() rows so that every level sees every track; each token also gets its track's learned
    // vector. The names are the roles the model was trained on ("melody", "bridge", "piano"); empty for one track.
    std::vector<std::string> track_names;
};

// The pitch of a track's first canvas row: pitch_low rounded down to a whole level-0 patch (0 for the full range).
int canvas_low(const ModelConfig& config);
// Rows per track on the canvas: the patches from canvas_low() to pitch_high's (128 for the full range).
int pitch_rows(const ModelConfig& config);
// Tracks of the model's rolls (1 when it has no track names).
int track_count(const ModelConfig& config);
// Rows of the rolls the model reads and writes: tracks x 128.
int roll_rows(const ModelConfig& config);
// The 88 piano keys, A0 to C8.
constexpr int kPianoLow = 21, kPianoHigh = 108;

// "tiny" (tests: trains in seconds), "small", "base" (the original's defaults: widths 512,256,128,64; blocks
// 12,3,2,1; heads 8,4,2,2). Throws fm::Error on an unknown name.
ModelConfig model_preset(const std::string& name);

// Four comma-separated entries, one per level, each "mar" or "ar". The fourth names the velocity head: it predicts
// one cell's 128 velocity classes from its condition, so both values give the same head (kept so the original's
// flags work). Throws fm::Error on a malformed list.
void set_generator_types(ModelConfig& config, const std::string& list);
std::string generator_types(const ModelConfig& config);

ScanOrder parse_scan_order(const std::string& s);   // "row_major" | "column_major"
CanvasLayout parse_layout(const std::string& s);    // "long" | "folded"
const char* to_string(ScanOrder s);
const char* to_string(CanvasLayout l);
CellCoding parse_cell_coding(const std::string& s);   // "velocity" | "notes"
const char* to_string(CellCoding c);

// Canvas the model sees for a roll of `width` steps: (rows, cols). Long: tracks x pitch_rows by width; folded (one
// track, all 128 pitches): 256 x width/2.
void canvas_shape(const ModelConfig& config, int width, int* rows, int* cols);

// "all" (0-127), "piano" (21-108) or "LOW-HIGH" -> the range; fm::Error otherwise.
void parse_pitch_range(const std::string& text, int* low, int* high);

// fm::Error unless the pitch range and tracks make a canvas: within 0-127, at least one patch high, several tracks or a
// pitch range only in the long layout, at most 15 named tracks.
void check_heights_and_tracks(const ModelConfig& config);

std::string config_to_json(const ModelConfig& config);
ModelConfig config_from_json(const std::string& json);   // throws fm::Error with the field at fault

}  // namespace fm
