// music_metrics.h — objective music statistics of a set of rolls, how close two sets are, and the marginal
// baseline (every cell drawn independently from its pitch's velocity distribution) to compare a model with.
//
//   fm::MusicStats gen = fm::compute_music_stats(generated), ref = fm::compute_music_stats(reference);
//   fm::MusicComparison c = fm::compare_music(gen, ref);     // c.oa_pitch in [0, 1], 1: same histogram
//   fm::MarginalModel m = fm::fit_marginal(training_crops);
//   fm::Roll base = fm::sample_marginal(m, 128, /*seed=*/7);  // 128 x 128, cells independent
//
// All figures come from the notes fm::roll_to_notes finds (unknown cells count as silence) and from the
// sounding cells (value > 0); rolls are pooled (a set's figure is not a mean of per-roll figures, except
// scale consistency). Steps are 1/16 notes; bars are 16 steps from step 0 of each roll, beats 4.
// Thread-safety: free functions over values; a MarginalModel is immutable once fitted.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "roll.h"

namespace fm {

constexpr int kDurationBins = 64;   // bin i: notes of i + 1 steps; the last bin also holds longer notes
constexpr int kVelocityBins = 32;   // bin i: MIDI velocities 4i .. 4i + 3
constexpr int kIoiBins = 32;        // bin i: i + 1 steps between successive onset times; the last also longer
constexpr int kQualifiedSteps = 2;  // a note of at least this many steps (an eighth) counts as qualified
constexpr int kKeyWindowBars = 4;   // key stability: windows of this many bars

struct MusicStats {
    int rolls = 0;
    int64_t notes = 0;
    // Normalised histograms (each sums to 1; all zero when there is nothing to count).
    std::vector<double> pitch = std::vector<double>(kPitches);        // notes per MIDI pitch
    std::vector<double> duration = std::vector<double>(kDurationBins);
    std::vector<double> velocity = std::vector<double>(kVelocityBins);
    // Inter-onset interval: within a roll, the steps between successive distinct onset times (any pitch).
    std::vector<double> ioi = std::vector<double>(kIoiBins);
    // Mean number of sounding notes over the steps where at least one sounds (0 when none does).
    double polyphony = 0;
    // Mean number of distinct pitch classes sounding in a 16-step bar, over the bars where any note sounds
    // (a final partial bar counts as a bar).
    double pitch_classes_per_bar = 0;
    // Share of the 4-step beats (whole beats only) in which nothing sounds.
    double empty_beat_rate = 0;
    // Share of notes at least kQualifiedSteps long. On the 1/16 grid every note lasts >= 1 step, so the usual
    // "qualified note" test (longer than the shortest unit) becomes: at least an eighth note.
    double qualified_note_rate = 0;
    // Per roll with notes: the largest share of its notes whose pitch class lies in one major scale (of the 12;
    // this also covers the relative natural minors); the mean over those rolls.
    double scale_consistency = 0;
    // Per roll: the share of its 4-bar windows (from step 0, those with notes) whose best-fitting major scale (by
    // note onsets) is also the whole roll's; the mean over rolls with notes. A roll of 8 bars has 2 windows, of 32
    // bars 8. Does a sample keep one key? (Bar chroma similarity would not tell: flat random chroma scores high.)
    double key_stability = 0;
};

MusicStats compute_music_stats(const std::vector<Roll>& rolls);

// Sum over bins of min(a_i / sum a, b_i / sum b): 1 for equal shapes, 0 for disjoint support or when either
// histogram is empty. Throws fm::Error when the sizes differ.
double histogram_overlap(const std::vector<double>& a, const std::vector<double>& b);

// (value - reference) / |reference|; 0 when both are 0, +infinity when only the reference is 0.
double relative_difference(double value, double reference);

struct MusicComparison {
    MusicStats generated, reference;
    double oa_pitch = 0, oa_duration = 0, oa_velocity = 0, oa_ioi = 0;   // histogram_overlap of each
    // relative_difference(generated.x, reference.x) of each scalar
    double polyphony_rel = 0, pitch_classes_per_bar_rel = 0, empty_beat_rate_rel = 0, qualified_note_rate_rel = 0,
           scale_consistency_rel = 0, key_stability_rel = 0;
};

MusicComparison compare_music(const MusicStats& generated, const MusicStats& reference);

// Per pitch, a distribution over the 128 cell classes (0 silence, k = MIDI velocity k = round(value * 127)),
// fitted by counting the known cells of the rolls; pitches never seen are silent.
struct MarginalModel {
    std::vector<std::array<double, 128>> probs = std::vector<std::array<double, 128>>(kPitches);   // (pitch, class)
};

// `smoothing` is added to every class count (0: the empirical distribution). Throws fm::Error unless the rolls
// are 128-row.
MarginalModel fit_marginal(const std::vector<Roll>& rolls, double smoothing = 0.0);

// A 128 x width roll, every cell drawn independently from its pitch's distribution; same seed, same roll.
Roll sample_marginal(const MarginalModel& model, int width, uint64_t seed);

// Mean -log2 p(cell) of the known cells of `rolls` under the model (+infinity when a cell's class has
// probability 0: fit with smoothing to score other rolls than the ones fitted).
double marginal_bits_per_cell(const MarginalModel& model, const std::vector<Roll>& rolls);

}  // namespace fm
