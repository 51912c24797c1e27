#include "notes.h"

#include <algorithm>

#include "error.h"

namespace fm {

std::vector<StepNote> apply_strike_rule(std::vector<StepNote> notes) {
    std::stable_sort(notes.begin(), notes.end(), [](const StepNote& a, const StepNote& b) {
        return a.pitch != b.pitch ? a.pitch < b.pitch : a.start < b.start;
    });
    // Doubled strikes (one pitch, one onset: two tracks, say) first become one note, so that the rule below
    // compares each strike with the final value of the one before it.
    std::vector<StepNote> merged;
    merged.reserve(notes.size());
    for (StepNote n : notes) {
        n.end = std::max(n.end, n.start + 1);
        n.velocity = std::clamp(n.velocity, 1, 127);
        if (!merged.empty() && merged.back().pitch == n.pitch && merged.back().start == n.start) {
            merged.back().velocity = std::max(merged.back().velocity, n.velocity);
            merged.back().end = std::max(merged.back().end, n.end);
        } else {
            merged.push_back(n);
        }
    }
    std::vector<StepNote> out;
    out.reserve(merged.size());
    for (StepNote n : merged) {
        if (!out.empty() && out.back().pitch == n.pitch && out.back().end >= n.start) {
            StepNote& prev = out.back();
            if (n.start - prev.start >= 2) {
                prev.end = n.start - 1;
            } else {
                prev.end = n.start;
                if (n.velocity == prev.velocity) n.velocity += n.velocity < 127 ? 1 : -1;
            }
        }
        out.push_back(n);
    }
    return out;
}

void paint_notes(Roll& roll, const std::vector<StepNote>& notes, int step_offset, int pitch_shift) {
    if (roll.rows <= 0 || roll.rows % kPitches != 0) throw Error("notes can only be painted into a roll of whole 128-row tracks");
    const int tracks = roll.rows / kPitches;
    for (const StepNote& n : notes) {
        const int pitch = n.pitch + pitch_shift;
        if (pitch < 0 || pitch >= kPitches || (tracks > 1 && (n.track < 0 || n.track >= tracks))) continue;
        const int p = tracks > 1 ? n.track * kPitches + pitch : pitch;
        const int b = std::max(n.start - step_offset, 0);
        const int e = std::min(n.end - step_offset, roll.width);
        const float v = velocity_to_value(n.velocity);
        for (int t = b; t < e; ++t) roll.at(p, t) = v;
    }
}

Roll notes_to_roll(const std::vector<StepNote>& notes, int width) {
    Roll roll(width);
    paint_notes(roll, apply_strike_rule(notes));
    return roll;
}

std::vector<StepNote> roll_to_notes(const Roll& roll) {
    if (roll.rows != kPitches) throw Error("notes can only be read from a 128-row roll (unfold a folded roll first)");
    std::vector<StepNote> out;
    for (int p = 0; p < kPitches; ++p) {
        int t = 0;
        while (t < roll.width) {
            const float v = roll.at(p, t);
            if (!(v > 0.0f)) { ++t; continue; }
            int e = t + 1;
            while (e < roll.width && roll.at(p, e) == v) ++e;
            out.push_back({p, t, e, value_to_velocity(v)});
            t = e;
        }
    }
    return out;
}

}  // namespace fm
