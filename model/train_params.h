// train_params.h — the trainer's settings, and the one list of their fields that every user walks (no torch here).
//
//   fm::TrainParams p;                                  // the defaults below
//   p.train_data = "pop909/"; p.output_dir = "runs/small";
//   fm::validate(p);                                    // fm::Error naming the field: "--lr 0 must be positive ..."
//   std::string text = fm::train_params_to_json(p);     // every field, keyed by name
//   fm::TrainParams back = fm::train_params_from_json(text);   // back == p
//
// for_each_train_param() is that list: JSON in both directions, equality, the CLI's flags and the tests take their
// fields from it, and a static_assert in train_params.cpp fails the build when the struct gains a field it lacks.
// Thread-safety: plain value type and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/precision.h"

namespace fm {

struct TrainParams {
    std::string train_data;                  // folder (recursive) or list file of MIDI files
    std::string val_data;                    // the same; empty: val_fraction of train_data's files, by seed
    double val_fraction = 0.1;               // share of train_data's files held out, [0, 1)
    std::string model = "small";             // tiny | small | base
    std::string generator_types = "mar,mar,mar,mar";   // levels 0, 1, 2 and the velocity head
    std::string scan_order = "row_major";    // AR levels: row_major (pitch first) | column_major (time first)
    std::string layout = "long";             // 512-wide models: long (128x512) | folded (256x256)
    std::string tracks;                      // "": every file as one roll; else a track map (core/track_rolls.h:
                                             // pop909, or SOURCE=ROLE rules) whose roles are the model's tracks
    bool align_beats = false;                // import each file with its beats on every 4th step (core/midi_roll.h)
    std::string pitch_range = "all";         // the pitches the model plays: all (0-127) | piano (21-108) | LOW-HIGH
    int crop_length = 128;                   // steps per training crop (multiple of 16)
    int train_batch_size = 8;                // crops per step
    int max_steps = 1000;
    double lr = 3e-4;                        // peak learning rate (AdamW)
    double weight_decay = 0.05;
    int warmup_steps = 100;                  // linear warm-up, then cosine decay to 10 % of lr
    double grad_clip = 3.0;                  // max global gradient norm
    int pitch_shift = 3;                     // augmentation: semitones up or down
    std::string cells = "notes";             // what a cell's class means: notes (silence, hold, onset at velocity k) |
                                             // velocity (silence, velocity k; the models made before notes existed)
    bool pitch_positions = true;             // tokens learn their pitch class and octave (model_config.h)
    bool plan = true;                        // a per-bar plan (chroma, density) as the coarsest level (model/bar_plan.h)
    int plan_batch = 64;                     // crops per step the plan prior learns from (the batch's and more; plan only)
    bool conditions = true;                  // the plan prior takes key, chords, tempo, density and style (model/conditions.h)
    double condition_dropout = 0.3;          // each of a crop's conditions is left out with this chance (all of them: half
                                             // as often again), so any subset may be asked and guidance has its baseline
    std::string train_only;                  // "": the whole model; "plan": the plan prior alone (the levels stay as
                                             // --init_from made them: teaching a model conditions costs minutes);
                                             // "style": the levels' style tables alone (nothing else changes, so what
                                             // asks for no style samples exactly as before)
    double ema = 0.999;                      // decay of the weights' moving average used for validation, previews and
                                             // best.safetensors (0: off, the raw weights); warms up as (1+n)/(10+n)
    uint64_t seed = 0;
    std::string device = "auto";             // cpu | cuda | auto
    std::string precision = "auto";          // fp32 | bf16 | auto: the forward's matmuls under autocast (weights, optimiser
                                             // state and checkpoints stay fp32; validation and previews run in fp32)
    std::string output_dir;                  // checkpoints, metrics.jsonl, config.json, caches
    bool resume = false;                     // continue from output_dir/last.safetensors
    std::string init_from;                   // a new run starts from this checkpoint's weights and architecture
                                             // (e.g. a 128-step model fine-tuned on 512-step crops); its own
                                             // crop_length and layout are this run's
    int eval_every = 100;                    // steps between validation bits/cell (and checkpoints)
    int val_crops = 32;                      // validation crops (fixed)
    int sample_every = 0;                    // steps between preview samples (0: none); written to samples/step_N.mid
    int threads = 0;                         // intra-op threads; 0: all cores
};

// Every field once, in the struct's order: f(name, &TrainParams::field, help). The name is the JSON key and the
// CLI flag (--name); help is the flag's help. A field missing here does not compile (train_params.cpp).
template <class F>
constexpr void for_each_train_param(F&& f) {
    using P = TrainParams;
    f("train_data", &P::train_data, "Folder of MIDI files (recursive) or a list file, one path per line");
    f("val_data", &P::val_data, "Validation folder or list (default: a share of --train_data's files)");
    f("val_fraction", &P::val_fraction, "Share of files held out when there is no --val_data, in [0, 1)");
    f("model", &P::model, "Model size: tiny (tests), small, base (the original's)");
    f("generator_types", &P::generator_types,
      "Four entries mar|ar: levels 16x16, 4x4 and 1x1, then the velocity head (a per-cell head; either value gives the same head)");
    f("scan_order", &P::scan_order, "AR levels: row_major (pitch first) or column_major (time first)");
    f("layout", &P::layout, "How a 512-wide model sees its canvas: long (128x512) or folded (256x256)");
    f("tracks", &P::tracks,
      "Train a multi-track model: a track map whose roles are its tracks (pop909: melody, bridge, piano; or SOURCE=ROLE rules, "
      "e.g. Vocal=melody,*=accompaniment); empty: one roll of all tracks");
    f("align_beats", &P::align_beats,
      "Import each file with its beats on the roll's quarters: 0-3 silent steps first where it starts off the beat (true|false)");
    f("pitch_range", &P::pitch_range, "Pitches the model plays: all (0-127), piano (the 88 keys, 21-108) or LOW-HIGH");
    f("crop_length", &P::crop_length, "Steps (1/16 notes) per training crop, a multiple of 16");
    f("train_batch_size", &P::train_batch_size, "Crops per step");
    f("max_steps", &P::max_steps, "Steps to train for (in all, when resuming)");
    f("lr", &P::lr, "Peak learning rate (AdamW)");
    f("weight_decay", &P::weight_decay, "AdamW weight decay");
    f("warmup_steps", &P::warmup_steps, "Linear warm-up steps before the cosine decay");
    f("grad_clip", &P::grad_clip, "Max global gradient norm");
    f("pitch_shift", &P::pitch_shift, "Augmentation: random transposition of up to this many semitones");
    f("cells", &P::cells,
      "What the net predicts per cell: notes (silence, hold, onset at velocity k) or velocity (silence, velocity k: the earlier models)");
    f("pitch_positions", &P::pitch_positions, "Tokens learn their pitch class and octave (true|false)");
    f("plan", &P::plan, "A per-bar plan (each bar's pitch classes and note density) drawn first and seen by every level (true|false)");
    f("plan_batch", &P::plan_batch, "Crops per step for the bar plan (the batch's and more, plan only: it is small and cheap)");
    f("conditions", &P::conditions, "The bar plan takes conditions: key, chords, tempo, density, style (true|false)");
    f("condition_dropout", &P::condition_dropout, "Chance that each condition of a training crop is left out, in [0, 1)");
    f("train_only", &P::train_only, "Train only this part: empty (all), plan (the bar plan's prior) or style (the levels' style vectors); needs --init_from or --resume");
    f("ema", &P::ema, "Decay of the weights' moving average kept for validation and best, in [0, 1) (0: off)");
    f("seed", &P::seed, "Seed of initialisation, data order and masks");
    f("device", &P::device, "cpu, cuda or auto");
    f("precision", &P::precision, kPrecisionHelp);
    f("output_dir", &P::output_dir, "Folder for checkpoints (last, best), metrics.jsonl, config.json");
    f("resume", &P::resume, "Continue from output_dir/last.safetensors");
    f("init_from", &P::init_from, "Start a new run from this checkpoint's weights (its architecture; this run's crop_length and layout)");
    f("eval_every", &P::eval_every, "Steps between validation bits/cell and checkpoints");
    f("val_crops", &P::val_crops, "Validation crops");
    f("sample_every", &P::sample_every, "Steps between preview samples, saved as output_dir/samples/step_N.mid (0: none)");
    f("threads", &P::threads, "Intra-op threads (0: all cores, or OMP_NUM_THREADS when set)");
}

// Field by field, over the list above.
bool operator==(const TrainParams& a, const TrainParams& b);
inline bool operator!=(const TrainParams& a, const TrainParams& b) { return !(a == b); }

// A JSON object with every field, keyed by its name.
std::string train_params_to_json(const TrainParams& p);

// The fields found in `json` (an object); a field it lacks, or holds as null, keeps its value in `missing` (older
// files lack newer fields: pass what those files meant). Keys that name no field are ignored and, when `unknown`
// is given, listed there. Throws fm::Error on text that is not a JSON object or on a field of the wrong type,
// naming the field; values are not range-checked (validate() does that).
TrainParams train_params_from_json(const std::string& json, const TrainParams& missing = {},
                                   std::vector<std::string>* unknown = nullptr);

// Throws fm::Error, one line naming the flag (--name), on the first field out of range or not one of its names:
// an empty train_data or output_dir, crop_length not a positive multiple of 16 (32 when folded), batch sizes,
// steps, eval_every or val_crops not positive, lr not positive and finite, val_fraction or ema outside [0, 1),
// threads, warmup_steps, sample_every, plan_batch or pitch_shift negative, and names (model, generator_types,
// scan_order, layout, cells, device, precision) that mean nothing. Whether CUDA is there is the trainer's check.
void validate(const TrainParams& p);

}  // namespace fm
