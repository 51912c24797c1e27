// notes.h — notes on the 1/16 grid and the rules that put them into a roll exactly.
//
//   std::vector<fm::StepNote> notes = {{60, 0, 4, 100}, {60, 4, 8, 100}};   // two strikes of C4
//   fm::Roll roll = fm::notes_to_roll(notes, 16);   // re-strike rule applied: a one-step gap at step 3
//   auto back = fm::roll_to_notes(roll);             // {60,0,3,100}, {60,4,8,100}
//
// Thread-safety: free functions over values.
#pragma once

#include <cstdint>
#include <vector>

#include "roll.h"

namespace fm {

struct StepNote {
    int pitch = 0;      // 0..127
    int start = 0;      // step of the onset
    int end = 0;        // step after the last sounding step (end > start)
    int velocity = 0;   // 1..127
    int track = 0;      // the roll track it belongs to (core/track_rolls.h); 0 in a one-track roll
    bool operator==(const StepNote& o) const {
        return pitch == o.pitch && start == o.start && end == o.end && velocity == o.velocity && track == o.track;
    }
};

// DESIGN.md's re-strike rule, per pitch in onset order. When a note starts while the previous one on its pitch
// still sounds (or ends exactly there): if the earlier note has >= 2 steps before the new onset it ends one
// step early (the gap marks the strike); with only one step, the new note's velocity is nudged by 1 when
// equal, so the value changes. Either way the later strike takes over and the earlier tail is dropped.
// Two strikes at one onset merge into one note (the louder velocity, the longer end).
// The result is sorted by (pitch, start); its notes never overlap and touching notes differ in velocity,
// so it is exactly the list of runs that roll_to_notes finds in the painted roll.
std::vector<StepNote> apply_strike_rule(std::vector<StepNote> notes);

// Fills each note's cells with velocity/127 (no rule; later notes overwrite). Cells outside the roll are cut. A roll of
// several tracks (rows a multiple of 128) takes each note in its track's rows; a 128-row roll takes every note.
void paint_notes(Roll& roll, const std::vector<StepNote>& notes, int step_offset = 0, int pitch_shift = 0);

// apply_strike_rule, then paint into a silent roll of `width` steps.
Roll notes_to_roll(const std::vector<StepNote>& notes, int width);

// The export rule: a note ends at silence or wherever the value changes; velocity = round(value*127) in
// 1..127. Unknown (-1) cells count as silence. Sorted by (pitch, start). Works on 128-row rolls.
std::vector<StepNote> roll_to_notes(const Roll& roll);

}  // namespace fm
