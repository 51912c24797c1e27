// The music metrics on rolls built here note by note, so every expected figure follows from the notes.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/music_metrics.h"
#include "core/notes.h"
#include "core/roll.h"

namespace {

using Notes = std::vector<fm::StepNote>;

fm::Roll roll_of(const Notes& notes, int width) { return fm::notes_to_roll(notes, width); }

// A varied roll: a walking bass, off-beat chords and a melody, shifted by `k`.
fm::Roll varied_roll(int k) {
    Notes n;
    for (int bar = 0; bar < 4; ++bar) {
        n.push_back({36 + (bar * 5 + k) % 12, bar * 16, bar * 16 + 8, 50 + bar * 10});
        n.push_back({55 + k % 3, bar * 16 + 4, bar * 16 + 6, 70});
        n.push_back({59 + k % 3, bar * 16 + 4, bar * 16 + 6, 72});
        for (int i = 0; i < 4; ++i) n.push_back({67 + (i * 2 + bar + k) % 10, bar * 16 + i * 4 + 1, bar * 16 + i * 4 + 1 + 1 + i % 3, 90 + i * 5});
    }
    return roll_of(n, 64);
}

// The share of a pitch's cells with class `k` (0 silence, else velocity k).
double share(const fm::Roll& r, int pitch, int k) {
    int hits = 0;
    for (int t = 0; t < r.width; ++t) hits += (r.at(pitch, t) > 0 ? fm::value_to_velocity(r.at(pitch, t)) : 0) == k;
    return double(hits) / r.width;
}

}  // namespace

TEST(MusicMetrics, HistogramOverlapOfKnownHistograms) {
    EXPECT_DOUBLE_EQ(fm::histogram_overlap({1, 1, 0, 0}, {0, 1, 1, 0}), 0.5);
    EXPECT_DOUBLE_EQ(fm::histogram_overlap({2, 2}, {1, 1}), 1.0);    // normalised first
    EXPECT_DOUBLE_EQ(fm::histogram_overlap({1, 0}, {0, 3}), 0.0);
    EXPECT_DOUBLE_EQ(fm::histogram_overlap({0, 0}, {0, 0}), 0.0);    // empty: no overlap
    EXPECT_DOUBLE_EQ(fm::histogram_overlap({0.2, 0.8}, {0.6, 0.4}), 0.6);
    EXPECT_THROW(fm::histogram_overlap({1, 2}, {1, 2, 3}), fm::Error);
}

TEST(MusicMetrics, IdenticalSetsOverlapOneAndDifferByNothing) {
    std::vector<fm::Roll> a;
    for (int k = 0; k < 5; ++k) a.push_back(varied_roll(k));
    const fm::MusicComparison c = fm::compare_music(fm::compute_music_stats(a), fm::compute_music_stats(a));
    EXPECT_NEAR(c.oa_pitch, 1.0, 1e-12);
    EXPECT_NEAR(c.oa_duration, 1.0, 1e-12);
    EXPECT_NEAR(c.oa_velocity, 1.0, 1e-12);
    EXPECT_NEAR(c.oa_ioi, 1.0, 1e-12);
    EXPECT_EQ(c.polyphony_rel, 0.0);
    EXPECT_EQ(c.pitch_classes_per_bar_rel, 0.0);
    EXPECT_EQ(c.scale_consistency_rel, 0.0);
    EXPECT_EQ(c.generated.rolls, 5);
    EXPECT_GT(c.generated.notes, 5 * 20);
    // Every histogram sums to 1.
    for (const auto* h : {&c.generated.pitch, &c.generated.duration, &c.generated.velocity, &c.generated.ioi}) {
        double sum = 0;
        for (double v : *h) sum += v;
        EXPECT_NEAR(sum, 1.0, 1e-12);
    }
}

TEST(MusicMetrics, DisjointPitchesOverlapZeroWhileRhythmMatches) {
    Notes low, high;
    for (int i = 0; i < 8; ++i) {
        low.push_back({48 + i % 4, i * 4, i * 4 + 2, 80});
        high.push_back({72 + i % 4, i * 4, i * 4 + 2, 80});
    }
    const fm::MusicComparison c =
        fm::compare_music(fm::compute_music_stats({roll_of(low, 32)}), fm::compute_music_stats({roll_of(high, 32)}));
    EXPECT_EQ(c.oa_pitch, 0.0);
    EXPECT_NEAR(c.oa_duration, 1.0, 1e-12);
    EXPECT_NEAR(c.oa_velocity, 1.0, 1e-12);
    EXPECT_NEAR(c.oa_ioi, 1.0, 1e-12);
}

TEST(MusicMetrics, ChordHeldABar) {
    // C-E-G held through bar 1 of 2; bar 2 silent.
    const fm::MusicStats s = fm::compute_music_stats({roll_of({{60, 0, 16, 100}, {64, 0, 16, 100}, {67, 0, 16, 100}}, 32)});
    EXPECT_EQ(s.notes, 3);
    EXPECT_DOUBLE_EQ(s.polyphony, 3.0);
    EXPECT_DOUBLE_EQ(s.pitch_classes_per_bar, 3.0);   // the silent bar does not count
    EXPECT_DOUBLE_EQ(s.empty_beat_rate, 0.5);         // beats 4..7 of 8
    EXPECT_DOUBLE_EQ(s.qualified_note_rate, 1.0);
    EXPECT_DOUBLE_EQ(s.scale_consistency, 1.0);
    EXPECT_DOUBLE_EQ(s.duration[15], 1.0);            // 16 steps
    EXPECT_DOUBLE_EQ(s.velocity[25], 1.0);            // 100 / 4
    for (double v : s.ioi) EXPECT_EQ(v, 0.0);         // one onset time: no interval
}

TEST(MusicMetrics, RhythmFiguresOfAKnownBar) {
    // Onsets at 0, 4 and 12: beat 8..11 is empty; the first note lasts one step (not qualified).
    const fm::MusicStats s = fm::compute_music_stats({roll_of({{60, 0, 1, 1}, {62, 4, 6, 4}, {64, 12, 16, 127}}, 16)});
    EXPECT_DOUBLE_EQ(s.empty_beat_rate, 0.25);
    EXPECT_DOUBLE_EQ(s.qualified_note_rate, 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(s.polyphony, 1.0);
    EXPECT_DOUBLE_EQ(s.pitch_classes_per_bar, 3.0);
    EXPECT_DOUBLE_EQ(s.duration[0], 1.0 / 3);   // 1 step
    EXPECT_DOUBLE_EQ(s.duration[1], 1.0 / 3);   // 2 steps
    EXPECT_DOUBLE_EQ(s.duration[3], 1.0 / 3);   // 4 steps
    EXPECT_DOUBLE_EQ(s.ioi[3], 0.5);            // 4 steps
    EXPECT_DOUBLE_EQ(s.ioi[7], 0.5);            // 8 steps
    EXPECT_DOUBLE_EQ(s.velocity[0], 1.0 / 3);   // velocity 1
    EXPECT_DOUBLE_EQ(s.velocity[1], 1.0 / 3);   // velocity 4
    EXPECT_DOUBLE_EQ(s.velocity[31], 1.0 / 3);  // velocity 127
}

TEST(MusicMetrics, LongNotesAndIntervalsGoToTheLastBin) {
    const fm::MusicStats s = fm::compute_music_stats({roll_of({{60, 0, 100, 64}, {62, 120, 124, 64}}, 128)});
    EXPECT_DOUBLE_EQ(s.duration[fm::kDurationBins - 1], 0.5);
    EXPECT_DOUBLE_EQ(s.ioi[fm::kIoiBins - 1], 1.0);
}

TEST(MusicMetrics, PitchClassesCountOncePerBarAcrossOctaves) {
    // C3, C4, C5 and E4 in bar 1; bar 2 holds only G: (2 + 1) / 2.
    const fm::MusicStats s = fm::compute_music_stats(
        {roll_of({{48, 0, 4, 90}, {60, 4, 8, 90}, {72, 8, 12, 90}, {64, 12, 16, 90}, {67, 16, 20, 90}}, 32)});
    EXPECT_DOUBLE_EQ(s.pitch_classes_per_bar, 1.5);
}

TEST(MusicMetrics, ScaleConsistency) {
    Notes c_major, fsharp_major, chromatic;
    const int steps[8] = {0, 2, 4, 5, 7, 9, 11, 12};
    for (int i = 0; i < 8; ++i) {
        c_major.push_back({60 + steps[i], i * 2, i * 2 + 2, 80});
        fsharp_major.push_back({66 + steps[i], i * 2, i * 2 + 2, 80});
    }
    for (int i = 0; i < 12; ++i) chromatic.push_back({60 + i, 0, 4, 80});   // a cluster of all 12 classes
    EXPECT_DOUBLE_EQ(fm::compute_music_stats({roll_of(c_major, 16)}).scale_consistency, 1.0);
    EXPECT_DOUBLE_EQ(fm::compute_music_stats({roll_of(fsharp_major, 16)}).scale_consistency, 1.0);
    const double cluster = fm::compute_music_stats({roll_of(chromatic, 16)}).scale_consistency;
    EXPECT_DOUBLE_EQ(cluster, 7.0 / 12.0);
    // A mean over rolls, not a pooled share; a silent roll does not count.
    EXPECT_DOUBLE_EQ(fm::compute_music_stats({roll_of(c_major, 16), roll_of(chromatic, 16), fm::Roll(16)}).scale_consistency,
                     (1.0 + 7.0 / 12.0) / 2);
}

TEST(MusicMetrics, KeyStabilityIsTheShareOfFourBarWindowsInTheWholeRollsKey) {
    // C major scales for 12 bars (3 windows), then 4 bars (1 window) of F# major: 3 of 4 windows in the roll's key.
    Notes modulating, c_only;
    const int steps[7] = {0, 2, 4, 5, 7, 9, 11};
    for (int bar = 0; bar < 16; ++bar)
        for (int i = 0; i < 7; ++i) {
            const int root = bar < 12 ? 60 : 66;
            modulating.push_back({root + steps[i], bar * 16 + i * 2, bar * 16 + i * 2 + 2, 80});
            if (bar < 8) c_only.push_back({60 + steps[i], bar * 16 + i * 2, bar * 16 + i * 2 + 2, 80});
        }
    EXPECT_DOUBLE_EQ(fm::compute_music_stats({roll_of(modulating, 256)}).key_stability, 0.75);
    EXPECT_DOUBLE_EQ(fm::compute_music_stats({roll_of(c_only, 128)}).key_stability, 1.0);
    // A mean over rolls; windows without notes do not count (the second half of this 16-bar roll is silent).
    EXPECT_DOUBLE_EQ(fm::compute_music_stats({roll_of(modulating, 256), roll_of(c_only, 256)}).key_stability, (0.75 + 1.0) / 2);
    // A tie keeps the key: one C in a window fits 7 scales, among them the whole roll's.
    Notes lone = c_only;
    lone.push_back({60, 8 * 16, 8 * 16 + 2, 80});
    EXPECT_DOUBLE_EQ(fm::compute_music_stats({roll_of(lone, 192)}).key_stability, 1.0);
}

TEST(MusicMetrics, UnknownCellsAreSilenceAndEmptySetsAreZero) {
    const fm::MusicStats s = fm::compute_music_stats({fm::Roll(32, fm::kUnknown)});
    EXPECT_EQ(s.notes, 0);
    EXPECT_EQ(s.rolls, 1);
    EXPECT_DOUBLE_EQ(s.empty_beat_rate, 1.0);
    EXPECT_DOUBLE_EQ(s.polyphony, 0.0);
    EXPECT_DOUBLE_EQ(s.pitch_classes_per_bar, 0.0);
    const fm::MusicStats none = fm::compute_music_stats({});
    EXPECT_EQ(none.rolls, 0);
    EXPECT_DOUBLE_EQ(none.empty_beat_rate, 0.0);
    EXPECT_THROW(fm::compute_music_stats({fm::fold(fm::Roll(32))}), fm::Error);
}

TEST(MusicMetrics, RelativeDifferences) {
    EXPECT_DOUBLE_EQ(fm::relative_difference(3.0, 2.0), 0.5);
    EXPECT_DOUBLE_EQ(fm::relative_difference(1.5, 2.0), -0.25);
    EXPECT_DOUBLE_EQ(fm::relative_difference(0.0, 0.0), 0.0);
    EXPECT_TRUE(std::isinf(fm::relative_difference(1.0, 0.0)));
    const fm::MusicStats chord = fm::compute_music_stats({roll_of({{60, 0, 16, 100}, {64, 0, 16, 100}, {67, 0, 16, 100}}, 16)});
    const fm::MusicStats dyad = fm::compute_music_stats({roll_of({{60, 0, 16, 100}, {64, 0, 16, 100}}, 16)});
    const fm::MusicComparison c = fm::compare_music(chord, dyad);
    EXPECT_DOUBLE_EQ(c.polyphony_rel, 0.5);
    EXPECT_DOUBLE_EQ(c.pitch_classes_per_bar_rel, 0.5);
}

TEST(MusicMetrics, MarginalSamplesReproduceTheFittedCellDistribution) {
    // Pitch 60 sounds (velocity 80) in 1/4 of the cells; pitch 64 holds velocity 40 in 1/10 and 100 in 1/10;
    // everything else is silent.
    std::vector<fm::Roll> train;
    for (int r = 0; r < 4; ++r) {
        fm::Roll x(80);
        for (int t = 0; t < 80; ++t) {
            if (t % 4 == r % 4) x.at(60, t) = fm::velocity_to_value(80);
            if (t % 10 == 0) x.at(64, t) = fm::velocity_to_value(40);
            if (t % 10 == 5) x.at(64, t) = fm::velocity_to_value(100);
        }
        train.push_back(x);
    }
    const fm::MarginalModel m = fm::fit_marginal(train);
    EXPECT_DOUBLE_EQ(m.probs[60][80], 0.25);
    EXPECT_DOUBLE_EQ(m.probs[64][40], 0.1);
    EXPECT_DOUBLE_EQ(m.probs[64][0], 0.8);
    EXPECT_DOUBLE_EQ(m.probs[10][0], 1.0);

    const fm::Roll s = fm::sample_marginal(m, 8192, 7);
    EXPECT_EQ(s.rows, fm::kPitches);
    EXPECT_EQ(s.width, 8192);
    EXPECT_NEAR(share(s, 60, 80), 0.25, 0.02);
    EXPECT_NEAR(share(s, 60, 0), 0.75, 0.02);
    EXPECT_NEAR(share(s, 64, 40), 0.1, 0.015);
    EXPECT_NEAR(share(s, 64, 100), 0.1, 0.015);
    EXPECT_NEAR(share(s, 64, 0), 0.8, 0.02);
    for (int p = 0; p < fm::kPitches; ++p) {
        if (p != 60 && p != 64) {
            EXPECT_DOUBLE_EQ(share(s, p, 0), 1.0) << "pitch " << p;
        }
    }
    EXPECT_EQ(fm::sample_marginal(m, 64, 7), fm::sample_marginal(m, 64, 7));
    EXPECT_NE(fm::sample_marginal(m, 64, 7), fm::sample_marginal(m, 64, 8));
    EXPECT_THROW(fm::sample_marginal(m, 30, 7), fm::Error);

    // Bits per cell on the fitted rolls: the mean entropy of the 128 pitch distributions.
    const double h60 = -(0.25 * std::log2(0.25) + 0.75 * std::log2(0.75));
    const double h64 = -(0.8 * std::log2(0.8) + 2 * 0.1 * std::log2(0.1));
    EXPECT_NEAR(fm::marginal_bits_per_cell(m, train), (h60 + h64) / 128, 1e-12);
    // A cell the model never saw costs infinitely many bits, unless the fit is smoothed.
    fm::Roll odd(16);
    odd.at(10, 0) = fm::velocity_to_value(64);
    EXPECT_TRUE(std::isinf(fm::marginal_bits_per_cell(m, {odd})));
    EXPECT_TRUE(std::isfinite(fm::marginal_bits_per_cell(fm::fit_marginal(train, 0.01), {odd})));
}

TEST(MusicMetrics, MarginalSamplesOfAFittedSetHaveItsNoteDensityAndPitches) {
    std::vector<fm::Roll> train;
    for (int k = 0; k < 8; ++k) train.push_back(varied_roll(k));
    int64_t cells = 0, sounding = 0;
    for (const fm::Roll& r : train)
        for (float v : r.cells) cells += 1, sounding += v > 0;
    const fm::MarginalModel m = fm::fit_marginal(train);
    std::vector<fm::Roll> samples;
    int64_t s_cells = 0, s_sounding = 0;
    for (int i = 0; i < 64; ++i) {
        samples.push_back(fm::sample_marginal(m, 64, uint64_t(100 + i)));
        for (float v : samples.back().cells) s_cells += 1, s_sounding += v > 0;
    }
    const double density = double(sounding) / double(cells), s_density = double(s_sounding) / double(s_cells);
    EXPECT_NEAR(s_density / density, 1.0, 0.05);
    // Independent cells: only pitches of the data sound, and the rhythm is lost (long notes break into short ones).
    const fm::MusicComparison c = fm::compare_music(fm::compute_music_stats(samples), fm::compute_music_stats(train));
    for (int p = 0; p < fm::kPitches; ++p) {
        if (c.reference.pitch[size_t(p)] == 0) {
            EXPECT_EQ(c.generated.pitch[size_t(p)], 0.0) << "pitch " << p;
        }
    }
    EXPECT_GT(c.oa_pitch, 0.6);
    EXPECT_LT(c.oa_duration, c.oa_pitch);
}
