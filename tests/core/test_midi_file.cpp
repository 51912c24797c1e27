// test_midi_file.cpp — the SMF reader and writer on hand-built bytes: every case is a byte array written
// here, so what the reader must return follows from the bytes and the SMF specification.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/midi_file.h"
#include "core/midi_roll.h"
#include "support/test_support.h"

namespace fs = std::filesystem;

namespace {

using Bytes = std::vector<uint8_t>;

void append(Bytes& out, const Bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

void put_be(Bytes& out, uint32_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out.push_back(uint8_t(v >> (8 * i)));
}

Bytes chunk(const char* id, const Bytes& body) {
    Bytes out(id, id + 4);
    put_be(out, uint32_t(body.size()), 4);
    append(out, body);
    return out;
}

Bytes mthd(int format, int tracks, uint16_t division) {
    Bytes body;
    put_be(body, uint32_t(format), 2);
    put_be(body, uint32_t(tracks), 2);
    put_be(body, division, 2);
    return chunk("MThd", body);
}

Bytes mtrk(const Bytes& events) { return chunk("MTrk", events); }

const Bytes kEndOfTrack = {0x00, 0xFF, 0x2F, 0x00};

Bytes with_eot(Bytes events) {
    append(events, kEndOfTrack);
    return events;
}

// A whole file: header + tracks.
Bytes smf_bytes(int format, uint16_t division, std::initializer_list<Bytes> track_events) {
    Bytes out = mthd(format, int(track_events.size()), division);
    for (const Bytes& ev : track_events) append(out, mtrk(ev));
    return out;
}

fm::SmfFile read(const Bytes& b) { return fm::read_smf(b.data(), b.size()); }

// The fm::Error message for reading `b` ("(no error)" when it reads).
std::string read_error(const Bytes& b) {
    try {
        read(b);
    } catch (const fm::Error& e) {
        return e.what();
    }
    return "(no error)";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

bool any_warning(const fm::SmfFile& smf, const std::string& part) {
    for (const std::string& w : smf.warnings)
        if (contains(w, part)) return true;
    return false;
}

std::string all_warnings(const fm::SmfFile& smf) {
    std::string s;
    for (const std::string& w : smf.warnings) s += w + " | ";
    return s;
}

void expect_channel_event(const fm::SmfEvent& ev, int64_t tick, uint8_t status, uint8_t d1, uint8_t d2) {
    EXPECT_EQ(ev.tick, tick);
    EXPECT_EQ(ev.status, status);
    EXPECT_EQ(ev.data1, d1);
    EXPECT_EQ(ev.data2, d2);
}

}  // namespace

TEST(MidiFile, Format0) {
    // tempo 500000 us, C4 on at 0, off at 480 (VLQ 83 60), End of Track at 480.
    const Bytes b = smf_bytes(0, 480, {with_eot({0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20,   //
                                                 0x00, 0x90, 0x3C, 0x64,                     //
                                                 0x83, 0x60, 0x80, 0x3C, 0x40})});
    const fm::SmfFile smf = read(b);
    EXPECT_EQ(smf.format, 0);
    EXPECT_EQ(smf.ticks_per_quarter, 480);
    EXPECT_FALSE(smf.smpte);
    EXPECT_TRUE(smf.warnings.empty()) << all_warnings(smf);
    ASSERT_EQ(smf.tracks.size(), 1u);
    const auto& ev = smf.tracks[0].events;
    ASSERT_EQ(ev.size(), 3u) << "End of Track is not an event";
    EXPECT_TRUE(ev[0].is_tempo());
    EXPECT_EQ(ev[0].tempo_us_per_quarter(), 500000u);
    expect_channel_event(ev[1], 0, 0x90, 60, 100);
    EXPECT_TRUE(ev[1].is_note_on());
    expect_channel_event(ev[2], 480, 0x80, 60, 64);
    EXPECT_TRUE(ev[2].is_note_off());
    EXPECT_EQ(smf.tracks[0].end_tick, 480);
}

TEST(MidiFile, Format1TracksHaveTheirOwnClock) {
    const Bytes b = smf_bytes(1, 96,
                              {with_eot({0x00, 0xFF, 0x51, 0x03, 0x09, 0x27, 0xC0}),                  // 600000 us
                               with_eot({0x60, 0x91, 0x40, 0x50, 0x60, 0x81, 0x40, 0x00}),            // ch 2
                               with_eot({0x30, 0xC2, 0x05, 0x10, 0x92, 0x30, 0x7F, 0x81, 0x00, 0x82, 0x30, 0x00})});
    const fm::SmfFile smf = read(b);
    EXPECT_EQ(smf.format, 1);
    EXPECT_EQ(smf.ticks_per_quarter, 96);
    ASSERT_EQ(smf.tracks.size(), 3u);
    EXPECT_TRUE(smf.warnings.empty()) << all_warnings(smf);
    EXPECT_EQ(smf.tracks[0].events.at(0).tempo_us_per_quarter(), 600000u);
    const auto& t1 = smf.tracks[1].events;
    ASSERT_EQ(t1.size(), 2u);
    expect_channel_event(t1[0], 96, 0x91, 0x40, 0x50);
    EXPECT_EQ(t1[0].channel(), 1);
    expect_channel_event(t1[1], 192, 0x81, 0x40, 0x00);
    EXPECT_EQ(smf.tracks[1].end_tick, 192);
    const auto& t2 = smf.tracks[2].events;
    ASSERT_EQ(t2.size(), 3u);
    expect_channel_event(t2[0], 48, 0xC2, 0x05, 0x00);   // program change: one data byte
    expect_channel_event(t2[1], 64, 0x92, 0x30, 0x7F);
    expect_channel_event(t2[2], 192, 0x82, 0x30, 0x00);   // 64 + 128 (VLQ 81 00)
}

TEST(MidiFile, HeaderLongerThanSixBytesAndTrackCountMismatch) {
    Bytes b = {'M', 'T', 'h', 'd', 0, 0, 0, 8, 0, 1, 0, 2, 0x01, 0xE0, 0xAA, 0xBB};   // 2 extra header bytes
    append(b, mtrk(with_eot({0x00, 0x90, 0x3C, 0x40})));
    const fm::SmfFile smf = read(b);
    EXPECT_EQ(smf.ticks_per_quarter, 480);
    ASSERT_EQ(smf.tracks.size(), 1u);
    ASSERT_EQ(smf.tracks[0].events.size(), 1u);
    EXPECT_TRUE(any_warning(smf, "declares 2")) << all_warnings(smf);
}

TEST(MidiFile, RunningStatus) {
    // 90 3C 64 | (running) 3E 50 | (running) 3C 00 = note-off | 80 3E 40 | (running) 40 40
    const Bytes b = smf_bytes(0, 480, {with_eot({0x00, 0x90, 0x3C, 0x64, 0x10, 0x3E, 0x50, 0x10, 0x3C, 0x00,
                                                 0x10, 0x80, 0x3E, 0x40, 0x10, 0x40, 0x40})});
    const fm::SmfFile smf = read(b);
    const auto& ev = smf.tracks.at(0).events;
    ASSERT_EQ(ev.size(), 5u);
    expect_channel_event(ev[0], 0, 0x90, 0x3C, 0x64);
    expect_channel_event(ev[1], 16, 0x90, 0x3E, 0x50);
    expect_channel_event(ev[2], 32, 0x90, 0x3C, 0x00);
    expect_channel_event(ev[3], 48, 0x80, 0x3E, 0x40);
    expect_channel_event(ev[4], 64, 0x80, 0x40, 0x40);
    // One-data-byte running status (program change): C0 01 | 02 | 03.
    const fm::SmfFile pc = read(smf_bytes(0, 480, {with_eot({0x00, 0xC0, 0x01, 0x00, 0x02, 0x05, 0x03})}));
    const auto& p = pc.tracks.at(0).events;
    ASSERT_EQ(p.size(), 3u);
    expect_channel_event(p[1], 0, 0xC0, 0x02, 0x00);
    expect_channel_event(p[2], 5, 0xC0, 0x03, 0x00);
}

TEST(MidiFile, RunningStatusAcrossMetaAndSysex) {
    // 90 3C 64 | meta text "abc" | (running) 3C 00 | sysex F0 02 7E F7 | (running) 3E 20
    const Bytes b = smf_bytes(0, 480, {with_eot({0x00, 0x90, 0x3C, 0x64, 0x00, 0xFF, 0x01, 0x03, 'a', 'b', 'c',
                                                 0x08, 0x3C, 0x00, 0x00, 0xF0, 0x02, 0x7E, 0xF7, 0x04, 0x3E, 0x20})});
    const fm::SmfFile smf = read(b);
    const auto& ev = smf.tracks.at(0).events;
    ASSERT_EQ(ev.size(), 5u);
    EXPECT_TRUE(ev[1].is_meta(0x01));
    EXPECT_EQ(ev[1].payload, (Bytes{'a', 'b', 'c'}));
    expect_channel_event(ev[2], 8, 0x90, 0x3C, 0x00);
    EXPECT_TRUE(ev[2].is_note_off());
    EXPECT_EQ(ev[3].status, 0xF0);
    EXPECT_EQ(ev[3].payload, (Bytes{0x7E, 0xF7}));
    expect_channel_event(ev[4], 12, 0x90, 0x3E, 0x20);
    EXPECT_TRUE(ev[4].is_note_on());
}

TEST(MidiFile, NoteOnVelocityZeroIsANoteOff) {
    const fm::SmfFile smf = read(smf_bytes(0, 480, {with_eot({0x00, 0x95, 0x3C, 0x01, 0x10, 0x95, 0x3C, 0x00})}));
    const auto& ev = smf.tracks.at(0).events;
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_TRUE(ev[0].is_note_on());
    EXPECT_FALSE(ev[0].is_note_off());
    EXPECT_FALSE(ev[1].is_note_on());
    EXPECT_TRUE(ev[1].is_note_off());
    EXPECT_EQ(ev[1].channel(), 5);
}

TEST(MidiFile, VariableLengthQuantities) {
    // Deltas: 81 00 = 128, 81 80 00 = 16384, FF FF FF 7F = 0x0FFFFFFF (the 4-byte maximum), 7F = 127.
    const Bytes b = smf_bytes(0, 480, {with_eot({0x81, 0x00, 0x90, 0x3C, 0x64,               //
                                                 0x81, 0x80, 0x00, 0x3C, 0x00,               //
                                                 0xFF, 0xFF, 0xFF, 0x7F, 0x3E, 0x64,         //
                                                 0x7F, 0x3E, 0x00})});
    const fm::SmfFile smf = read(b);
    const auto& ev = smf.tracks.at(0).events;
    ASSERT_EQ(ev.size(), 4u);
    EXPECT_EQ(ev[0].tick, 128);
    EXPECT_EQ(ev[1].tick, 128 + 16384);
    EXPECT_EQ(ev[2].tick, 128 + 16384 + int64_t(0x0FFFFFFF));
    EXPECT_EQ(ev[3].tick, 128 + 16384 + int64_t(0x0FFFFFFF) + 127);
    EXPECT_EQ(smf.tracks[0].end_tick, ev[3].tick);
    // A meta event's length is a VLQ too: 81 00 = 128 bytes of text.
    Bytes meta = {0x00, 0xFF, 0x01, 0x81, 0x00};
    meta.insert(meta.end(), 128, 'x');
    const fm::SmfFile m = read(smf_bytes(0, 480, {with_eot(meta)}));
    ASSERT_EQ(m.tracks.at(0).events.size(), 1u);
    EXPECT_EQ(m.tracks[0].events[0].payload.size(), 128u);
}

TEST(MidiFile, FiveByteVlqRejected) {
    const std::string delta = read_error(smf_bytes(0, 480, {with_eot({0x81, 0x80, 0x80, 0x80, 0x00, 0x90, 0x3C, 0x64})}));
    EXPECT_TRUE(contains(delta, "variable-length")) << delta;
    EXPECT_TRUE(contains(delta, "byte 22")) << delta;   // 14 (MThd) + 8 (MTrk header): the first byte of the track
    const std::string length = read_error(smf_bytes(0, 480, {with_eot({0x00, 0xFF, 0x01, 0x80, 0x80, 0x80, 0x80, 0x01})}));
    EXPECT_TRUE(contains(length, "variable-length")) << length;
}

TEST(MidiFile, SmpteDivision) {
    // 25 fps x 40 ticks per frame = 1000 ticks per second. Read at 120 bpm (0.5 s a quarter) with ticks doubled:
    // 1000 ticks per quarter. A note-on 1000 SMPTE ticks (1 s) in is at quarter 2 = tick 2000. Tempo events
    // cannot change SMPTE time and are dropped.
    const uint16_t division = uint16_t((uint8_t(-25) << 8) | 40);
    ASSERT_EQ(division, 0xE728);
    const Bytes b = smf_bytes(0, division, {with_eot({0x00, 0xFF, 0x51, 0x03, 0x0F, 0x42, 0x40,   // 1 s a quarter
                                                      0x87, 0x68, 0x90, 0x3C, 0x64,                // delta 1000
                                                      0x64, 0x80, 0x3C, 0x40})});                  // delta 100
    const fm::SmfFile smf = read(b);
    EXPECT_TRUE(smf.smpte);
    EXPECT_EQ(smf.ticks_per_quarter, 1000);
    const auto& ev = smf.tracks.at(0).events;
    ASSERT_EQ(ev.size(), 2u) << "the tempo event is dropped";
    EXPECT_TRUE(ev[0].is_note_on());
    EXPECT_EQ(ev[0].tick, 2000);
    EXPECT_EQ(ev[1].tick, 2200);
    EXPECT_EQ(smf.tracks[0].end_tick, 2200);
    // On the roll: 1 s at 120 bpm is 2 quarters = step 8; the note lasts 0.1 s, rounded up to one step.
    const fm::MidiRoll m = fm::midi_to_roll(smf);
    ASSERT_EQ(m.notes.size(), 1u);
    EXPECT_EQ(m.notes[0], (fm::StepNote{60, 8, 9, 100}));
    ASSERT_EQ(m.tempo.size(), 1u);
    EXPECT_EQ(m.tempo[0].us_per_quarter, 500000u) << "SMPTE files play at the 120 bpm they were read at";

    // 24 fps x 4 ticks, 30 fps x 80 ticks.
    EXPECT_EQ(read(smf_bytes(0, uint16_t((uint8_t(-24) << 8) | 4), {with_eot({})})).ticks_per_quarter, 96);
    EXPECT_EQ(read(smf_bytes(0, uint16_t((uint8_t(-30) << 8) | 80), {with_eot({})})).ticks_per_quarter, 2400);
    // 29.97 drop-frame is read as 30 with a warning.
    const fm::SmfFile df = read(smf_bytes(0, uint16_t((uint8_t(-29) << 8) | 10), {with_eot({})}));
    EXPECT_EQ(df.ticks_per_quarter, 300);
    EXPECT_TRUE(any_warning(df, "29.97")) << all_warnings(df);
    // Other frame rates, and zero ticks per frame, are refused.
    EXPECT_THROW(read(smf_bytes(0, uint16_t((uint8_t(-26) << 8) | 40), {with_eot({})})), fm::Error);
    EXPECT_THROW(read(smf_bytes(0, uint16_t((uint8_t(-25) << 8) | 0), {with_eot({})})), fm::Error);
}

TEST(MidiFile, TicksPerQuarter96And100) {
    for (uint16_t tpq : {96, 100}) {
        const fm::SmfFile smf = read(smf_bytes(1, tpq, {with_eot({0x60, 0x90, 0x3C, 0x64, 0x64, 0x80, 0x3C, 0x40})}));
        EXPECT_EQ(smf.ticks_per_quarter, tpq);
        EXPECT_FALSE(smf.smpte);
        const auto& ev = smf.tracks.at(0).events;
        ASSERT_EQ(ev.size(), 2u);
        EXPECT_EQ(ev[0].tick, 96);     // ticks are not rescaled
        EXPECT_EQ(ev[1].tick, 196);
    }
    EXPECT_THROW(read(smf_bytes(1, 0, {with_eot({})})), fm::Error);
}

TEST(MidiFile, UnknownChunkSkipped) {
    Bytes b = mthd(1, 2, 480);
    append(b, chunk("XFIH", {1, 2, 3, 4, 5}));
    append(b, mtrk(with_eot({0x00, 0x90, 0x3C, 0x64})));
    append(b, chunk("JUNK", {}));
    append(b, mtrk(with_eot({0x00, 0x91, 0x3E, 0x64})));
    const fm::SmfFile smf = read(b);
    ASSERT_EQ(smf.tracks.size(), 2u);
    EXPECT_EQ(smf.tracks[0].events.at(0).data1, 0x3C);
    EXPECT_EQ(smf.tracks[1].events.at(0).data1, 0x3E);
    EXPECT_TRUE(any_warning(smf, "XFIH")) << all_warnings(smf);
    EXPECT_TRUE(any_warning(smf, "JUNK")) << all_warnings(smf);
}

TEST(MidiFile, TruncatedTrackReadWithWarning) {
    // The track declares its full length but the file stops in the middle of the third event.
    const Bytes full = smf_bytes(0, 480, {with_eot({0x00, 0x90, 0x3C, 0x64, 0x10, 0x90, 0x3E, 0x64, 0x10, 0x80, 0x3C, 0x40})});
    const Bytes cut(full.begin(), full.begin() + 14 + 8 + 8 + 2);   // header, MTrk header, two events, 10 80
    const fm::SmfFile smf = read(cut);
    ASSERT_EQ(smf.tracks.size(), 1u);
    const auto& ev = smf.tracks[0].events;
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[1].data1, 0x3E);
    EXPECT_EQ(ev[1].tick, 16);
    EXPECT_FALSE(smf.warnings.empty());
    EXPECT_TRUE(any_warning(smf, "truncated")) << all_warnings(smf);
    EXPECT_TRUE(any_warning(smf, "declares")) << all_warnings(smf);

    // Truncated inside a meta event's payload, and a track without End of Track that ends cleanly.
    const Bytes meta_cut = [] {
        Bytes b = mthd(0, 1, 480);
        append(b, {'M', 'T', 'r', 'k', 0, 0, 0, 20, 0x00, 0x90, 0x3C, 0x64, 0x00, 0xFF, 0x01, 0x08, 'a', 'b'});
        return b;
    }();
    const fm::SmfFile m = read(meta_cut);
    ASSERT_EQ(m.tracks.at(0).events.size(), 1u);
    EXPECT_TRUE(any_warning(m, "truncated")) << all_warnings(m);
    const fm::SmfFile no_eot = read(smf_bytes(0, 480, {{0x00, 0x90, 0x3C, 0x64, 0x20, 0x80, 0x3C, 0x00}}));
    ASSERT_EQ(no_eot.tracks.at(0).events.size(), 2u);
    EXPECT_EQ(no_eot.tracks[0].end_tick, 32);
    EXPECT_TRUE(any_warning(no_eot, "End of Track")) << all_warnings(no_eot);
}

TEST(MidiFile, BytesAfterEndOfTrackIgnoredWithWarning) {
    Bytes events = with_eot({0x00, 0x90, 0x3C, 0x64, 0x10, 0x80, 0x3C, 0x40});
    append(events, {0x00, 0x90, 0x40, 0x64});   // never read: it follows End of Track inside the chunk
    Bytes b = mthd(1, 2, 480);
    append(b, mtrk(events));
    append(b, mtrk(with_eot({0x05, 0x91, 0x41, 0x22})));   // the next track is still found
    const fm::SmfFile smf = read(b);
    ASSERT_EQ(smf.tracks.size(), 2u);
    EXPECT_EQ(smf.tracks[0].events.size(), 2u);
    EXPECT_EQ(smf.tracks[0].end_tick, 16);
    expect_channel_event(smf.tracks[1].events.at(0), 5, 0x91, 0x41, 0x22);
    EXPECT_TRUE(any_warning(smf, "4 byte(s) after End of Track")) << all_warnings(smf);
}

TEST(MidiFile, SystemStatusBytesRejectedByName) {
    for (uint8_t status : {0xF1, 0xF2, 0xF8, 0xFE}) {
        char name[8];
        std::snprintf(name, sizeof name, "0x%02X", status);
        const std::string msg = read_error(smf_bytes(0, 480, {with_eot({0x00, 0x90, 0x3C, 0x64, 0x00, status, 0x00})}));
        EXPECT_TRUE(contains(msg, name)) << msg;
        EXPECT_TRUE(contains(msg, "byte 27")) << msg;   // 14 (MThd) + 8 (MTrk header) + 4 (first event) + 1 (delta)
    }
}

TEST(MidiFile, DataByteWithoutRunningStatusRejected) {
    const std::string msg = read_error(smf_bytes(0, 480, {with_eot({0x00, 0x3C, 0x64})}));
    EXPECT_TRUE(contains(msg, "0x3C")) << msg;
    EXPECT_TRUE(contains(msg, "no status")) << msg;
    // A meta event does not start a running status of its own.
    const std::string after_meta = read_error(smf_bytes(0, 480, {with_eot({0x00, 0xFF, 0x01, 0x00, 0x00, 0x3C, 0x64})}));
    EXPECT_TRUE(contains(after_meta, "no status")) << after_meta;
    // A status byte where a data byte belongs (90 3C 90 ...).
    EXPECT_THROW(read(smf_bytes(0, 480, {with_eot({0x00, 0x90, 0x3C, 0x90})})), fm::Error);
}

TEST(MidiFile, NotAMidiFileRejected) {
    EXPECT_TRUE(contains(read_error({}), "empty")) << read_error({});
    const Bytes text = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!', '!', '!', '!', '!'};
    EXPECT_TRUE(contains(read_error(text), "MThd")) << read_error(text);
    EXPECT_THROW(read({'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0}), fm::Error);           // header cut short
    EXPECT_THROW(read(mthd(0, 0, 480)), fm::Error);                                  // no track at all
    EXPECT_THROW(read(smf_bytes(3, 480, {with_eot({})})), fm::Error);               // format 3
    Bytes short_header = {'M', 'T', 'h', 'd', 0, 0, 0, 4, 0, 0, 0, 1, 0, 0};
    append(short_header, mtrk(kEndOfTrack));
    EXPECT_THROW(read(short_header), fm::Error);
}

TEST(MidiFile, RiffRmidWrapper) {
    const Bytes inner = smf_bytes(0, 480, {with_eot({0x00, 0x90, 0x3C, 0x64, 0x10, 0x80, 0x3C, 0x00})});
    auto le32 = [](Bytes& out, uint32_t v) {
        for (int i = 0; i < 4; ++i) out.push_back(uint8_t(v >> (8 * i)));
    };
    Bytes body = {'R', 'M', 'I', 'D'};
    // An odd-length chunk before "data": RIFF pads it to an even size.
    body.insert(body.end(), {'L', 'I', 'S', 'T'});
    le32(body, 3);
    body.insert(body.end(), {'x', 'y', 'z', 0});
    body.insert(body.end(), {'d', 'a', 't', 'a'});
    le32(body, uint32_t(inner.size()));
    append(body, inner);
    Bytes riff = {'R', 'I', 'F', 'F'};
    le32(riff, uint32_t(body.size()));
    append(riff, body);

    const fm::SmfFile smf = read(riff);
    ASSERT_EQ(smf.tracks.size(), 1u);
    ASSERT_EQ(smf.tracks[0].events.size(), 2u);
    expect_channel_event(smf.tracks[0].events[1], 16, 0x80, 0x3C, 0x00);
    EXPECT_TRUE(smf.warnings.empty()) << all_warnings(smf);

    // A RIFF RMID without a data chunk is refused.
    Bytes empty_riff = {'R', 'I', 'F', 'F'};
    le32(empty_riff, 4);
    empty_riff.insert(empty_riff.end(), {'R', 'M', 'I', 'D'});
    EXPECT_THROW(read(empty_riff), fm::Error);
}

TEST(MidiFile, WriteThenReadGivesTheSameEvents) {
    fm::SmfFile smf;
    smf.format = 1;
    smf.ticks_per_quarter = 384;
    auto ev = [](int64_t tick, uint8_t status, uint8_t d1, uint8_t d2 = 0, Bytes payload = {}) {
        fm::SmfEvent e;
        e.tick = tick, e.status = status, e.data1 = d1, e.data2 = d2, e.payload = std::move(payload);
        return e;
    };
    fm::SmfTrack meta;
    meta.events = {ev(0, 0xFF, 0x51, 0, {0x07, 0xA1, 0x20}), ev(0, 0xFF, 0x58, 0, {4, 2, 24, 8}),
                   ev(1536, 0xFF, 0x51, 0, {0x09, 0x27, 0xC0}), ev(1536, 0xFF, 0x03, 0, {'t', 'e', 's', 't'})};
    meta.end_tick = 4000;
    fm::SmfTrack notes;
    notes.events = {ev(0, 0xC3, 0x05), ev(0, 0x93, 60, 100), ev(0, 0x93, 64, 90), ev(10, 0xB3, 64, 127),
                    ev(200, 0x83, 60, 64), ev(200, 0x93, 60, 1), ev(300, 0xE3, 0x00, 0x40), ev(301, 0xD3, 0x33),
                    ev(302, 0xF0, 0, 0, {0x7E, 0x7F, 0x09, 0x01, 0xF7}), ev(500, 0x93, 60, 0),
                    ev(500 + 0x0FFFFFF0, 0x83, 64, 0)};   // a gap that needs a 4-byte VLQ
    notes.end_tick = 500 + 0x0FFFFFF0 + 7;
    fm::SmfTrack empty;   // an empty track: written as End of Track only
    smf.tracks = {meta, notes, empty};

    const Bytes bytes = fm::write_smf(smf);
    const fm::SmfFile back = read(bytes);
    EXPECT_TRUE(back.warnings.empty()) << all_warnings(back);
    EXPECT_EQ(back.format, 1);
    EXPECT_EQ(back.ticks_per_quarter, 384);
    ASSERT_EQ(back.tracks.size(), 3u);
    for (size_t t = 0; t < 3; ++t) {
        const auto& a = smf.tracks[t].events;
        const auto& b = back.tracks[t].events;
        ASSERT_EQ(a.size(), b.size()) << "track " << t;
        for (size_t i = 0; i < a.size(); ++i) {
            SCOPED_TRACE("track " + std::to_string(t) + " event " + std::to_string(i));
            EXPECT_EQ(b[i].tick, a[i].tick);
            EXPECT_EQ(b[i].status, a[i].status);
            EXPECT_EQ(b[i].data1, a[i].data1);
            EXPECT_EQ(b[i].data2, a[i].data2);
            EXPECT_EQ(b[i].payload, a[i].payload);
        }
        EXPECT_EQ(back.tracks[t].end_tick, smf.tracks[t].end_tick) << "track " << t;
    }
    // And bytes -> events -> bytes is stable.
    EXPECT_EQ(fm::write_smf(back), bytes);
}

TEST(MidiFile, WriteKeepsAnExplicitEndOfTrack) {
    fm::SmfTrack tr;
    fm::SmfEvent on;
    on.tick = 0, on.status = 0x90, on.data1 = 60, on.data2 = 100;
    fm::SmfEvent eot;
    eot.tick = 96, eot.status = 0xFF, eot.data1 = 0x2F;
    fm::SmfEvent after = on;   // after End of Track: not written
    after.tick = 200;
    tr.events = {on, eot, after};
    tr.end_tick = 1000;
    const fm::SmfFile back = read(fm::write_smf(fmtest::make_smf(0, 96, {tr})));
    ASSERT_EQ(back.tracks.size(), 1u);
    EXPECT_EQ(back.tracks[0].events.size(), 1u);
    EXPECT_EQ(back.tracks[0].end_tick, 96);
    EXPECT_TRUE(back.warnings.empty()) << all_warnings(back);
}

TEST(MidiFile, WriteRejectsUnwritableDivision) {
    EXPECT_THROW(fm::write_smf(fmtest::make_smf(1, 0, {fm::SmfTrack{}})), fm::Error);
    EXPECT_THROW(fm::write_smf(fmtest::make_smf(1, 0x8000, {fm::SmfTrack{}})), fm::Error);
}

TEST(MidiFile, FileRoundTripAndOverwrite) {
    const std::string dir = fmtest::temp_dir("midi_file");
    fmtest::TrackBuilder a;
    a.note(0, 480, 60, 100).tempo(0, 100);
    const std::string path = fmtest::write_midi(dir, "a.mid", fmtest::make_smf(0, 480, {a.build()}));
    const fm::SmfFile first = fm::read_smf_file(path);
    ASSERT_EQ(first.tracks.at(0).events.size(), 3u);

    fmtest::TrackBuilder b;
    b.note(0, 96, 72, 10).note(96, 192, 74, 20).end(400);
    fm::write_smf_file(path, fmtest::make_smf(1, 96, {b.build()}));
    const fm::SmfFile second = fm::read_smf_file(path);
    EXPECT_EQ(second.format, 1);
    EXPECT_EQ(second.ticks_per_quarter, 96);
    ASSERT_EQ(second.tracks.at(0).events.size(), 4u);
    EXPECT_EQ(second.tracks[0].events[2].data1, 74);
    EXPECT_EQ(second.tracks[0].end_tick, 400);
    // Only the file itself is left: no temporary files.
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    EXPECT_EQ(names, std::vector<std::string>{"a.mid"});
}

TEST(MidiFile, WriteIntoMissingFolderThrowsAndLeavesNothing) {
    const std::string dir = fmtest::temp_dir("midi_file");
    const std::string path = dir + "/missing/out.mid";
    try {
        fm::write_smf_file(path, fmtest::make_smf(0, 480, {fm::SmfTrack{}}));
        FAIL() << "no error writing " << path;
    } catch (const fm::Error& e) {
        EXPECT_EQ(e.file(), path);
    }
    EXPECT_FALSE(fs::exists(dir + "/missing"));
    EXPECT_TRUE(fs::is_empty(dir));
}

TEST(MidiFile, FailedReplaceLeavesNoTemporaryFile) {
    // The destination is a folder: the temporary file is written beside it, the rename fails, and the
    // temporary file must be removed again.
    const std::string dir = fmtest::temp_dir("midi_file");
    const std::string path = dir + "/taken";
    fs::create_directory(path);
    EXPECT_THROW(fm::write_smf_file(path, fmtest::make_smf(0, 480, {fm::SmfTrack{}})), fm::Error);
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    EXPECT_EQ(names, std::vector<std::string>{"taken"});
    EXPECT_TRUE(fs::is_directory(path));
}

TEST(MidiFile, ReadFileErrorsNameTheFile) {
    const std::string dir = fmtest::temp_dir("midi_file");
    const std::string missing = dir + "/nope.mid";
    try {
        fm::read_smf_file(missing);
        FAIL();
    } catch (const fm::Error& e) {
        EXPECT_EQ(e.file(), missing);
        EXPECT_EQ(std::string(e.what()).rfind(missing + ": ", 0), 0u) << e.what();
    }
    const std::string garbage = dir + "/garbage.mid";
    std::ofstream(garbage) << "not a midi file at all";
    try {
        fm::read_smf_file(garbage);
        FAIL();
    } catch (const fm::Error& e) {
        EXPECT_EQ(e.file(), garbage);
        EXPECT_TRUE(contains(e.reason(), "MThd")) << e.what();
    }
    EXPECT_THROW(fm::read_smf_file(dir), fm::Error);   // a folder
}
