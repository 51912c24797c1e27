// test_dataset.cpp — MIDI sources, the compact cache (build, reuse, corruption), crops, the split, the sampler.
//
// The songs are built here note by note. Each note's pitch, onset, length and velocity follow from its index,
// so every note differs from its neighbours and a crop that lands a step or a pitch off fails exactly; the
// reference for every crop is the file converted directly (fm::load_midi(...).roll through fm::crop).
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/dataset.h"
#include "core/dataset_cache.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/midi_roll.h"
#include "support/test_support.h"

namespace fs = std::filesystem;

namespace {

constexpr int kTpq = 480;
constexpr int kStep = kTpq / fm::kStepsPerQuarter;   // ticks per 1/16 step

struct N {   // a note in steps
    int pitch, start, end, velocity;
};

std::string write_song(const std::string& dir, const std::string& name, const std::vector<N>& notes, int end_step = 0,
                       int channel = 0) {
    fmtest::TrackBuilder t;
    t.tempo(0, 120);
    for (const N& n : notes) t.note(int64_t(n.start) * kStep, int64_t(n.end) * kStep, n.pitch, n.velocity, channel);
    if (end_step > 0) t.end(int64_t(end_step) * kStep);
    fs::create_directories(fs::path(dir + "/" + name).parent_path());
    return fmtest::write_midi(dir, name, fmtest::make_smf(1, kTpq, {t.build()}));
}

// `count` notes spread over the song; `salt` makes songs differ. Includes overlaps, re-strikes and a long note.
std::vector<N> coded_notes(int count, int salt = 0, int low = 30, int span = 70) {
    std::vector<N> v;
    for (int k = 0; k < count; ++k) {
        const int pitch = low + (k * 7 + salt * 3) % span;
        const int start = k * 3 + (k % 4 == 1 ? 1 : 0);
        const int len = 1 + (k * 5 + salt) % 6;
        v.push_back({pitch, start, start + len, 1 + (k * 13 + salt * 17) % 127});
    }
    v.push_back({low + span / 2, 2, 2 + 3 * count / 2, 99});   // a long note, sounding into many later windows
    v.push_back({low + 1, 5, 9, 80});                          // a re-strike of a sounding pitch
    v.push_back({low + 1, 7, 12, 80});
    return v;
}

void set_mtime_later(const std::string& path, int seconds) {
    fs::last_write_time(path, fs::last_write_time(path) + std::chrono::seconds(seconds));
}

std::vector<uint8_t> bytes_of(const std::string& path) { return fm::read_file_bytes(path); }
void put_bytes(const std::string& path, const std::vector<uint8_t>& b) {
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(b.data()), long(b.size()));
}

std::string open_error(const std::string& cache) {
    try {
        fm::Dataset::open(cache);
    } catch (const fm::Error& e) {
        return e.what();
    }
    return "(no fm::Error thrown)";
}

// The cache's checksum recomputed, so a test can forge a file whose only fault is its structure.
void fix_checksum(std::vector<uint8_t>& b) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < b.size(); ++i)
        if (i < 72 || i >= 80) h = (h ^ b[i]) * 0x100000001b3ULL;
    for (int i = 0; i < 8; ++i) b[72 + i] = uint8_t(h >> (8 * i));
}
void put32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + i] = uint8_t(v >> (8 * i));
}

bool any_note(const fm::Roll& r) {
    return std::any_of(r.cells.begin(), r.cells.end(), [](float v) { return v > 0.0f; });
}

// Pitch-shifted copy of a roll (rows moved by `shift`, rows shifted out dropped).
fm::Roll shifted(const fm::Roll& r, int shift) {
    fm::Roll out(r.width);
    for (int p = 0; p < fm::kPitches; ++p)
        if (p + shift >= 0 && p + shift < fm::kPitches)
            for (int t = 0; t < r.width; ++t) out.at(p + shift, t) = r.at(p, t);
    return out;
}

fm::CacheSummary build(const std::string& src, const std::string& cache, const fm::CacheOptions& opt = {}) {
    return fm::build_cache(src, cache, opt);
}

}  // namespace

// ---------------------------------------------------------------- sources

TEST(DatasetSources, FolderIsSearchedRecursivelyForAnyCaseOfExtension) {
    const std::string d = fmtest::temp_dir("src");
    write_song(d, "b.mid", {{60, 0, 4, 100}});
    write_song(d, "sub/A.MID", {{60, 0, 4, 100}});
    write_song(d, "sub/deeper/c.Midi", {{60, 0, 4, 100}});
    write_song(d, "sub/notes.txt", {{60, 0, 4, 100}});     // not MIDI by name
    write_song(d, "d.mid.bak", {{60, 0, 4, 100}});
    const auto paths = fm::list_midi_sources(d);
    const std::string root = fs::path(d).lexically_normal().string();
    EXPECT_EQ(paths, (std::vector<std::string>{root + "/b.mid", root + "/sub/A.MID", root + "/sub/deeper/c.Midi"}));
}

TEST(DatasetSources, ListFileResolvesRelativePathsFromItsFolder) {
    const std::string d = fmtest::temp_dir("list");
    const std::string a = write_song(d, "songs/a.mid", {{60, 0, 4, 100}});
    const std::string b = write_song(d, "songs/b.midi", {{60, 0, 4, 100}});
    const std::string c = write_song(d, "other/c.mid", {{60, 0, 4, 100}});
    fs::create_directories(d + "/lists");
    std::ofstream(d + "/lists/train.txt") << "# training files\n\n../songs/b.midi\r\n  ../songs/a.mid  \n" << c
                                          << "\n../songs/a.mid\n# ../songs/commented.mid\n";
    const auto paths = fm::list_midi_sources(d + "/lists/train.txt");
    EXPECT_EQ(paths, (std::vector<std::string>{fs::path(c).lexically_normal().string(),
                                               fs::path(a).lexically_normal().string(),
                                               fs::path(b).lexically_normal().string()}));
    for (const auto& p : paths) EXPECT_TRUE(fs::path(p).is_absolute()) << p;
}

TEST(DatasetSources, MissingSourceOrNoMidiIsAClearError) {
    const std::string d = fmtest::temp_dir("nosrc");
    try {
        fm::list_midi_sources(d + "/nowhere");
        FAIL() << "no error";
    } catch (const fm::Error& e) {
        EXPECT_NE(std::string(e.what()).find("no such folder or list file"), std::string::npos) << e.what();
    }
    fs::create_directories(d + "/empty/sub");
    std::ofstream(d + "/empty/sub/readme.txt") << "nothing\n";
    try {
        fm::list_midi_sources(d + "/empty");
        FAIL() << "no error";
    } catch (const fm::Error& e) {
        EXPECT_NE(std::string(e.what()).find("no MIDI file"), std::string::npos) << e.what();
    }
    std::ofstream(d + "/only_comments.txt") << "# nothing here\n\n";
    EXPECT_THROW(fm::list_midi_sources(d + "/only_comments.txt"), fm::Error);
    EXPECT_THROW(fm::build_cache(d + "/empty", d + "/x.fmcache"), fm::Error);
    EXPECT_FALSE(fs::exists(d + "/x.fmcache"));
}

// ---------------------------------------------------------------- cache contents and crops

TEST(DatasetCache, CropsEqualTheDirectlyConvertedRoll) {
    const std::string d = fmtest::temp_dir("crop");
    std::vector<std::string> songs;
    for (int s = 0; s < 3; ++s) songs.push_back(write_song(d, "song" + std::to_string(s) + ".mid", coded_notes(60 + 20 * s, s)));
    songs.push_back(write_song(d, "short.mid", {{64, 1, 3, 90}, {67, 2, 6, 91}}, 20));   // shorter than a crop
    std::sort(songs.begin(), songs.end());   // the dataset's order
    const fm::CacheSummary s = build(d, d + "/c.fmcache");
    EXPECT_EQ(s.files, 4);
    EXPECT_EQ(s.usable, 4);
    EXPECT_EQ(s.failed + s.empty + s.reused, 0);

    const fm::Dataset ds = fm::Dataset::open(d + "/c.fmcache");
    ASSERT_EQ(ds.size(), 4);
    int64_t notes = 0, steps = 0;
    for (int i = 0; i < ds.size(); ++i) {
        const fm::DatasetFile f = ds.file(i);
        const fm::MidiRoll m = fm::load_midi(f.path);
        EXPECT_EQ(f.path, songs[size_t(i)]);
        EXPECT_EQ(f.width, m.roll.width);
        EXPECT_EQ(f.note_count, int(m.notes.size()));
        notes += f.note_count, steps += f.width;

        std::vector<fm::StepNote> by_start = m.notes;
        std::stable_sort(by_start.begin(), by_start.end(), [](auto& a, auto& b) {
            return a.start != b.start ? a.start < b.start : a.pitch < b.pitch;
        });
        EXPECT_EQ(ds.notes(i), by_start);

        int lo = 127, hi = 0;
        for (const auto& n : m.notes) lo = std::min(lo, n.pitch), hi = std::max(hi, n.pitch);
        EXPECT_EQ(ds.pitch_range(i), std::make_pair(lo, hi));

        for (int offset : {-8, 0, 1, 3, 17, 32, 64, 100, m.roll.width - 16, m.roll.width - 1, m.roll.width + 4})
            for (int width : {4, 16, 128}) {
                const fm::Roll want = fm::crop(m.roll, offset, width);
                ASSERT_EQ(ds.crop(i, offset, width), want) << "file " << i << " offset " << offset << " width " << width;
                EXPECT_EQ(ds.has_notes(i, offset, width), any_note(want)) << offset << " " << width;
                for (int shift : {-5, 7, -40, 60})
                    ASSERT_EQ(ds.crop(i, offset, width, shift), shifted(want, shift)) << "shift " << shift;
            }
    }
    EXPECT_EQ(s.notes, notes);
    EXPECT_EQ(s.steps, steps);
    EXPECT_THROW(ds.crop(4, 0, 16), fm::Error);
    EXPECT_THROW(ds.file(-1), fm::Error);
}

TEST(DatasetCache, LongNoteIsFoundInAWindowFarFromItsOnset) {
    const std::string d = fmtest::temp_dir("long");
    write_song(d, "a.mid", {{50, 0, 400, 64}, {70, 10, 11, 30}, {72, 300, 302, 31}});
    build(d, d + "/c.fmcache");
    const fm::Dataset ds = fm::Dataset::open(d + "/c.fmcache");
    const fm::Roll r = ds.crop(0, 200, 16);
    for (int t = 0; t < 16; ++t) EXPECT_FLOAT_EQ(r.at(50, t), 64 / 127.0f);
    EXPECT_TRUE(ds.has_notes(0, 200, 4));
    EXPECT_EQ(ds.pitch_range(0, 200, 16), std::make_pair(50, 50));
    EXPECT_EQ(ds.pitch_range(0, 296, 8), std::make_pair(50, 72));
    EXPECT_EQ(ds.pitch_range(0, 400, 8).first, 128);   // silent window: lo > hi
    EXPECT_FALSE(ds.has_notes(0, 400, 8));
}

TEST(DatasetCache, CacheIsNotesNotDenseRolls) {
    const std::string d = fmtest::temp_dir("size");
    write_song(d, "a.mid", coded_notes(500));
    const fm::CacheSummary s = build(d, d + "/c.fmcache");
    const auto size = fs::file_size(d + "/c.fmcache");
    EXPECT_LE(size, 80u + 56u + 8u * uint64_t(s.notes) + 200u);   // header, one entry, 8 bytes a note, the path
    EXPECT_LT(size * 10, uint64_t(s.steps) * 128u);               // a tenth of the dense 8-bit roll
}

// ---------------------------------------------------------------- rebuilds

TEST(DatasetCache, OnlyChangedFilesAreReadAgain) {
    const std::string d = fmtest::temp_dir("rebuild");
    const std::string cache = fmtest::temp_dir("rebuild-cache") + "/c.fmcache";   // outside the source folder
    const std::string a = write_song(d, "a.mid", coded_notes(40, 1));
    const std::string b = write_song(d, "b.mid", coded_notes(40, 2));
    write_song(d, "c.mid", coded_notes(40, 3));
    fm::CacheSummary s = build(d, cache);
    EXPECT_EQ(s.reused, 0);
    EXPECT_EQ(s.usable, 3);
    EXPECT_TRUE(fm::cache_is_current(d, cache));

    const std::vector<uint8_t> first = bytes_of(cache);
    const auto first_time = fs::last_write_time(cache);
    s = build(d, cache);   // nothing changed: everything reused, the file left as it was
    EXPECT_EQ(s.reused, 3);
    EXPECT_EQ(bytes_of(cache), first);
    EXPECT_EQ(fs::last_write_time(cache), first_time);
    EXPECT_EQ(s.usable, 3);
    EXPECT_TRUE(fm::cache_is_current(d, cache));

    // b gets other velocities (same size), and a later mtime.
    std::vector<N> changed = coded_notes(40, 2);
    for (N& n : changed) n.velocity = 128 - n.velocity;
    write_song(d, "b.mid", changed);
    set_mtime_later(b, 10);
    EXPECT_FALSE(fm::cache_is_current(d, cache));
    s = build(d, cache);
    EXPECT_EQ(s.reused, 2);
    EXPECT_EQ(s.usable, 3);
    {
        const fm::Dataset ds = fm::Dataset::open(cache);
        ASSERT_EQ(ds.size(), 3);
        EXPECT_EQ(ds.file(1).path, b);
        const fm::Roll want = fm::load_midi(b).roll;
        EXPECT_EQ(ds.crop(1, 0, want.width), want);
    }
    // Only touching a file (same bytes, new mtime) reads it again too.
    set_mtime_later(a, 20);
    EXPECT_EQ(build(d, cache).reused, 2);

    // A new file is read; a removed one disappears.
    const std::string e = write_song(d, "sub/e.mid", coded_notes(30, 5));
    fs::remove(a);
    EXPECT_FALSE(fm::cache_is_current(d, cache));
    s = build(d, cache);
    EXPECT_EQ(s.files, 3);
    EXPECT_EQ(s.reused, 2);
    EXPECT_TRUE(fm::cache_is_current(d, cache));
    const fm::Dataset ds = fm::Dataset::open(cache);
    ASSERT_EQ(ds.size(), 3);
    for (int i = 0; i < ds.size(); ++i) EXPECT_NE(ds.file(i).path, a);
    EXPECT_EQ(ds.file(2).path, e);

    // Other import options: nothing reused, and the cache is not current for them.
    fm::CacheOptions drums;
    drums.import.keep_drums = true;
    EXPECT_FALSE(fm::cache_is_current(d, cache, drums));
    EXPECT_EQ(build(d, cache, drums).reused, 0);
    EXPECT_TRUE(fm::cache_is_current(d, cache, drums));
    EXPECT_FALSE(fm::cache_is_current(d, cache));
    fm::CacheOptions aligned;   // the beats on the quarters: another import too
    aligned.import.align_beats = true;
    EXPECT_FALSE(fm::cache_is_current(d, cache, aligned));
    EXPECT_EQ(build(d, cache, aligned).reused, 0);
    EXPECT_TRUE(fm::cache_is_current(d, cache, aligned));
}

TEST(DatasetCache, FailedAndEmptyFilesAreCountedAndLeftOut) {
    const std::string d = fmtest::temp_dir("fail");
    write_song(d, "good.mid", coded_notes(30));
    const std::string garbage = d + "/garbage.mid";
    std::ofstream(garbage) << "this is not a MIDI file at all";
    write_song(d, "silent.mid", {}, 64);                        // a tempo and End of Track, no notes
    write_song(d, "drums.mid", {{36, 0, 2, 100}, {38, 4, 6, 100}}, 0, 9);   // channel 10 only
    std::ofstream(d + "/list.txt") << "good.mid\ngarbage.mid\nsilent.mid\ndrums.mid\nmissing.mid\n";

    for (int run = 0; run < 2; ++run) {   // the second run reuses them all and reports the same
        const fm::CacheSummary s = build(d + "/list.txt", d + "/c.fmcache");
        EXPECT_EQ(s.files, 5);
        EXPECT_EQ(s.usable, 1);
        EXPECT_EQ(s.empty, 2);
        EXPECT_EQ(s.failed, 2);
        EXPECT_EQ(s.reused, run == 0 ? 0 : 4);   // the missing file is tried again each time
        ASSERT_EQ(s.failures.size(), 2u);
        EXPECT_EQ(s.failures[0].path, garbage);
        EXPECT_FALSE(s.failures[0].reason.empty());
        EXPECT_EQ(s.failures[0].reason.find(garbage), std::string::npos) << "the reason repeats the path";
        EXPECT_EQ(s.failures[1].path, fs::path(d + "/missing.mid").lexically_normal().string());
        EXPECT_NE(s.failures[1].reason.find("no such file"), std::string::npos) << s.failures[1].reason;
    }
    const fm::Dataset ds = fm::Dataset::open(d + "/c.fmcache");
    ASSERT_EQ(ds.size(), 1);
    EXPECT_EQ(ds.file(0).path, fs::path(d + "/good.mid").lexically_normal().string());

    fm::CacheOptions drums;
    drums.import.keep_drums = true;
    const fm::CacheSummary s = build(d + "/list.txt", d + "/c.fmcache", drums);
    EXPECT_EQ(s.usable, 2);
    EXPECT_EQ(s.empty, 1);
}

// ---------------------------------------------------------------- bad caches

TEST(DatasetCache, TruncatedOrCorruptCacheIsRejected) {
    const std::string d = fmtest::temp_dir("corrupt");
    for (int s = 0; s < 3; ++s) write_song(d, "s" + std::to_string(s) + ".mid", coded_notes(50, s));
    const std::string cache = d + "/c.fmcache", bad = d + "/bad.fmcache";
    build(d, cache);
    const std::vector<uint8_t> good = bytes_of(cache);
    ASSERT_GT(good.size(), 200u);
    ASSERT_EQ(fm::Dataset::open(cache).size(), 3);

    for (size_t len : {size_t(0), size_t(1), size_t(7), size_t(8), size_t(12), size_t(40), size_t(79), size_t(80),
                       size_t(81), good.size() / 2, good.size() - 9, good.size() - 1}) {
        put_bytes(bad, std::vector<uint8_t>(good.begin(), good.begin() + long(len)));
        const std::string why = open_error(bad);
        EXPECT_NE(why.find("rebuild it with `fractalmidi dataset"), std::string::npos) << len << ": " << why;
        EXPECT_FALSE(fm::cache_is_current(d, bad));
    }
    std::vector<uint8_t> b = good;
    b[0] ^= 0xFF;
    put_bytes(bad, b);
    EXPECT_NE(open_error(bad).find("not a FractalMIDI dataset cache"), std::string::npos) << open_error(bad);

    b = good;
    put32(b, 8, fm::kCacheVersion + 1);
    put_bytes(bad, b);
    EXPECT_NE(open_error(bad).find("format version " + std::to_string(fm::kCacheVersion + 1)), std::string::npos);
    EXPECT_NE(open_error(bad).find("fractalmidi dataset"), std::string::npos);

    for (size_t at : {size_t(100), good.size() / 2, good.size() - 1}) {   // any flipped bit: the checksum
        b = good;
        b[at] ^= 0x10;
        put_bytes(bad, b);
        EXPECT_NE(open_error(bad).find("corrupt dataset cache"), std::string::npos) << at << ": " << open_error(bad);
    }
    // Forged files with a right checksum but impossible structure: rejected, never read out of bounds.
    const size_t entry0 = fm::kCacheHeaderSize;
    const std::vector<std::pair<size_t, uint32_t>> forgeries = {
        {20, 1000000},                  // entry count
        {32, 0xFFFFFF00u},              // entries offset (low word)
        {36, 1},                        // entries offset (high word)
        {48, 3},                        // note count smaller than the entries need
        {60, 7},                        // strings offset far beyond the end
        {entry0 + 16, 999999},          // first note
        {entry0 + 24, 0},               // a usable file with no notes
        {entry0 + 24, 0x7FFFFFFF},      // note count
        {entry0 + 28, 1},               // width shorter than the notes
        {entry0 + 32, 0},               // max note length shorter than the notes
        {entry0 + 36, 0xFFFFFFF0u},     // path offset
        {entry0 + 40, 0x7FFFFFFF},      // path length
        {entry0 + 52, 7},               // status
        {entry0 + 52, 0x00FF0000u},     // highest pitch 255
    };
    for (const auto& [at, value] : forgeries) {
        b = good;
        put32(b, at, value);
        fix_checksum(b);
        put_bytes(bad, b);
        EXPECT_NE(open_error(bad).find("dataset cache"), std::string::npos) << at << " " << value << ": " << open_error(bad);
    }
    // A note out of order (notes section starts after the entries).
    b = good;
    const size_t notes_at = fm::kCacheHeaderSize + 3 * fm::kCacheEntrySize;
    std::swap_ranges(b.begin() + long(notes_at), b.begin() + long(notes_at + 8), b.begin() + long(notes_at + 80));
    fix_checksum(b);
    put_bytes(bad, b);
    EXPECT_NE(open_error(bad).find("note"), std::string::npos) << open_error(bad);

    // A bad cache in the way of a build is simply replaced.
    const fm::CacheSummary s = build(d, bad);
    EXPECT_EQ(s.reused, 0);
    EXPECT_EQ(fm::Dataset::open(bad).size(), 3);
    EXPECT_NE(open_error(d + "/absent.fmcache").find("no such dataset cache"), std::string::npos);
}

TEST(DatasetCache, RandomDamageIsRejectedOrHarmless) {
    const std::string d = fmtest::temp_dir("damage");
    for (int s = 0; s < 3; ++s) write_song(d, "s" + std::to_string(s) + ".mid", coded_notes(30, s));
    const std::string cache = d + "/c.fmcache", bad = d + "/bad.fmcache";
    build(d, cache);
    const std::vector<uint8_t> good = bytes_of(cache);
    std::mt19937 rng(5);
    int opened = 0;
    for (int k = 0; k < 1500; ++k) {   // 1-3 random bytes changed, the checksum made right again
        std::vector<uint8_t> b = good;
        for (int m = 1 + int(rng() % 3); m > 0; --m) {
            const size_t at = k % 2 ? rng() % (80 + 3 * 56) : rng() % b.size();   // half aimed at the header and entries
            if (at < 72 || at >= 80) b[at] = uint8_t(rng());
        }
        fix_checksum(b);
        if (k == 0) put_bytes(bad, b);
        else   // same size: overwrite in place (a truncating rewrite makes ext4 flush on every close)
            std::fstream(bad, std::ios::binary | std::ios::in | std::ios::out).write(reinterpret_cast<const char*>(b.data()), long(b.size()));
        try {
            const fm::Dataset ds = fm::Dataset::open(bad);
            ++opened;
            for (int i = 0; i < ds.size(); ++i) {
                for (int offset : {-4, 0, 50, ds.file(i).width - 1}) ds.crop(i, offset, 64, 3);
                EXPECT_EQ(int(ds.notes(i).size()), ds.file(i).note_count);
            }
            if (ds.size() > 0) {
                fm::CropSampler sampler(ds, {0}, {32, 2, uint64_t(k)});
                for (int n = 0; n < 5; ++n) EXPECT_TRUE(any_note(sampler.next()));
            }
        } catch (const fm::Error& e) {
            EXPECT_NE(std::string(e.what()).find("dataset cache"), std::string::npos) << e.what();
        }
    }
    EXPECT_GT(opened, 0);   // some changes (an mtime, a velocity) leave a valid file
}

TEST(DatasetCache, FailedWriteLeavesTheOldCache) {
    const std::string d = fmtest::temp_dir("full");
    write_song(d, "a.mid", coded_notes(20));
    const std::string cache = d + "/c.fmcache";
    build(d, cache);
    const std::vector<uint8_t> before = bytes_of(cache);
    write_song(d, "b.mid", coded_notes(400, 1));   // the new cache needs a few kB more

    // A full disk, simulated by a file size limit: the write fails with EFBIG instead of SIGXFSZ.
    struct rlimit old {};
    ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
    auto* old_handler = signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old;
    small.rlim_cur = before.size() + 100;
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
    std::string why;
    try {
        build(d, cache);
    } catch (const fm::Error& e) {
        why = e.what();
    }
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, old_handler);
    EXPECT_NE(why.find("unchanged"), std::string::npos) << why;
    EXPECT_EQ(bytes_of(cache), before);
    for (const auto& entry : fs::directory_iterator(d))
        EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << entry.path();
    EXPECT_EQ(fm::Dataset::open(cache).size(), 1);
}

// ---------------------------------------------------------------- progress and cancel

TEST(DatasetCache, ProgressCountsFilesAndCancelWritesNothing) {
    const std::string d = fmtest::temp_dir("cancel");
    for (int s = 0; s < 5; ++s) write_song(d, "s" + std::to_string(s) + ".mid", coded_notes(20, s));
    const std::string cache = d + "/c.fmcache";

    std::vector<int> steps;
    fm::build_cache(d, cache, {}, [&](const fm::Progress& p) {
        EXPECT_EQ(p.level, 0);
        EXPECT_EQ(p.of, 5);
        steps.push_back(p.step);
    });
    EXPECT_EQ(steps, (std::vector<int>{0, 1, 2, 3, 4, 5}));
    const std::vector<uint8_t> before = bytes_of(cache);

    write_song(d, "s5.mid", coded_notes(20, 5));
    fm::CancelFlag cancel{false};
    const fm::CacheSummary s = fm::build_cache(d, cache, {}, [&](const fm::Progress& p) {
        if (p.step == 2) cancel = true;
    }, &cancel);
    EXPECT_TRUE(s.cancelled);
    EXPECT_EQ(bytes_of(cache), before);   // the old cache stays as it was

    const std::string fresh = d + "/fresh.fmcache";
    fm::CancelFlag at_once{true};
    EXPECT_TRUE(fm::build_cache(d, fresh, {}, {}, &at_once).cancelled);
    EXPECT_FALSE(fs::exists(fresh));
}

// ---------------------------------------------------------------- split

namespace {
std::map<std::string, bool> sides(const fm::Dataset& ds, const fm::Split& s, const std::string& root) {
    std::map<std::string, bool> m;   // path relative to root -> in validation
    for (int i : s.train) m[fs::path(ds.file(i).path).lexically_relative(root).string()] = false;
    for (int i : s.val) m[fs::path(ds.file(i).path).lexically_relative(root).string()] = true;
    return m;
}
}  // namespace

TEST(DatasetSplit, ByFileDeterministicAndStableWhenFilesAreAdded) {
    const std::string d = fmtest::temp_dir("split");
    for (int s = 0; s < 40; ++s) write_song(d, "corpus/" + std::to_string(s) + ".mid", {{60 + s % 20, 0, 4, 100}});
    build(d + "/corpus", d + "/c.fmcache");
    const fm::Dataset ds = fm::Dataset::open(d + "/c.fmcache");
    ASSERT_EQ(ds.size(), 40);

    const fm::Split a = fm::split_files(ds, 0.25, 42);
    EXPECT_EQ(a.train.size() + a.val.size(), 40u);
    EXPECT_GE(a.val.size(), 3u);
    EXPECT_LE(a.val.size(), 20u);
    std::set<int> all(a.train.begin(), a.train.end());
    all.insert(a.val.begin(), a.val.end());
    EXPECT_EQ(all.size(), 40u);
    const fm::Split again = fm::split_files(ds, 0.25, 42);
    EXPECT_EQ(again.train, a.train);
    EXPECT_EQ(again.val, a.val);
    EXPECT_NE(fm::split_files(ds, 0.25, 43).val, a.val);
    EXPECT_TRUE(fm::split_files(ds, 0.0, 42).val.empty());
    EXPECT_TRUE(fm::split_files(ds, 1.0, 42).train.empty());
    EXPECT_THROW(fm::split_files(ds, 1.5, 42), fm::Error);
    // A larger fraction only moves files from train to validation.
    const fm::Split more = fm::split_files(ds, 0.5, 42);
    for (int i : a.val) EXPECT_NE(std::find(more.val.begin(), more.val.end(), i), more.val.end());

    // Ten more files (one in a subfolder): every old file keeps its side.
    for (int s = 40; s < 50; ++s) write_song(d, "corpus/" + std::string(s == 45 ? "sub/" : "") + std::to_string(s) + ".mid", {{60, 0, 4, 100}});
    build(d + "/corpus", d + "/c.fmcache");
    const fm::Dataset bigger = fm::Dataset::open(d + "/c.fmcache");
    ASSERT_EQ(bigger.size(), 50);
    const auto old_sides = sides(ds, a, d + "/corpus");
    const auto new_sides = sides(bigger, fm::split_files(bigger, 0.25, 42), d + "/corpus");
    for (const auto& [path, val] : old_sides) EXPECT_EQ(new_sides.at(path), val) << path;

    // The same corpus elsewhere splits the same way (paths count from the corpus's own folder).
    fs::create_directories(d + "/moved/deeper");
    fs::copy(d + "/corpus", d + "/moved/deeper/corpus", fs::copy_options::recursive);
    build(d + "/moved/deeper/corpus", d + "/m.fmcache");
    const fm::Dataset moved = fm::Dataset::open(d + "/m.fmcache");
    EXPECT_EQ(sides(moved, fm::split_files(moved, 0.25, 42), d + "/moved/deeper/corpus"), new_sides);
}

// ---------------------------------------------------------------- sampler

TEST(DatasetSampler, DeterministicForASeedAndEqualToCrop) {
    const std::string d = fmtest::temp_dir("sampler");
    for (int s = 0; s < 4; ++s) write_song(d, "s" + std::to_string(s) + ".mid", coded_notes(100 + 30 * s, s));
    build(d, d + "/c.fmcache");
    const fm::Dataset ds = fm::Dataset::open(d + "/c.fmcache");
    fm::CropSampler x(ds, {0, 1, 2, 3}, {64, 5, 7}), y(ds, {0, 1, 2, 3}, {64, 5, 7}), z(ds, {0, 1, 2, 3}, {64, 5, 8});
    int differ = 0;
    std::set<int> files_seen;
    for (int k = 0; k < 50; ++k) {
        const fm::Roll a = x.next(), b = y.next(), c = z.next();
        ASSERT_EQ(a, b);
        EXPECT_EQ(x.last_file(), y.last_file());
        EXPECT_EQ(x.last_offset(), y.last_offset());
        EXPECT_EQ(x.last_shift(), y.last_shift());
        differ += a != c;
        files_seen.insert(x.last_file());
        EXPECT_EQ(a.width, 64);
        EXPECT_EQ(a, ds.crop(x.last_file(), x.last_offset(), 64, x.last_shift()));
        EXPECT_GE(x.last_offset(), 0);
        EXPECT_LE(x.last_offset(), std::max(0, ds.file(x.last_file()).width - 64));
        EXPECT_LE(std::abs(x.last_shift()), 5);
    }
    EXPECT_GT(differ, 40);
    EXPECT_EQ(files_seen.size(), 4u);
}

TEST(DatasetSampler, NeverAllSilentAndShortFilesArePadded) {
    const std::string d = fmtest::temp_dir("silent");
    write_song(d, "sparse.mid", {{60, 1000, 1001, 100}}, 4000);   // one note in 4000 steps
    write_song(d, "short.mid", {{62, 2, 10, 50}}, 20);             // shorter than a crop
    build(d, d + "/c.fmcache");
    const fm::Dataset ds = fm::Dataset::open(d + "/c.fmcache");
    ASSERT_EQ(ds.size(), 2);
    fm::CropSampler sampler(ds, {0, 1}, {128, 0, 1});
    int from_short = 0;
    for (int k = 0; k < 300; ++k) {
        const fm::Roll r = sampler.next();
        ASSERT_EQ(r.width, 128);
        ASSERT_TRUE(any_note(r)) << "crop " << k << " of file " << sampler.last_file() << " at " << sampler.last_offset();
        if (ds.file(sampler.last_file()).path.find("short") != std::string::npos) {
            ++from_short;
            EXPECT_EQ(sampler.last_offset(), 0);
            for (int p = 0; p < fm::kPitches; ++p)
                for (int t = 20; t < 128; ++t) ASSERT_EQ(r.at(p, t), 0.0f);
        } else {
            EXPECT_LE(sampler.last_offset(), 1000);
            EXPECT_GT(sampler.last_offset(), 1000 - 128);
        }
    }
    EXPECT_GT(from_short, 100);   // uniform over files, whatever their lengths
    EXPECT_LT(from_short, 200);
}

TEST(DatasetSampler, AlignedCropsStartOnBarLinesAndStillHoldNotes) {
    const std::string d = fmtest::temp_dir("align");
    std::vector<N> busy;
    for (int k = 0; k < 200; ++k) busy.push_back({60 + k % 5, 3 * k, 3 * k + 2, 80});   // notes everywhere
    write_song(d, "busy.mid", busy);
    write_song(d, "sparse.mid", {{60, 1000, 1001, 100}}, 4000);   // one note, off the bar grid
    build(d, d + "/c.fmcache");
    const fm::Dataset ds = fm::Dataset::open(d + "/c.fmcache");
    fm::CropOptions o;
    o.crop_length = 64, o.seed = 5, o.align = fm::kStepsPerBar;
    fm::CropSampler sampler(ds, {0, 1}, o);
    std::set<int> offsets;
    for (int k = 0; k < 300; ++k) {
        const fm::Roll r = sampler.next();
        EXPECT_EQ(sampler.last_offset() % fm::kStepsPerBar, 0) << "crop " << k;
        EXPECT_TRUE(any_note(r)) << "crop " << k;
        if (ds.file(sampler.last_file()).path.find("busy") != std::string::npos) offsets.insert(sampler.last_offset());
    }
    EXPECT_GT(offsets.size(), 20u);   // aligned, yet spread over the file
}

// Found while writing tests/fuzz/fuzz_dataset_cache.cpp: 70 steps, crops of 64 aligned to bars, so the last
// aligned window is [0, 64) and the file's only note (65..70) lies past it; the sampler used to return that
// window, silent. Now it takes the note's own bar, [64, 128), padded past the end.
TEST(DatasetSampler, AlignedCropHoldsANotePastTheLastWholeWindow) {
    const std::string d = fmtest::temp_dir("align-tail");
    write_song(d, "tail.mid", {{60, 65, 70, 100}}, 70);
    build(d, d + "/c.fmcache");
    const fm::Dataset ds = fm::Dataset::open(d + "/c.fmcache");
    ASSERT_EQ(ds.file(0).width, 70);
    fm::CropOptions o;
    o.crop_length = 64, o.pitch_shift = 5, o.seed = 1, o.align = fm::kStepsPerBar;
    fm::CropSampler sampler(ds, {0}, o);
    for (int k = 0; k < 20; ++k) {
        const fm::Roll r = sampler.next();
        ASSERT_TRUE(any_note(r)) << "crop " << k << " at " << sampler.last_offset();
        EXPECT_EQ(sampler.last_offset(), 64);
        EXPECT_EQ(r, ds.crop(0, 64, 64, sampler.last_shift()));
    }
}

TEST(DatasetSampler, PitchShiftKeepsEveryNoteOfTheWindow) {
    const std::string d = fmtest::temp_dir("shift");
    std::vector<N> high, low;
    for (int k = 0; k < 64; ++k) high.push_back({118 + k % 8, 4 * k, 4 * k + 2, 90});   // 118..125
    for (int k = 0; k < 64; ++k) low.push_back({1 + k % 6, 4 * k, 4 * k + 3, 60});      // 1..6
    write_song(d, "high.mid", high);
    write_song(d, "low.mid", low);
    build(d, d + "/c.fmcache");
    const fm::Dataset ds = fm::Dataset::open(d + "/c.fmcache");
    fm::CropSampler sampler(ds, {0, 1}, {32, 12, 3});
    std::set<int> shifts;
    for (int k = 0; k < 400; ++k) {
        const fm::Roll r = sampler.next();
        const int f = sampler.last_file(), o = sampler.last_offset(), s = sampler.last_shift();
        const auto [lo, hi] = ds.pitch_range(f, o, 32);
        EXPECT_GE(lo + s, 0);
        EXPECT_LE(hi + s, 127);
        EXPECT_LE(std::abs(s), 12);
        EXPECT_EQ(fm::count_notes(r), fm::count_notes(ds.crop(f, o, 32))) << "a note was shifted out";
        shifts.insert(s);
    }
    EXPECT_EQ(*shifts.begin(), -12);   // only the high file (118..125) goes down 12, only the low one (1..6) up 12
    EXPECT_EQ(*shifts.rbegin(), 12);
}

TEST(DatasetSampler, RejectsBadOptions) {
    const std::string d = fmtest::temp_dir("badopt");
    write_song(d, "a.mid", coded_notes(20));
    build(d, d + "/c.fmcache");
    const fm::Dataset ds = fm::Dataset::open(d + "/c.fmcache");
    EXPECT_THROW(fm::CropSampler(ds, {0}, {130, 0, 0}), fm::Error);
    EXPECT_THROW(fm::CropSampler(ds, {0}, {0, 0, 0}), fm::Error);
    EXPECT_THROW(fm::CropSampler(ds, {}, {128, 0, 0}), fm::Error);
    EXPECT_THROW(fm::CropSampler(ds, {1}, {128, 0, 0}), fm::Error);
    EXPECT_THROW(fm::CropSampler(ds, {0}, {128, -1, 0}), fm::Error);
}

// ---------------------------------------------------------------- real data

TEST(DatasetPop909, FortyFilesThroughAListFile) {
    FM_REQUIRE_SHARED_DATA("pop909");
    const std::string root = fmtest::shared_data_dir() + "/pop909";
    std::vector<std::string> all = fm::list_midi_sources(root);
    ASSERT_GE(all.size(), 40u);
    all.resize(40);
    const std::string d = fmtest::temp_dir("pop909");
    {
        std::ofstream list(d + "/train.txt");
        list << "# first 40 POP909 songs\n";
        for (const auto& p : all) list << p << "\n";
    }
    const auto t0 = std::chrono::steady_clock::now();
    const fm::CacheSummary s = build(d + "/train.txt", d + "/pop.fmcache");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(s.files, 40);
    EXPECT_EQ(s.usable, 40);
    EXPECT_EQ(s.failed, 0);
    EXPECT_GT(s.notes, 40 * 300);
    EXPECT_GT(s.steps, 40 * 200);
    const auto size = fs::file_size(d + "/pop.fmcache");
    const uint64_t dense = uint64_t(s.steps) * fm::kPitches;   // one byte a cell
    EXPECT_LT(size * 10, dense) << size << " bytes against " << dense << " as dense 8-bit rolls";
    std::printf("POP909 x40: %lld notes, %lld steps, cache %llu bytes (dense 8-bit rolls %llu), built in %.2f s\n",
                (long long)s.notes, (long long)s.steps, (unsigned long long)size, (unsigned long long)dense, seconds);

    EXPECT_EQ(build(d + "/train.txt", d + "/pop.fmcache").reused, 40);
    const fm::Dataset ds = fm::Dataset::open(d + "/pop.fmcache");
    ASSERT_EQ(ds.size(), 40);
    fm::CropSampler sampler(ds, fm::split_files(ds, 0.1, 0).train, {128, 5, 0});
    for (int k = 0; k < 5; ++k) {
        const fm::Roll r = sampler.next();
        const fm::MidiRoll m = fm::load_midi(ds.file(sampler.last_file()).path);
        EXPECT_EQ(r, shifted(fm::crop(m.roll, sampler.last_offset(), 128), sampler.last_shift()));
    }
}
