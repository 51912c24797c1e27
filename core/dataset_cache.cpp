#include "dataset_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "error.h"
#include "midi_roll.h"

namespace fm {

namespace {

constexpr size_t kChecksumAt = 72;   // header offset of the checksum field
const char* const kRebuild = "; rebuild it with `fractalmidi dataset --train_data ... --cache ...`";

uint32_t get_u32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }
uint64_t get_u64(const uint8_t* p) { return uint64_t(get_u32(p)) | uint64_t(get_u32(p + 4)) << 32; }
void put_u32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}
void put_u64(uint8_t* p, uint64_t v) {
    put_u32(p, uint32_t(v));
    put_u32(p + 4, uint32_t(v >> 32));
}

uint64_t fnv1a(uint64_t h, const uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}
// Every byte of the file except the checksum field itself.
uint64_t checksum(const uint8_t* data, size_t size) {
    uint64_t h = fnv1a(0xcbf29ce484222325ULL, data, kChecksumAt);
    return fnv1a(h, data + kChecksumAt + 8, size - kChecksumAt - 8);
}

[[noreturn]] void corrupt(const std::string& path, const std::string& what) {
    throw Error("corrupt dataset cache (" + what + ")" + kRebuild, path);
}

// [offset, offset + count * record) lies inside a file of `size` bytes (no overflow).
bool section_fits(uint64_t offset, uint64_t count, uint64_t record, uint64_t size) {
    return offset <= size && count <= (size - offset) / record;
}

}  // namespace

CacheView CacheView::open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(errno == ENOENT ? std::string("no such dataset cache; build it with `fractalmidi dataset`")
                                    : "cannot open dataset cache (" + std::string(std::strerror(errno)) + ")",
                    path);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error("not a regular file", path);
    }
    const size_t size = size_t(st.st_size);
    if (size < kCacheHeaderSize) {
        // Say "another format" rather than "truncated" when what is there is clearly another version's header.
        uint8_t head[12] = {};
        const ssize_t got = ::pread(fd, head, sizeof head, 0);
        ::close(fd);
        if (got >= 8 && std::memcmp(head, kCacheMagic, 8) != 0)
            throw Error(std::string("not a FractalMIDI dataset cache (bad magic)") + kRebuild, path);
        if (got >= 12 && get_u32(head + 8) != kCacheVersion)
            throw Error("dataset cache format version " + std::to_string(get_u32(head + 8)) + ", this build reads version " +
                            std::to_string(kCacheVersion) + kRebuild,
                        path);
        throw Error("truncated dataset cache (" + std::to_string(size) + " bytes)" + kRebuild, path);
    }
    void* m = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (m == MAP_FAILED) throw Error("cannot map dataset cache (" + std::string(std::strerror(errno)) + ")", path);

    CacheView v;
    v.map_ = static_cast<const uint8_t*>(m);
    v.size_ = size;
    const uint8_t* h = v.map_;
    if (std::memcmp(h, kCacheMagic, 8) != 0) throw Error(std::string("not a FractalMIDI dataset cache (bad magic)") + kRebuild, path);
    if (get_u32(h + 8) != kCacheVersion)
        throw Error("dataset cache format version " + std::to_string(get_u32(h + 8)) + ", this build reads version " +
                        std::to_string(kCacheVersion) + kRebuild,
                    path);
    if (get_u32(h + 12) != kCacheHeaderSize) corrupt(path, "header size");
    v.import_flags_ = get_u32(h + 16);
    const uint32_t entry_count = get_u32(h + 20);
    const uint64_t file_size = get_u64(h + 24);
    const uint64_t entries_offset = get_u64(h + 32);
    v.notes_offset_ = get_u64(h + 40);
    const uint64_t note_count = get_u64(h + 48);
    const uint64_t strings_offset = get_u64(h + 56);
    const uint64_t strings_size = get_u64(h + 64);
    if (file_size != size)
        throw Error("truncated or damaged dataset cache (" + std::to_string(size) + " bytes, its header says " +
                        std::to_string(file_size) + ")" + kRebuild,
                    path);
    if (get_u64(h + kChecksumAt) != checksum(h, size)) corrupt(path, "checksum mismatch");
    if (!section_fits(entries_offset, entry_count, kCacheEntrySize, size) || entries_offset < kCacheHeaderSize ||
        !section_fits(v.notes_offset_, note_count, kCacheNoteSize, size) || v.notes_offset_ < kCacheHeaderSize ||
        !section_fits(strings_offset, strings_size, 1, size) || strings_offset < kCacheHeaderSize)
        corrupt(path, "section outside the file");

    v.entries_.resize(entry_count);
    for (uint32_t i = 0; i < entry_count; ++i) {
        const uint8_t* r = h + entries_offset + uint64_t(i) * kCacheEntrySize;
        CacheEntry& e = v.entries_[i];
        e.size = get_u64(r);
        e.mtime_ns = int64_t(get_u64(r + 8));
        e.first_note = get_u64(r + 16);
        e.note_count = get_u32(r + 24);
        e.width = get_u32(r + 28);
        e.max_length = get_u32(r + 32);
        const uint32_t path_at = get_u32(r + 36), path_len = get_u32(r + 40);
        const uint32_t reason_at = get_u32(r + 44), reason_len = get_u32(r + 48);
        const uint8_t status = r[52];
        e.min_pitch = r[53];
        e.max_pitch = r[54];
        e.tempo_half_bpm = r[55];
        const std::string which = "entry " + std::to_string(i);
        if (uint64_t(path_at) + path_len > strings_size || uint64_t(reason_at) + reason_len > strings_size || path_len == 0)
            corrupt(path, which + ": string outside the table");
        e.path.assign(reinterpret_cast<const char*>(h + strings_offset + path_at), path_len);
        e.reason.assign(reinterpret_cast<const char*>(h + strings_offset + reason_at), reason_len);
        if (status > uint8_t(EntryStatus::failed)) corrupt(path, which + ": status");
        e.status = EntryStatus(status);
        if (e.status != EntryStatus::usable) {
            if (e.note_count != 0) corrupt(path, which + ": notes in a file without notes");
            continue;
        }
        if (e.note_count == 0 || e.first_note > note_count || e.note_count > note_count - e.first_note)
            corrupt(path, which + ": notes outside the table");
        if (e.width == 0 || e.width > uint32_t(kMaxImportSteps) || e.max_length == 0 || e.max_length > e.width ||
            e.min_pitch > e.max_pitch || e.max_pitch >= kPitches)
            corrupt(path, which + ": width, note length or pitch range");
        // Every note: what crop's binary search and the pitch-shift bounds rely on.
        uint32_t prev_start = 0;
        for (uint64_t k = e.first_note; k < e.first_note + e.note_count; ++k) {
            const StepNote n = v.note(k);
            if (n.start < int(prev_start) || n.end <= n.start || uint32_t(n.end) > e.width ||
                uint32_t(n.end - n.start) > e.max_length || n.pitch < e.min_pitch || n.pitch > e.max_pitch ||
                n.velocity < 1 || n.velocity > 127)
                corrupt(path, which + ": note " + std::to_string(k - e.first_note));
            prev_start = uint32_t(n.start);
        }
    }
    return v;
}

CacheView::CacheView(CacheView&& o) noexcept
    : map_(std::exchange(o.map_, nullptr)), size_(std::exchange(o.size_, 0)), notes_offset_(o.notes_offset_),
      import_flags_(o.import_flags_), entries_(std::move(o.entries_)) {}

CacheView& CacheView::operator=(CacheView&& o) noexcept {
    if (this != &o) {
        if (map_) ::munmap(const_cast<uint8_t*>(map_), size_);
        map_ = std::exchange(o.map_, nullptr);
        size_ = std::exchange(o.size_, 0);
        notes_offset_ = o.notes_offset_;
        import_flags_ = o.import_flags_;
        entries_ = std::move(o.entries_);
    }
    return *this;
}

CacheView::~CacheView() {
    if (map_) ::munmap(const_cast<uint8_t*>(map_), size_);
}

uint32_t CacheView::note_start(uint64_t i) const { return get_u32(map_ + notes_offset_ + i * kCacheNoteSize) & 0xFFFFFFu; }

StepNote CacheView::note(uint64_t i) const {
    const uint8_t* p = map_ + notes_offset_ + i * kCacheNoteSize;
    const uint32_t a = get_u32(p), b = get_u32(p + 4);
    StepNote n;
    n.start = int(a & 0xFFFFFFu);
    n.pitch = int(a >> 24);
    n.end = n.start + int(b & 0xFFFFFu);
    n.track = int(b >> 20 & 0xFu);
    n.velocity = int(b >> 24);
    return n;
}

std::vector<StepNote> CacheView::notes(const CacheEntry& e) const {
    std::vector<StepNote> out;
    out.reserve(e.note_count);
    for (uint64_t k = e.first_note; k < e.first_note + e.note_count; ++k) out.push_back(note(k));
    return out;
}

uint64_t CacheView::lower_bound(const CacheEntry& e, int64_t step) const {
    uint64_t lo = e.first_note, hi = e.first_note + e.note_count;
    while (lo < hi) {
        const uint64_t mid = lo + (hi - lo) / 2;
        if (int64_t(note_start(mid)) < step) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

std::vector<uint8_t> encode_cache(std::vector<CacheEntry>& entries, const std::vector<std::vector<StepNote>>& notes,
                                  uint32_t import_flags) {
    uint64_t note_count = 0;
    std::string strings;
    std::vector<std::pair<uint32_t, uint32_t>> path_at(entries.size()), reason_at(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
        CacheEntry& e = entries[i];
        const std::vector<StepNote>& ns = notes[i];
        e.first_note = note_count;
        e.note_count = uint32_t(ns.size());
        e.max_length = 0;
        e.min_pitch = kPitches - 1;
        e.max_pitch = 0;
        for (const StepNote& n : ns) {
            e.max_length = std::max(e.max_length, uint32_t(n.end - n.start));
            e.min_pitch = uint8_t(std::min<int>(e.min_pitch, n.pitch));
            e.max_pitch = uint8_t(std::max<int>(e.max_pitch, n.pitch));
        }
        if (ns.empty()) e.min_pitch = e.max_pitch = 0;
        note_count += ns.size();
        path_at[i] = {uint32_t(strings.size()), uint32_t(e.path.size())};
        strings += e.path;
        reason_at[i] = {uint32_t(strings.size()), uint32_t(e.reason.size())};
        strings += e.reason;
    }
    const uint64_t entries_offset = kCacheHeaderSize;
    const uint64_t notes_offset = entries_offset + entries.size() * kCacheEntrySize;
    const uint64_t strings_offset = notes_offset + note_count * kCacheNoteSize;
    const uint64_t file_size = strings_offset + strings.size();

    std::vector<uint8_t> out(file_size, 0);
    uint8_t* h = out.data();
    std::memcpy(h, kCacheMagic, 8);
    put_u32(h + 8, kCacheVersion);
    put_u32(h + 12, uint32_t(kCacheHeaderSize));
    put_u32(h + 16, import_flags);
    put_u32(h + 20, uint32_t(entries.size()));
    put_u64(h + 24, file_size);
    put_u64(h + 32, entries_offset);
    put_u64(h + 40, notes_offset);
    put_u64(h + 48, note_count);
    put_u64(h + 56, strings_offset);
    put_u64(h + 64, strings.size());
    for (size_t i = 0; i < entries.size(); ++i) {
        const CacheEntry& e = entries[i];
        uint8_t* r = h + entries_offset + i * kCacheEntrySize;
        put_u64(r, e.size);
        put_u64(r + 8, uint64_t(e.mtime_ns));
        put_u64(r + 16, e.first_note);
        put_u32(r + 24, e.note_count);
        put_u32(r + 28, e.width);
        put_u32(r + 32, e.max_length);
        put_u32(r + 36, path_at[i].first);
        put_u32(r + 40, path_at[i].second);
        put_u32(r + 44, reason_at[i].first);
        put_u32(r + 48, reason_at[i].second);
        r[52] = uint8_t(e.status);
        r[53] = e.min_pitch;
        r[54] = e.max_pitch;
        r[55] = e.tempo_half_bpm;
        uint8_t* p = h + notes_offset + e.first_note * kCacheNoteSize;
        for (const StepNote& n : notes[i]) {   // start < 2^24, length < 2^20: kMaxImportSteps is 2^18; track < 16
            put_u32(p, uint32_t(n.start) | uint32_t(n.pitch) << 24);
            put_u32(p + 4, uint32_t(n.end - n.start) | uint32_t(n.track & 0xF) << 20 | uint32_t(n.velocity) << 24);
            p += kCacheNoteSize;
        }
    }
    std::memcpy(h + strings_offset, strings.data(), strings.size());
    put_u64(h + kChecksumAt, checksum(h, file_size));
    return out;
}

}  // namespace fm
