// fuzz_dataset_cache.cpp — libFuzzer target for the dataset cache reader (core/dataset_cache.h, core/dataset.h).
//
// Each input is a whole cache file, written to a scratch file (the reader maps a path). fm::CacheView::open
// reads it; when that succeeds, fm::Dataset::open must too, and everything a trainer asks of it is checked
// against a slow reference computed from the notes: crops (with pitch shifts, at the start, the end, past the
// end and before the start), pitch ranges, has_notes, lower_bound, the split and the crop sampler. Findings
// (the process aborts):
//   - a crash, an ASan / UBSan report, a leak, a timeout or an out-of-memory (libFuzzer's own checks);
//   - any exception that is not fm::Error, an fm::Error that does not name the file, or one from a cache
//     that opened (a Dataset over it, its crops, the split, the sampler must all work);
//   - an opened cache whose notes break what open() checks (order, width, lengths, pitch range, velocity);
//   - a crop, pitch range or lower_bound that differs from the reference;
//   - a crop from CropSampler that is silent (dataset.h: never all silent);
//   - a re-encoding (fm::encode_cache of the entries and notes) that does not open to the same entries.
// The cache carries its size and an FNV-1a checksum; a mutation would almost always fail on them, so the
// mutator rewrites both after 7 of 8 mutations (the eighth keeps the checks themselves fuzzed).
// Build and run: scripts/fuzz.sh dataset_cache [runs]   (seeds: fuzz_seeds dataset_cache DIR MIDI...).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/dataset.h"
#include "core/dataset_cache.h"
#include "core/error.h"
#include "core/midi_roll.h"
#include "core/notes.h"
#include "core/roll.h"
#include "fuzz_support.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace {

using fm_fuzz::finding;

constexpr size_t kSizeAt = 24, kChecksumAt = 72;   // header fields (dataset_cache.h)
constexpr int kCropWidth = 64;                      // steps; crops stay cheap whatever width a file claims
constexpr int kMaxFilesChecked = 8;                 // per input, for throughput

void put_u64(uint8_t* p, uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i));
}

// The same FNV-1a as the writer: every byte but the checksum's own 8.
uint64_t checksum(const uint8_t* data, size_t size) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < size; ++i)
        if (i < kChecksumAt || i >= kChecksumAt + 8) h = (h ^ data[i]) * 0x100000001b3ULL;
    return h;
}

std::string where(int file, int offset, int shift) {
    return "file " + std::to_string(file) + " offset " + std::to_string(offset) + " shift " + std::to_string(shift);
}

// What open() checks, checked again on what it returns; lower_bound against a linear search.
void check_view(const fm::CacheView& view) {
    for (const fm::CacheEntry& e : view.entries()) {
        if (e.path.empty()) finding("an entry with an empty path opened");
        if (e.status != fm::EntryStatus::usable) {
            if (e.note_count != 0) finding("an empty or failed entry has notes");
            continue;
        }
        const std::vector<fm::StepNote> notes = view.notes(e);
        if (notes.size() != e.note_count || notes.empty()) finding("notes() returned the wrong count");
        for (size_t k = 0; k < notes.size(); ++k) {
            const fm::StepNote& n = notes[k];
            if ((k > 0 && n.start < notes[k - 1].start) || n.start < 0 || n.end <= n.start ||
                n.end > int(e.width) || n.end - n.start > int(e.max_length) || n.pitch < e.min_pitch ||
                n.pitch > e.max_pitch || n.velocity < 1 || n.velocity > 127)
                finding("an opened cache holds a note open() should have refused");
            if (view.note_start(e.first_note + k) != uint32_t(n.start)) finding("note_start disagrees with note");
        }
        const int64_t steps[] = {-1, 0, 1, notes[notes.size() / 2].start, int64_t(e.width) / 2, e.width,
                                 int64_t(e.width) + 1};
        for (int64_t s : steps) {
            uint64_t want = e.first_note;
            while (want < e.first_note + e.note_count && view.note_start(want) < s) ++want;
            if (view.lower_bound(e, s) != want) finding("lower_bound(" + std::to_string(s) + ") is wrong");
        }
    }
}

// Crops and pitch ranges against painting every note of the file.
void check_dataset(const fm::Dataset& ds, const fm::CacheView& view) {
    int usable = 0;
    for (const fm::CacheEntry& e : view.entries()) usable += e.status == fm::EntryStatus::usable;
    if (ds.size() != usable) finding("Dataset::size is not the number of usable entries");
    for (int i = 0; i < std::min(ds.size(), kMaxFilesChecked); ++i) {
        const fm::DatasetFile info = ds.file(i);
        const std::vector<fm::StepNote> notes = ds.notes(i);
        if (int(notes.size()) != info.note_count || info.width <= 0) finding("Dataset::file disagrees with notes");
        int lo = fm::kPitches, hi = -1, longest = 0;
        for (const fm::StepNote& n : notes)
            lo = std::min(lo, n.pitch), hi = std::max(hi, n.pitch), longest = std::max(longest, n.end - n.start);
        const auto [plo, phi] = ds.pitch_range(i);
        if (lo < plo || hi > phi) finding("pitch_range(" + std::to_string(i) + ") does not cover the notes");
        const int offsets[] = {0, info.width - kCropWidth, info.width - 1, info.width, -longest, notes.back().start - 1};
        for (int offset : offsets) {
            for (int shift : {0, 7, -7}) {
                fm::Roll want(kCropWidth);
                fm::paint_notes(want, notes, offset, shift);
                if (ds.crop(i, offset, kCropWidth, shift) != want) finding("crop differs at " + where(i, offset, shift));
            }
            int wlo = fm::kPitches, whi = -1;
            for (const fm::StepNote& n : notes)
                if (n.start < offset + kCropWidth && n.end > offset) wlo = std::min(wlo, n.pitch), whi = std::max(whi, n.pitch);
            if (ds.pitch_range(i, offset, kCropWidth) != std::make_pair(wlo, whi))
                finding("pitch_range of a window differs at " + where(i, offset, 0));
            if (ds.has_notes(i, offset, kCropWidth) != (wlo <= whi)) finding("has_notes differs at " + where(i, offset, 0));
        }
    }
}

// Splits and the sampler, as the trainer uses them (a short crop so that most files have several windows).
void check_sampler(const fm::Dataset& ds, uint64_t seed) {
    if (ds.size() == 0) return;
    const fm::Split split = fm::split_files(ds, 0.5, seed);
    if (split.train.size() + split.val.size() != size_t(ds.size())) finding("split lost files");
    std::vector<int> all(size_t(ds.size()));
    for (int i = 0; i < ds.size(); ++i) all[size_t(i)] = i;
    for (int align : {1, 16}) {
        fm::CropSampler sampler(ds, all, {kCropWidth, 5, seed, align});
        for (int k = 0; k < 2; ++k) {
            const fm::Roll r = sampler.next();
            if (r.width != kCropWidth || r.rows != fm::kPitches) finding("sampler crop has the wrong shape");
            if (std::none_of(r.cells.begin(), r.cells.end(), [](float v) { return v > 0.0f; }))
                finding("sampler gave a silent crop (align " + std::to_string(align) + ", " +
                        where(sampler.last_file(), sampler.last_offset(), sampler.last_shift()) + ")");
        }
    }
}

// The writer over what the reader returned must give the same entries back.
void check_reencode(const fm::CacheView& view, const std::string& path) {
    std::vector<fm::CacheEntry> entries = view.entries();
    std::vector<std::vector<fm::StepNote>> notes;
    for (const fm::CacheEntry& e : entries) notes.push_back(view.notes(e));
    const std::vector<uint8_t> bytes = fm::encode_cache(entries, notes, view.import_flags());
    fm_fuzz::write_file(path, bytes.data(), bytes.size());
    const fm::CacheView back = fm::CacheView::open(path);
    if (back.import_flags() != view.import_flags() || back.entries().size() != entries.size())
        finding("re-encoded cache differs in flags or entry count");
    for (size_t i = 0; i < entries.size(); ++i) {
        const fm::CacheEntry &a = view.entries()[i], &b = back.entries()[i];
        if (a.path != b.path || a.size != b.size || a.mtime_ns != b.mtime_ns || a.status != b.status ||
            a.reason != b.reason || a.note_count != b.note_count || a.width != b.width ||
            back.notes(b) != notes[i])
            finding("re-encoded cache differs at entry " + std::to_string(i));
    }
}

}  // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned seed) {
    size = LLVMFuzzerMutate(data, size, max_size);
    if (size >= fm::kCacheHeaderSize && seed % 8 != 0) {
        put_u64(data + kSizeAt, size);
        put_u64(data + kChecksumAt, checksum(data, size));
    }
    return size;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = fm_fuzz::scratch_dir() + "/input.fmcache";
    static const std::string again = fm_fuzz::scratch_dir() + "/again.fmcache";
    try {
        fm_fuzz::write_file(path, data, size);
        std::optional<fm::CacheView> view;
        try {
            view.emplace(fm::CacheView::open(path));
        } catch (const fm::Error& e) {
            if (e.file() != path) finding(std::string("the cache reader's error does not name the file: ") + e.what());
            return 0;   // refused cleanly
        }
        try {
            check_view(*view);
            const fm::Dataset ds = fm::Dataset::open(path);
            check_dataset(ds, *view);
            check_sampler(ds, size);
            check_reencode(*view, again);
        } catch (const fm::Error& e) {
            finding(std::string("fm::Error from a cache that opened: ") + e.what());
        }
    } catch (const std::exception& e) {
        finding(std::string("exception that is not fm::Error: ") + e.what());
    } catch (...) {
        finding("non-standard exception");
    }
    return 0;
}
