#include "note_edit.h"

#include <algorithm>
#include <climits>

namespace fm {

int note_at(const std::vector<StepNote>& notes, int pitch, int step) {
    for (size_t i = 0; i < notes.size(); ++i)
        if (notes[i].pitch == pitch && notes[i].start <= step && step < notes[i].end) return int(i);
    return -1;
}

std::vector<int> notes_in_rect(const std::vector<StepNote>& notes, int s0, int s1, int p0, int p1) {
    if (s0 > s1) std::swap(s0, s1);
    if (p0 > p1) std::swap(p0, p1);
    std::vector<int> out;
    for (size_t i = 0; i < notes.size(); ++i) {
        const StepNote& n = notes[i];
        if (n.pitch >= p0 && n.pitch <= p1 && n.start <= s1 && n.end - 1 >= s0) out.push_back(int(i));
    }
    return out;
}

std::vector<StepNote> pick(const std::vector<StepNote>& notes, const std::vector<int>& indices) {
    std::vector<StepNote> out;
    out.reserve(indices.size());
    for (int i : indices)
        if (i >= 0 && size_t(i) < notes.size()) out.push_back(notes[size_t(i)]);
    return out;
}

std::vector<int> find_notes(const std::vector<StepNote>& notes, const std::vector<StepNote>& wanted) {
    std::vector<int> out;
    for (const StepNote& w : wanted)
        for (size_t i = 0; i < notes.size(); ++i)
            if (notes[i].pitch == w.pitch && notes[i].start == w.start) {
                out.push_back(int(i));
                break;
            }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<StepNote> moved(const std::vector<StepNote>& notes, int dt, int dp, int width) {
    if (notes.empty()) return notes;
    int first = INT_MAX, last = INT_MIN, low = INT_MAX, high = INT_MIN;
    for (const StepNote& n : notes)
        first = std::min(first, n.start), last = std::max(last, n.end), low = std::min(low, n.pitch), high = std::max(high, n.pitch);
    dt = std::clamp(dt, -first, std::max(-first, width - last));
    dp = std::clamp(dp, -low, std::max(-low, kPitches - 1 - high));
    std::vector<StepNote> out = notes;
    for (StepNote& n : out) n.start += dt, n.end += dt, n.pitch += dp;
    return out;
}

std::vector<StepNote> resized(const std::vector<StepNote>& notes, int d_end, int width, int min_length) {
    std::vector<StepNote> out = notes;
    for (StepNote& n : out) n.end = std::clamp(n.end + d_end, std::min(n.start + std::max(1, min_length), width), width);
    return out;
}

int snap_down(int step, int grid) {
    grid = std::max(1, grid);
    return step >= 0 ? step / grid * grid : -((-step + grid - 1) / grid * grid);
}

Roll replace_notes(const Roll& base, const std::vector<int>& remove, const std::vector<StepNote>& add) {
    std::vector<StepNote> notes = roll_to_notes(base);
    std::vector<bool> gone(notes.size(), false);
    for (int i : remove)
        if (i >= 0 && size_t(i) < notes.size()) gone[size_t(i)] = true;
    std::vector<StepNote> kept;
    kept.reserve(notes.size() + add.size());
    for (size_t i = 0; i < notes.size(); ++i)
        if (!gone[i]) kept.push_back(notes[i]);
    for (StepNote n : add) {
        n.start = std::max(n.start, 0), n.end = std::min(n.end, base.width);
        if (n.pitch < 0 || n.pitch >= kPitches || n.end <= n.start) continue;
        n.velocity = std::clamp(n.velocity, 1, 127);
        kept.push_back(n);
    }
    Roll out = notes_to_roll(kept, base.width);
    for (size_t i = 0; i < out.cells.size() && i < base.cells.size(); ++i)
        if (base.cells[i] < 0 && out.cells[i] == 0.0f) out.cells[i] = base.cells[i];
    return out;
}

std::vector<StepNote> to_clipboard(const std::vector<StepNote>& notes) {
    int first = INT_MAX;
    for (const StepNote& n : notes) first = std::min(first, n.start);
    std::vector<StepNote> out = notes;
    for (StepNote& n : out) n.start -= first, n.end -= first;
    return out;
}

std::vector<StepNote> from_clipboard(const std::vector<StepNote>& clip, int step) {
    std::vector<StepNote> out = clip;
    for (StepNote& n : out) n.start += step, n.end += step;
    return out;
}

}  // namespace fm
