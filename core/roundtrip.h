// roundtrip.h — how faithfully a MIDI file survives MIDI -> roll -> MIDI, measured note by note.
//
//   fm::SmfFile src = fm::read_smf_file("in.mid");
//   fm::SmfFile out = fm::roll_to_smf(fm::midi_to_roll(src).roll, ...);
//   fm::RoundTrip r = fm::compare_roundtrip(src, out);   // r.kept_rate() etc.
//
// Notes are compared as distinct (pitch, 1/16 onset) pairs: the source's onsets on its own grid (raw ticks,
// grid phase subtracted, rounded), the export's on its grid, up to one constant shift in time (-2..2 steps).
// Thread-safety: free functions over values.
#pragma once

#include <cmath>

#include "midi_file.h"
#include "midi_roll.h"

namespace fm {

struct RoundTrip {
    int source_notes = 0;        // distinct (pitch, onset) in the source
    int exported_notes = 0;      // distinct (pitch, onset) in the export
    int kept = 0;                // source notes found at the same pitch and onset in the export
    int extra = 0;               // export notes not in the source
    int durations_within_one = 0;   // kept notes whose duration (steps, on the grid) differs by <= 1
    int shift = 0;               // the constant shift (steps) that matched best
    double source_seconds = 0;   // length: time of the last event (End of Track included), as players count it
    double exported_seconds = 0;

    double kept_rate() const { return source_notes ? double(kept) / source_notes : 1.0; }
    double extra_rate() const { return exported_notes ? double(extra) / exported_notes : 0.0; }
    double duration_rate() const { return kept ? double(durations_within_one) / kept : 1.0; }
    double length_error() const {   // relative
        return source_seconds > 0 ? std::abs(exported_seconds - source_seconds) / source_seconds : 0.0;
    }
};

RoundTrip compare_roundtrip(const SmfFile& source, const SmfFile& exported, const ImportOptions& options = {});

}  // namespace fm
