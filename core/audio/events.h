// events.h — a roll as timed MIDI events, for playback through FluidSynth or a MIDI port (no Qt, no torch).
//
//   std::vector<fm::MidiEvent> ev = fm::roll_events(roll, 120.0);   // note-ons/offs in seconds, sorted
//
// Notes follow the export rule (core/notes.h): a note ends at silence or where the value changes.
// Thread-safety: free functions over values.
#pragma once

#include <cstdint>
#include <vector>

#include "core/roll.h"

namespace fm {

struct MidiEvent {
    double seconds = 0;          // from the roll's step 0
    uint8_t status = 0x90;       // 0x90 note on, 0x80 note off (channel 1)
    uint8_t data1 = 0, data2 = 0;
    int step = 0;                // the roll step it belongs to (for a playhead)
};

// Sorted by time, note-offs before note-ons at the same time. bpm > 0 (quarter notes per minute; 4 steps each).
std::vector<MidiEvent> roll_events(const Roll& roll, double bpm);
double step_seconds(double bpm);   // one 1/16 step

}  // namespace fm
