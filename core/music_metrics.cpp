// music_metrics.cpp — see music_metrics.h.
#include "music_metrics.h"

#include <algorithm>
#include <bitset>
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "error.h"
#include "harmony.h"
#include "notes.h"

namespace fm {

namespace {

void check_rows(const Roll& r) {
    if (r.rows != kPitches) throw Error("music metrics need 128-row rolls (unfold a folded roll first), got " + std::to_string(r.rows) + " rows");
}

void normalise(std::vector<double>& h) {
    double sum = 0;
    for (double v : h) sum += v;
    if (sum > 0)
        for (double& v : h) v /= sum;
}

double ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

// How many of `pc_counts`' notes fall in the major scale on each of the 12 roots.
std::array<int64_t, 12> scale_counts(const std::array<int64_t, 12>& pc_counts) {
    std::array<int64_t, 12> in{};
    for (int root = 0; root < 12; ++root) {
        const uint16_t scale = key_scale(Key{root, false, 0});
        for (int pc = 0; pc < 12; ++pc)
            if (scale >> pc & 1u) in[size_t(root)] += pc_counts[size_t(pc)];
    }
    return in;
}

// The largest number of `pc_counts`' notes that fall in one of the 12 major scales.
int64_t best_scale_count(const std::array<int64_t, 12>& pc_counts) {
    const auto in = scale_counts(pc_counts);
    return *std::max_element(in.begin(), in.end());
}

// Share of the roll's 4-bar windows (from step 0; those with notes) whose best-fitting major scale is one of the
// whole roll's best-fitting ones; -1 when no window has notes.
double key_stability(const std::vector<StepNote>& notes, const std::array<int64_t, 12>& pc_counts, int width) {
    const auto whole = scale_counts(pc_counts);
    const int64_t whole_best = *std::max_element(whole.begin(), whole.end());
    const int window = kKeyWindowBars * kStepsPerBar;
    int windows = 0, kept = 0;
    for (int start = 0; start < width; start += window) {
        std::array<int64_t, 12> counts{};
        int64_t n = 0;
        for (const StepNote& note : notes)
            if (note.start >= start && note.start < start + window) ++counts[size_t(note.pitch % 12)], ++n;
        if (n == 0) continue;
        const auto in = scale_counts(counts);
        const int64_t best = *std::max_element(in.begin(), in.end());
        bool same = false;   // ties: the window keeps the key when any of its best scales is a best scale of the whole
        for (int root = 0; root < 12; ++root) same = same || (in[size_t(root)] == best && whole[size_t(root)] == whole_best);
        ++windows, kept += same ? 1 : 0;
    }
    return windows > 0 ? double(kept) / windows : -1.0;
}

}  // namespace

MusicStats compute_music_stats(const std::vector<Roll>& rolls) {
    MusicStats s;
    s.rolls = int(rolls.size());
    int64_t qualified = 0, sounding_steps = 0, sounding_notes = 0, bars_with_notes = 0, pcs_in_bars = 0;
    int64_t beats = 0, empty_beats = 0;
    double scale_sum = 0, key_sum = 0;
    int scale_rolls = 0, key_rolls = 0;
    for (const Roll& r : rolls) {
        check_rows(r);
        const std::vector<StepNote> notes = roll_to_notes(r);
        s.notes += int64_t(notes.size());
        std::array<int64_t, 12> pc_counts{};
        std::vector<int> onsets;
        onsets.reserve(notes.size());
        for (const StepNote& n : notes) {
            const int length = n.end - n.start;
            s.pitch[size_t(n.pitch)] += 1;
            s.duration[size_t(std::min(length, kDurationBins) - 1)] += 1;
            s.velocity[size_t(std::clamp(n.velocity / 4, 0, kVelocityBins - 1))] += 1;
            if (length >= kQualifiedSteps) ++qualified;
            ++pc_counts[size_t(n.pitch % 12)];
            onsets.push_back(n.start);
        }
        std::sort(onsets.begin(), onsets.end());
        onsets.erase(std::unique(onsets.begin(), onsets.end()), onsets.end());
        for (size_t i = 1; i < onsets.size(); ++i)
            s.ioi[size_t(std::min(onsets[i] - onsets[i - 1], kIoiBins) - 1)] += 1;
        if (!notes.empty()) {
            scale_sum += double(best_scale_count(pc_counts)) / double(notes.size());
            ++scale_rolls;
            if (const double k = key_stability(notes, pc_counts, r.width); k >= 0) key_sum += k, ++key_rolls;
        }

        // Per step: how many notes sound and which pitch classes.
        std::vector<int> count(size_t(r.width), 0);
        std::vector<std::bitset<12>> classes(size_t(r.width));
        for (int p = 0; p < kPitches; ++p)
            for (int t = 0; t < r.width; ++t)
                if (r.at(p, t) > 0) {
                    ++count[size_t(t)];
                    classes[size_t(t)].set(size_t(p % 12));
                }
        for (int t = 0; t < r.width; ++t)
            if (count[size_t(t)] > 0) ++sounding_steps, sounding_notes += count[size_t(t)];
        for (int bar = 0; bar < r.width; bar += kStepsPerBar) {
            std::bitset<12> in_bar;
            for (int t = bar; t < std::min(r.width, bar + kStepsPerBar); ++t) in_bar |= classes[size_t(t)];
            if (in_bar.any()) ++bars_with_notes, pcs_in_bars += int64_t(in_bar.count());
        }
        for (int beat = 0; beat + kStepsPerQuarter <= r.width; beat += kStepsPerQuarter) {
            ++beats;
            bool empty = true;
            for (int t = beat; t < beat + kStepsPerQuarter; ++t) empty = empty && count[size_t(t)] == 0;
            if (empty) ++empty_beats;
        }
    }
    normalise(s.pitch);
    normalise(s.duration);
    normalise(s.velocity);
    normalise(s.ioi);
    s.polyphony = ratio(double(sounding_notes), double(sounding_steps));
    s.pitch_classes_per_bar = ratio(double(pcs_in_bars), double(bars_with_notes));
    s.empty_beat_rate = ratio(double(empty_beats), double(beats));
    s.qualified_note_rate = ratio(double(qualified), double(s.notes));
    s.scale_consistency = ratio(scale_sum, double(scale_rolls));
    s.key_stability = ratio(key_sum, double(key_rolls));
    return s;
}

double histogram_overlap(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size())
        throw Error("histogram_overlap: " + std::to_string(a.size()) + " bins against " + std::to_string(b.size()));
    double sa = 0, sb = 0;
    for (size_t i = 0; i < a.size(); ++i) sa += a[i], sb += b[i];
    if (!(sa > 0) || !(sb > 0)) return 0.0;
    double overlap = 0;
    for (size_t i = 0; i < a.size(); ++i) overlap += std::min(a[i] / sa, b[i] / sb);
    return std::min(overlap, 1.0);
}

double relative_difference(double value, double reference) {
    if (reference == 0) return value == 0 ? 0.0 : std::numeric_limits<double>::infinity();
    return (value - reference) / std::fabs(reference);
}

MusicComparison compare_music(const MusicStats& generated, const MusicStats& reference) {
    MusicComparison c;
    c.generated = generated, c.reference = reference;
    c.oa_pitch = histogram_overlap(generated.pitch, reference.pitch);
    c.oa_duration = histogram_overlap(generated.duration, reference.duration);
    c.oa_velocity = histogram_overlap(generated.velocity, reference.velocity);
    c.oa_ioi = histogram_overlap(generated.ioi, reference.ioi);
    c.polyphony_rel = relative_difference(generated.polyphony, reference.polyphony);
    c.pitch_classes_per_bar_rel = relative_difference(generated.pitch_classes_per_bar, reference.pitch_classes_per_bar);
    c.empty_beat_rate_rel = relative_difference(generated.empty_beat_rate, reference.empty_beat_rate);
    c.qualified_note_rate_rel = relative_difference(generated.qualified_note_rate, reference.qualified_note_rate);
    c.scale_consistency_rel = relative_difference(generated.scale_consistency, reference.scale_consistency);
    c.key_stability_rel = relative_difference(generated.key_stability, reference.key_stability);
    return c;
}

namespace {

int cell_class(float v) { return v > 0 ? value_to_velocity(v) : 0; }

}  // namespace

MarginalModel fit_marginal(const std::vector<Roll>& rolls, double smoothing) {
    std::vector<std::array<double, 128>> counts(kPitches);
    for (auto& c : counts) c.fill(0.0);
    for (const Roll& r : rolls) {
        check_rows(r);
        for (int p = 0; p < kPitches; ++p)
            for (int t = 0; t < r.width; ++t) {
                const float v = r.at(p, t);
                if (v >= 0) counts[size_t(p)][size_t(cell_class(v))] += 1;
            }
    }
    MarginalModel m;
    for (int p = 0; p < kPitches; ++p) {
        double total = 0;
        for (double c : counts[size_t(p)]) total += c + smoothing;
        auto& probs = m.probs[size_t(p)];
        probs.fill(0.0);
        if (!(total > 0)) {
            probs[0] = 1.0;   // never seen: silent
            continue;
        }
        for (size_t k = 0; k < probs.size(); ++k) probs[k] = (counts[size_t(p)][k] + smoothing) / total;
    }
    return m;
}

Roll sample_marginal(const MarginalModel& model, int width, uint64_t seed) {
    check_width(width);
    Roll r(width);
    std::mt19937_64 rng(seed);
    std::array<double, 128> cdf{};
    for (int p = 0; p < kPitches; ++p) {
        const auto& probs = model.probs[size_t(p)];
        if (probs[0] >= 1.0) continue;   // always silent: no draws
        double acc = 0;
        for (size_t k = 0; k < probs.size(); ++k) cdf[k] = acc += probs[k];
        for (int t = 0; t < width; ++t) {
            const double u = double(rng() >> 11) * 0x1.0p-53 * acc;   // uniform in [0, total)
            const size_t k = size_t(std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
            r.at(p, t) = k == 0 ? 0.0f : velocity_to_value(int(std::min<size_t>(k, 127)));
        }
    }
    return r;
}

double marginal_bits_per_cell(const MarginalModel& model, const std::vector<Roll>& rolls) {
    double bits = 0, cells = 0;
    for (const Roll& r : rolls) {
        check_rows(r);
        for (int p = 0; p < kPitches; ++p)
            for (int t = 0; t < r.width; ++t) {
                const float v = r.at(p, t);
                if (v < 0) continue;
                bits -= std::log2(model.probs[size_t(p)][size_t(cell_class(v))]);
                cells += 1;
            }
    }
    return ratio(bits, cells);
}

}  // namespace fm
