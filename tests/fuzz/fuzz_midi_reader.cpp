// fuzz_midi_reader.cpp — libFuzzer target for the MIDI reader and the MIDI <-> roll path.
//
// For each input: fm::read_smf on the bytes; when that succeeds, fm::midi_to_roll (drums dropped, and again
// with drums kept when the file has any), fm::roll_to_smf, fm::write_smf and fm::read_smf + fm::midi_to_roll
// of the result. Malformed input may only be refused with fm::Error. Findings (the process aborts):
//   - a crash, an ASan / UBSan report, a leak, a timeout or an out-of-memory (libFuzzer's own checks);
//   - any exception that is not fm::Error;
//   - an fm::Error from the export half (a roll we made must always export and read back);
//   - a re-read roll that differs from the roll (the round trip is exact by DESIGN.md).
// Build and run: scripts/fuzz.sh [runs]   (tests/fuzz/CMakeLists.txt, -DFRACTALMIDI_FUZZ=ON, clang).
//
// Throughput: one changed byte in a delta time easily makes a file span 100,000s of steps, and the importer
// accepts up to kMaxImportSteps (2^18 steps, a 128 MB roll; ~2 s an input under ASan). Such inputs would
// bring libFuzzer down to ~100 executions a second, so files spanning more than FM_FUZZ_MAX_STEPS are only
// read and their notes collected; the roll stage is fuzzed on the rest. (The refusal past kMaxImportSteps
// and the big-roll path are covered by tests/core/test_midi_corpus.cpp.) -DFM_FUZZ_MAX_STEPS=262144 fuzzes all.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/midi_file.h"
#include "core/midi_roll.h"
#include "core/roll.h"

#ifndef FM_FUZZ_MAX_STEPS
#define FM_FUZZ_MAX_STEPS (1 << 12)   // 256 bars, longer than any POP909 song
#endif

namespace {

// Steps from the file's start to its last event (format 2: tracks end to end): a bound on the roll's width.
double span_steps(const fm::SmfFile& smf) {
    double ticks = 0, at = 0;
    for (const fm::SmfTrack& tr : smf.tracks) {
        const double end = double(std::max(tr.end_tick, tr.events.empty() ? int64_t(0) : tr.events.back().tick));
        if (smf.format == 2) ticks = at += end;
        else ticks = std::max(ticks, end);
    }
    return ticks * fm::kStepsPerQuarter / smf.ticks_per_quarter;
}

[[noreturn]] void finding(const std::string& what) {
    std::fprintf(stderr, "FINDING: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

// Cell by cell; the narrower roll counts as silent past its end.
bool same_roll(const fm::Roll& a, const fm::Roll& b, std::string& where) {
    if (a.rows != b.rows) {
        where = "rows " + std::to_string(a.rows) + " vs " + std::to_string(b.rows);
        return false;
    }
    if (a.width == b.width && std::memcmp(a.cells.data(), b.cells.data(), a.cells.size() * sizeof(float)) == 0)
        return true;   // the common case, fast under ASan; otherwise find the first difference
    const int w = a.width > b.width ? a.width : b.width;
    for (int r = 0; r < a.rows; ++r)
        for (int t = 0; t < w; ++t) {
            const float va = t < a.width ? a.at(r, t) : 0.0f;
            const float vb = t < b.width ? b.at(r, t) : 0.0f;
            if (va != vb) {
                where = "pitch " + std::to_string(r) + " step " + std::to_string(t) + ": " + std::to_string(va) +
                        " vs " + std::to_string(vb) + " (widths " + std::to_string(a.width) + ", " +
                        std::to_string(b.width) + ")";
                return false;
            }
        }
    return true;
}

// Export, write, read back, import: must work and give the same roll.
void check_round_trip(const fm::MidiRoll& m) {
    try {
        const fm::SmfFile out = fm::roll_to_smf(m.roll, m.tempo);
        const std::vector<uint8_t> bytes = fm::write_smf(out);
        const fm::SmfFile back = fm::read_smf(bytes.data(), bytes.size());
        if (!back.warnings.empty()) finding("our own file reads with a warning: " + back.warnings.front());
        const fm::MidiRoll again = fm::midi_to_roll(back);
        std::string where;
        if (!same_roll(m.roll, again.roll, where)) finding("round trip changed the roll at " + where);
    } catch (const fm::Error& e) {
        finding(std::string("exporting an imported roll failed: ") + e.what());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        fm::SmfFile smf;
        try {
            smf = fm::read_smf(data, size);
        } catch (const fm::Error&) {
            return 0;   // refused cleanly
        }
        if (span_steps(smf) > FM_FUZZ_MAX_STEPS) {
            fm::collect_notes(smf, true);
            fm::tempo_map_ticks(smf);
            return 0;
        }
        fm::ImportOptions options;
        fm::MidiRoll m;
        try {
            m = fm::midi_to_roll(smf, options);
        } catch (const fm::Error&) {
            return 0;   // e.g. longer than kMaxImportSteps
        }
        check_round_trip(m);
        if (m.dropped_drum_notes > 0) {
            options.keep_drums = true;
            try {
                m = fm::midi_to_roll(smf, options);
            } catch (const fm::Error&) {
                return 0;
            }
            check_round_trip(m);
        }
    } catch (const fm::Error& e) {
        finding(std::string("fm::Error escaped: ") + e.what());   // not reached: caught above
    } catch (const std::exception& e) {
        finding(std::string("exception that is not fm::Error: ") + e.what());
    } catch (...) {
        finding("non-standard exception");
    }
    return 0;
}
