// dataset_cache.h — the dataset cache file: its layout, a validated read-only memory map of it, and its writer.
// Private to core/ (dataset.cpp is its one user); the public API is dataset.h.
//
// Layout (format version 2). Integers little-endian, fixed-size records, so the file is read in place:
//   header   80 bytes   magic "FMCACHE\0", u32 version, u32 header size, u32 import flags, u32 entry count,
//                       u64 file size, u64 entries offset, u64 notes offset, u64 note count,
//                       u64 strings offset, u64 strings size, u64 checksum (FNV-1a 64 of every byte but its own 8)
//   entries  56 bytes   one per source file, sorted by path: u64 source size, i64 source mtime (ns),
//                       u64 first note, u32 note count, u32 width (steps), u32 max note length (steps),
//                       u32 path offset, u32 path length, u32 reason offset, u32 reason length (in strings),
//                       u8 status (0 usable, 1 empty, 2 failed), u8 lowest pitch, u8 highest pitch,
//                       u8 main tempo in units of 2 bpm (0 unknown; version 2)
//   notes     8 bytes   the usable files' notes (after the re-strike rule), each file's sorted by (start, pitch):
//                       u32 start | pitch << 24, u32 length | track << 20 | velocity << 24 (the track: 0 in a
//                       one-track cache, else the note's roll track under the cache's track map, core/track_rolls.h)
//   strings             the paths (absolute) and failure reasons, UTF-8, not terminated
// Empty and failed files stay in the entry table (so an unchanged one is not read again) with no notes.
// Bump kCacheVersion whenever the layout changes (a change of import rules bumps fm::kImportRulesVersion).
// Thread-safety: a CacheView is immutable once open.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "notes.h"

namespace fm {

constexpr char kCacheMagic[8] = {'F', 'M', 'C', 'A', 'C', 'H', 'E', '\0'};
constexpr uint32_t kCacheVersion = 2;
constexpr size_t kCacheHeaderSize = 80;
constexpr size_t kCacheEntrySize = 56;
constexpr size_t kCacheNoteSize = 8;
constexpr uint64_t kMissingSize = ~uint64_t(0);   // source size recorded for a file that could not be stat'ed

enum class EntryStatus : uint8_t { usable = 0, empty = 1, failed = 2 };

struct CacheEntry {
    std::string path;
    uint64_t size = kMissingSize;   // of the source file, bytes
    int64_t mtime_ns = 0;           // of the source file
    EntryStatus status = EntryStatus::failed;
    std::string reason;             // why it failed
    uint64_t first_note = 0;        // index into the notes section
    uint32_t note_count = 0;
    uint32_t width = 0;             // steps
    uint32_t max_length = 0;        // longest note, steps
    uint8_t min_pitch = 0, max_pitch = 0;
    uint8_t tempo_half_bpm = 0;     // the tempo that holds longest, bpm / 2 rounded (0: unknown)
};

// A cache file mapped read-only and checked whole on open: magic, version, size, checksum, every offset and
// count, every note. Throws fm::Error(reason, path) naming the problem and saying to rebuild the cache.
class CacheView {
public:
    static CacheView open(const std::string& path);
    CacheView(CacheView&& o) noexcept;
    CacheView& operator=(CacheView&& o) noexcept;
    CacheView(const CacheView&) = delete;
    CacheView& operator=(const CacheView&) = delete;
    ~CacheView();

    uint32_t import_flags() const { return import_flags_; }
    const std::vector<CacheEntry>& entries() const { return entries_; }

    StepNote note(uint64_t i) const;   // i-th note of the notes section
    uint32_t note_start(uint64_t i) const;
    std::vector<StepNote> notes(const CacheEntry& e) const;
    // First note of `e` (as an index into the notes section) whose start is >= `step`.
    uint64_t lower_bound(const CacheEntry& e, int64_t step) const;

private:
    CacheView() = default;
    const uint8_t* map_ = nullptr;
    size_t size_ = 0;
    uint64_t notes_offset_ = 0;
    uint32_t import_flags_ = 0;
    std::vector<CacheEntry> entries_;
};

// Serialises the entries and their notes (notes[i] for entries[i], sorted by (start, pitch); empty for empty
// and failed entries); fills first_note. The caller writes the bytes (atomically).
std::vector<uint8_t> encode_cache(std::vector<CacheEntry>& entries, const std::vector<std::vector<StepNote>>& notes,
                                  uint32_t import_flags);

}  // namespace fm
