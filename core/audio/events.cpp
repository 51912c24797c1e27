#include "core/audio/events.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "core/notes.h"

namespace fm {

double step_seconds(double bpm) {
    if (!(bpm > 0) || !std::isfinite(bpm)) throw Error("tempo must be a positive number of bpm (got " + std::to_string(bpm) + ")");
    return 60.0 / (bpm * kStepsPerQuarter);
}

std::vector<MidiEvent> roll_events(const Roll& roll, double bpm) {
    const double step = step_seconds(bpm);
    std::vector<MidiEvent> events;
    for (const StepNote& n : roll_to_notes(roll)) {
        events.push_back({0, 0x90, uint8_t(n.pitch), uint8_t(n.velocity), n.start});
        events.push_back({0, 0x80, uint8_t(n.pitch), 0, n.end});
    }
    // By step (exact integers), then offs before ons, then pitch: a value change at one step is off, then on.
    std::sort(events.begin(), events.end(), [](const MidiEvent& a, const MidiEvent& b) {
        if (a.step != b.step) return a.step < b.step;
        if (a.status != b.status) return a.status < b.status;
        return a.data1 < b.data1;
    });
    for (MidiEvent& e : events) e.seconds = e.step * step;
    return events;
}

}  // namespace fm
