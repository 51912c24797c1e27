// note_edit.h — editing a roll as notes: the note under a cell, the notes in a rectangle, moving, resizing,
// pasting and deleting, with the re-strike rule of notes.h applied to the result. The studio's pencil, select,
// velocity lane and clipboard are thin over these.
//
//   auto notes = fm::roll_to_notes(roll);
//   std::vector<int> sel = fm::notes_in_rect(notes, 0, 15, 60, 72);          // steps 0..15, pitches 60..72
//   fm::Roll after = fm::replace_notes(roll, sel, fm::moved(pick(notes, sel), 4, 2, roll.width));
//
// Thread-safety: free functions over values.
#pragma once

#include <vector>

#include "notes.h"
#include "roll.h"

namespace fm {

// The note whose cells hold (pitch, step), as an index into `notes`; -1 when none.
int note_at(const std::vector<StepNote>& notes, int pitch, int step);
// Indices of the notes with a cell in steps [s0, s1] x pitches [p0, p1] (inclusive bounds, any order).
std::vector<int> notes_in_rect(const std::vector<StepNote>& notes, int s0, int s1, int p0, int p1);
// The notes at `indices`, in that order.
std::vector<StepNote> pick(const std::vector<StepNote>& notes, const std::vector<int>& indices);
// Indices of `wanted` in `notes` (matched by pitch and onset); those not found are left out.
std::vector<int> find_notes(const std::vector<StepNote>& notes, const std::vector<StepNote>& wanted);

// Shifted by dt steps and dp semitones; the shift is limited so that every note stays inside steps [0, width)
// and pitches 0..127 (the group keeps its shape).
std::vector<StepNote> moved(const std::vector<StepNote>& notes, int dt, int dp, int width);
// Each note's end moved by d_end steps, kept at least min_length long and inside [0, width).
std::vector<StepNote> resized(const std::vector<StepNote>& notes, int d_end, int width, int min_length = 1);
// `step` rounded down to a multiple of grid (grid >= 1).
int snap_down(int step, int grid);

// `base` with the notes at `remove` (indices into roll_to_notes(base)) taken out and `add` put in, then the
// re-strike rule; cells outside the roll are cut. Unknown (-1) cells of `base` stay unknown where no note lands.
Roll replace_notes(const Roll& base, const std::vector<int>& remove, const std::vector<StepNote>& add);

// Clipboard: notes made relative to their earliest onset, and put back at `step`.
std::vector<StepNote> to_clipboard(const std::vector<StepNote>& notes);
std::vector<StepNote> from_clipboard(const std::vector<StepNote>& clip, int step);

}  // namespace fm
