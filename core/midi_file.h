// midi_file.h — Standard MIDI File (SMF) bytes <-> events, nothing musical.
//
//   fm::SmfFile smf = fm::read_smf_file("song.mid");       // throws fm::Error("song.mid: reason")
//   for (auto& tr : smf.tracks) for (auto& ev : tr.events) if (ev.is_note_on()) ...
//   fm::write_smf_file("copy.mid", smf);                    // atomic: temporary file + rename
//
// The reader takes formats 0, 1 and 2, any division (SMPTE is converted to ticks per quarter at 120 bpm),
// running status (kept across meta and sysex events, as players do), RIFF RMID wrappers, unknown chunks
// (skipped), a track that runs past the end of the file (read up to the end, with a warning) and bytes after
// End of Track (ignored). It rejects, with the byte offset, what cannot be read without guessing:
// no MThd, a header that is too short, zero tracks, a variable-length number longer than 4 bytes, a data
// byte with no status before it, and system common / real-time status bytes (F1-F6, F8-FE) inside a track.
// Thread-safety: free functions over values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fm {

struct SmfEvent {
    int64_t tick = 0;          // absolute ticks from the start of its track
    uint8_t status = 0;        // 0x80..0xEF channel message, 0xF0/0xF7 sysex, 0xFF meta
    uint8_t data1 = 0;         // channel messages: first data byte; meta: the meta type
    uint8_t data2 = 0;         // channel messages: second data byte (0 for one-byte messages)
    std::vector<uint8_t> payload;   // meta and sysex bytes

    int channel() const { return status & 0x0F; }
    int kind() const { return status & 0xF0; }
    bool is_note_on() const { return kind() == 0x90 && data2 > 0; }
    bool is_note_off() const { return kind() == 0x80 || (kind() == 0x90 && data2 == 0); }
    bool is_meta(uint8_t type) const { return status == 0xFF && data1 == type; }
    bool is_tempo() const { return is_meta(0x51) && payload.size() == 3; }
    uint32_t tempo_us_per_quarter() const { return (uint32_t(payload[0]) << 16) | (uint32_t(payload[1]) << 8) | payload[2]; }
};

struct SmfTrack {
    std::vector<SmfEvent> events;   // in file order; ticks never decrease
    int64_t end_tick = 0;           // tick of End of Track (or of the last event when it is missing)
};

struct SmfFile {
    int format = 1;
    int ticks_per_quarter = 480;
    bool smpte = false;                  // division was SMPTE (converted; tempo events then ignored)
    std::vector<SmfTrack> tracks;
    std::vector<std::string> warnings;   // problems read past (truncation, missing tracks, ...)
};

// Parse bytes. Throws fm::Error(reason) — without a file name; read_smf_file adds it.
SmfFile read_smf(const uint8_t* data, size_t size);
SmfFile read_smf_file(const std::string& path);

// Serialise (running status is not used; End of Track is added where missing).
std::vector<uint8_t> write_smf(const SmfFile& smf);
void write_smf_file(const std::string& path, const SmfFile& smf);

}  // namespace fm
