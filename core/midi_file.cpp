#include "midi_file.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "error.h"
#include "file_io.h"

namespace fm {

namespace {

std::string hex(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X", v & 0xFFu);
    return buf;
}

// A bounds-checked view over the file's bytes. `truncated` is set, never an overrun.
struct Cursor {
    const uint8_t* data;
    size_t pos, end;
    bool truncated = false;

    bool has(size_t n) const { return end - pos >= n; }
    uint8_t byte() {
        if (!has(1)) { truncated = true; return 0; }
        return data[pos++];
    }
    uint32_t be(int n) {
        uint32_t v = 0;
        for (int i = 0; i < n; ++i) v = (v << 8) | byte();
        return v;
    }
    // Variable-length quantity: at most 4 bytes (28 bits), as the SMF specification says.
    uint32_t vlq() {
        const size_t start = pos;
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            uint8_t b = byte();
            if (truncated) return 0;
            v = (v << 7) | (b & 0x7Fu);
            if (!(b & 0x80)) return v;
        }
        throw Error("variable-length number longer than 4 bytes at byte " + std::to_string(start));
    }
};

bool chunk_id_is(const uint8_t* p, const char* id) { return std::memcmp(p, id, 4) == 0; }

bool printable_id(const uint8_t* p) {
    for (int i = 0; i < 4; ++i)
        if (p[i] < 0x20 || p[i] > 0x7E) return false;
    return true;
}

int data_bytes(uint8_t status) {
    const int kind = status & 0xF0;
    return (kind == 0xC0 || kind == 0xD0) ? 1 : 2;
}

SmfTrack read_track(Cursor c, int index, std::vector<std::string>& warnings) {
    SmfTrack track;
    int64_t tick = 0;
    uint8_t running = 0;
    const std::string where = "track " + std::to_string(index);
    while (c.pos < c.end) {
        const uint32_t delta = c.vlq();
        if (c.truncated) break;
        tick += delta;
        const size_t at = c.pos;
        const uint8_t b = c.byte();
        if (c.truncated) break;
        SmfEvent ev;
        ev.tick = tick;
        if (b == 0xFF || b == 0xF0 || b == 0xF7) {
            ev.status = b;
            if (b == 0xFF) ev.data1 = c.byte();
            const uint32_t len = c.vlq();
            if (c.truncated || !c.has(len)) { c.truncated = true; break; }
            ev.payload.assign(c.data + c.pos, c.data + c.pos + len);
            c.pos += len;
            if (ev.is_meta(0x2F)) {
                track.end_tick = tick;
                if (c.pos < c.end)
                    warnings.push_back(where + ": " + std::to_string(c.end - c.pos) + " byte(s) after End of Track ignored");
                return track;
            }
        } else if (b >= 0xF0) {
            throw Error(where + ": status byte " + hex(b) +
                        " (system common or real-time message) is not allowed in a MIDI file, at byte " + std::to_string(at));
        } else {
            uint8_t first;
            if (b & 0x80) {
                running = b;
                first = c.byte();
            } else {
                if (running == 0)
                    throw Error(where + ": data byte " + hex(b) + " with no status byte before it, at byte " + std::to_string(at));
                first = b;
            }
            ev.status = running;
            ev.data1 = first;
            if (data_bytes(running) == 2) ev.data2 = c.byte();
            if (c.truncated) break;
            if ((ev.data1 | ev.data2) & 0x80)
                throw Error(where + ": status byte where a data byte was expected, at byte " + std::to_string(at));
        }
        track.events.push_back(std::move(ev));
    }
    if (c.truncated) warnings.push_back(where + ": ends in the middle of an event (file truncated?); read up to there");
    else warnings.push_back(where + ": no End of Track event");
    track.end_tick = tick;
    return track;
}

// RIFF RMID: the SMF sits in the "data" chunk.
bool unwrap_rmid(const uint8_t*& data, size_t& size) {
    if (size < 12 || !chunk_id_is(data, "RIFF") || !chunk_id_is(data + 8, "RMID")) return false;
    size_t pos = 12;
    while (pos + 8 <= size) {
        uint32_t len = uint32_t(data[pos + 4]) | uint32_t(data[pos + 5]) << 8 | uint32_t(data[pos + 6]) << 16 |
                       uint32_t(data[pos + 7]) << 24;
        if (chunk_id_is(data + pos, "data")) {
            data += pos + 8;
            size = std::min<size_t>(len, size - pos - 8);
            return true;
        }
        pos += 8 + size_t(len) + (len & 1);
    }
    throw Error("RIFF RMID file without a data chunk");
}

}  // namespace

SmfFile read_smf(const uint8_t* data, size_t size) {
    unwrap_rmid(data, size);
    if (size < 14 || !chunk_id_is(data, "MThd")) {
        if (size == 0) throw Error("empty file");
        throw Error("not a MIDI file (no MThd header)");
    }
    Cursor c{data, 4, size};
    const uint32_t header_len = c.be(4);
    if (header_len < 6) throw Error("MThd header is " + std::to_string(header_len) + " bytes long, needs 6");
    SmfFile smf;
    smf.format = int(c.be(2));
    const int declared_tracks = int(c.be(2));
    const uint16_t division = uint16_t(c.be(2));
    if (smf.format > 2) throw Error("unknown SMF format " + std::to_string(smf.format));
    int tick_scale = 1;
    if (division & 0x8000) {
        // SMPTE: ticks per second = frames per second x ticks per frame. With 120 bpm (0.5 s a quarter),
        // ticks doubled: ticks per quarter = ticks per second.
        const int fps_code = -int(int8_t(division >> 8));
        const int per_frame = division & 0xFF;
        const int fps = fps_code == 29 ? 30 : fps_code;
        if ((fps != 24 && fps != 25 && fps != 30) || per_frame == 0)
            throw Error("SMPTE division " + hex(division >> 8) + "/" + std::to_string(per_frame) + " is invalid");
        smf.smpte = true;
        smf.ticks_per_quarter = fps * per_frame;
        tick_scale = 2;
        if (fps_code == 29) smf.warnings.push_back("SMPTE 29.97 fps drop-frame read as 30 fps");
    } else {
        if (division == 0) throw Error("ticks per quarter note is 0");
        smf.ticks_per_quarter = division;
    }
    if (size_t(header_len) > size - 8) throw Error("MThd header runs past the end of the file");
    c.pos = 8 + size_t(header_len);

    while (c.end - c.pos >= 8) {
        const uint8_t* id = data + c.pos;
        c.pos += 4;
        uint32_t len = c.be(4);
        if (!printable_id(id)) {
            smf.warnings.push_back(std::to_string(c.end - c.pos + 8) + " trailing byte(s) that are not a chunk ignored");
            break;
        }
        if (len > c.end - c.pos) {
            smf.warnings.push_back("chunk " + std::string(reinterpret_cast<const char*>(id), 4) + " declares " +
                                   std::to_string(len) + " bytes but only " + std::to_string(c.end - c.pos) + " remain");
            len = uint32_t(c.end - c.pos);
        }
        if (chunk_id_is(id, "MTrk")) {
            Cursor tc{data, c.pos, c.pos + len};
            smf.tracks.push_back(read_track(tc, int(smf.tracks.size()), smf.warnings));
        } else {
            smf.warnings.push_back("unknown chunk '" + std::string(reinterpret_cast<const char*>(id), 4) + "' skipped");
        }
        c.pos += len;
    }
    if (smf.tracks.empty()) throw Error("no MTrk track in the file");
    if (int(smf.tracks.size()) != declared_tracks)
        smf.warnings.push_back("header declares " + std::to_string(declared_tracks) + " track(s), found " +
                               std::to_string(smf.tracks.size()));
    if (tick_scale != 1) {
        for (auto& tr : smf.tracks) {
            tr.end_tick *= tick_scale;
            for (auto& ev : tr.events) ev.tick *= tick_scale;
            // SMPTE timing is absolute: tempo events do not change it.
            tr.events.erase(std::remove_if(tr.events.begin(), tr.events.end(), [](const SmfEvent& e) { return e.is_tempo(); }),
                            tr.events.end());
        }
    }
    return smf;
}

SmfFile read_smf_file(const std::string& path) {
    std::vector<uint8_t> bytes = read_file_bytes(path);
    try {
        return read_smf(bytes.data(), bytes.size());
    } catch (const Error& e) {
        throw Error(e.reason(), path);
    }
}

namespace {

void put_be(std::vector<uint8_t>& out, uint32_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out.push_back(uint8_t(v >> (8 * i)));
}

void put_vlq(std::vector<uint8_t>& out, uint32_t v) {
    uint8_t buf[5];
    int n = 0;
    buf[n++] = v & 0x7F;
    while ((v >>= 7) != 0) buf[n++] = uint8_t(0x80 | (v & 0x7F));
    while (n > 0) out.push_back(buf[--n]);
}

}  // namespace

std::vector<uint8_t> write_smf(const SmfFile& smf) {
    if (smf.ticks_per_quarter <= 0 || smf.ticks_per_quarter > 0x7FFF)
        throw Error("ticks per quarter " + std::to_string(smf.ticks_per_quarter) + " cannot be written");
    std::vector<uint8_t> out;
    out.insert(out.end(), {'M', 'T', 'h', 'd'});
    put_be(out, 6, 4);
    put_be(out, uint32_t(smf.format), 2);
    put_be(out, uint32_t(smf.tracks.size()), 2);
    put_be(out, uint32_t(smf.ticks_per_quarter), 2);
    for (const SmfTrack& tr : smf.tracks) {
        std::vector<uint8_t> body;
        int64_t tick = 0;
        bool ended = false;
        for (const SmfEvent& ev : tr.events) {
            if (ended) break;
            const int64_t t = std::max(ev.tick, tick);
            if (t - tick > 0x0FFFFFFF) throw Error("gap of " + std::to_string(t - tick) + " ticks cannot be written");
            put_vlq(body, uint32_t(t - tick));
            tick = t;
            body.push_back(ev.status);
            if (ev.status == 0xFF || ev.status == 0xF0 || ev.status == 0xF7) {
                if (ev.status == 0xFF) body.push_back(ev.data1);
                put_vlq(body, uint32_t(ev.payload.size()));
                body.insert(body.end(), ev.payload.begin(), ev.payload.end());
                ended = ev.is_meta(0x2F);
            } else {
                body.push_back(ev.data1 & 0x7F);
                if (data_bytes(ev.status) == 2) body.push_back(ev.data2 & 0x7F);
            }
        }
        if (!ended) {
            put_vlq(body, uint32_t(std::max<int64_t>(tr.end_tick - tick, 0)));
            body.insert(body.end(), {0xFF, 0x2F, 0x00});
        }
        out.insert(out.end(), {'M', 'T', 'r', 'k'});
        put_be(out, uint32_t(body.size()), 4);
        out.insert(out.end(), body.begin(), body.end());
    }
    return out;
}

void write_smf_file(const std::string& path, const SmfFile& smf) {
    std::vector<uint8_t> bytes = write_smf(smf);
    write_file_atomic(path, bytes.data(), bytes.size());
}

}  // namespace fm
