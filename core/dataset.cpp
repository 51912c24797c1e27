#include "dataset.h"
#include "track_rolls.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cctype>
#include <filesystem>
#include <limits>
#include <new>
#include <unordered_map>
#include <utility>

#include "dataset_cache.h"
#include "error.h"
#include "file_io.h"
#include "log.h"

namespace fm {

namespace fs = std::filesystem;

namespace {

bool has_midi_extension(const fs::path& p) {
    std::string ext = p.extension().string();
    for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".mid" || ext == ".midi";
}

std::string absolute_normal(const fs::path& p) { return fs::absolute(p).lexically_normal().string(); }

std::string trim(const std::string& s) {
    const char* ws = " \t\r\n\v\f";
    const size_t b = s.find_first_not_of(ws);
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

// The options and the version of the import rules: entries made under other rules are not reused.
uint32_t import_flags(const CacheOptions& o) {
    uint32_t map = 0;   // a 16-bit digest of the track map (FNV-1a), never 0 for a map: no map, no tracks
    if (!o.track_map.empty()) {
        uint32_t h = 2166136261u;
        for (unsigned char c : o.track_map) h = (h ^ c) * 16777619u;
        map = (h ^ h >> 16) & 0xFFFFu;
        if (map == 0) map = 1;
    }
    return (o.import.keep_drums ? 1u : 0u) | (o.import.estimate_phase ? 2u : 0u) | (o.import.align_beats ? 4u : 0u) |
           (kImportRulesVersion << 8) | map << 16;
}

struct Stamp {
    uint64_t size = kMissingSize;   // kMissingSize: could not stat (the file then fails to load too)
    int64_t mtime_ns = 0;
};

Stamp stamp_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {};
    return {uint64_t(st.st_size), int64_t(st.st_mtim.tv_sec) * 1000000000 + int64_t(st.st_mtim.tv_nsec)};
}

// The bpm that holds for the most steps of [0, width) (120 without a tempo map).
double main_tempo(const std::vector<TempoChange>& tempo, int width) {
    double best = 120, longest = -1;
    for (size_t i = 0; i < tempo.size(); ++i) {
        const double from = std::max(0.0, tempo[i].step), to = i + 1 < tempo.size() ? tempo[i + 1].step : double(width);
        if (to - from > longest) longest = to - from, best = tempo[i].bpm();
    }
    return best;
}

bool same_stamp(const CacheEntry& e, const Stamp& s) { return e.size == s.size && e.mtime_ns == s.mtime_ns; }

void report(const ProgressFn& progress, int done, int total) {
    if (progress) {
        Progress p;
        p.step = done;
        p.of = total;
        progress(p);
    }
}

// A uniform integer in [0, n), n >= 1: mt19937_64 draws, the biased top of its range rejected.
// (std::uniform_int_distribution differs between standard libraries; this does not.)
uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
    const uint64_t limit = std::numeric_limits<uint64_t>::max() - std::numeric_limits<uint64_t>::max() % n;
    for (;;) {
        const uint64_t x = rng();
        if (x < limit) return x % n;
    }
}
int uniform_int(std::mt19937_64& rng, int lo, int hi) {   // inclusive
    return lo + int(uniform_below(rng, uint64_t(int64_t(hi) - lo) + 1));
}

uint64_t splitmix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t fnv1a(const std::string& s) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
    return h;
}

}  // namespace

// ---- sources ----

std::vector<std::string> list_midi_sources(const std::string& dir_or_list) {
    if (dir_or_list.empty()) throw Error("no training data given (a folder of MIDI files or a list file)");
    std::error_code ec;
    const fs::path src(dir_or_list);
    const fs::file_status st = fs::status(src, ec);
    if (!fs::exists(st)) throw Error("no such folder or list file", dir_or_list);
    std::vector<std::string> out;
    if (fs::is_directory(st)) {
        fs::recursive_directory_iterator it(src, fs::directory_options::skip_permission_denied, ec);
        for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            std::error_code ec2;
            if (has_midi_extension(it->path()) && it->is_regular_file(ec2)) out.push_back(absolute_normal(it->path()));
        }
        if (ec) throw Error("cannot read folder (" + ec.message() + ")", dir_or_list);
    } else if (has_midi_extension(src)) {
        out.push_back(absolute_normal(src));   // one MIDI file
    } else {
        const std::vector<uint8_t> bytes = read_file_bytes(dir_or_list);
        const fs::path base = fs::absolute(src).parent_path();
        size_t b = 0;
        while (b < bytes.size()) {
            size_t e = b;
            while (e < bytes.size() && bytes[e] != '\n') ++e;
            const std::string line = trim(std::string(bytes.begin() + long(b), bytes.begin() + long(e)));
            b = e + 1;
            if (line.empty() || line[0] == '#') continue;
            const fs::path p(line);
            out.push_back((p.is_absolute() ? p : base / p).lexically_normal().string());
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    if (out.empty())
        throw Error(fs::is_directory(st) ? "no MIDI file (.mid, .midi) in this folder or below it"
                                         : "the list names no MIDI file",
                    dir_or_list);
    return out;
}

// ---- building ----

CacheSummary build_cache(const std::string& dir_or_list, const std::string& cache_path, const CacheOptions& options,
                         const ProgressFn& progress, const CancelFlag* cancel) {
    const std::vector<std::string> paths = list_midi_sources(dir_or_list);
    const uint32_t flags = import_flags(options);
    const TrackMapping map = parse_track_map(options.track_map);
    if (!options.track_map.empty() && map.rules.empty())
        throw Error("a dataset cache with tracks needs a track map that names them (pop909, or SOURCE=ROLE rules), not auto");
    CacheSummary s;
    s.files = int(paths.size());

    // The previous cache, when it can be reused: same import options, readable. Anything else: read all again.
    std::unique_ptr<CacheView> old;
    std::unordered_map<std::string, const CacheEntry*> old_by_path;
    std::error_code ec;
    if (fs::exists(cache_path, ec)) {
        try {
            old = std::make_unique<CacheView>(CacheView::open(cache_path));
            if (old->import_flags() != flags) old.reset();
        } catch (const Error& e) {
            log_info("the previous dataset cache cannot be reused (%s); reading every file again", e.what());
        }
        if (old)
            for (const CacheEntry& e : old->entries()) old_by_path[e.path] = &e;
    }

    std::vector<CacheEntry> entries(paths.size());
    std::vector<std::vector<StepNote>> notes(paths.size());
    report(progress, 0, s.files);
    for (size_t i = 0; i < paths.size(); ++i) {
        if (cancelled(cancel)) {
            s.cancelled = true;
            return s;
        }
        CacheEntry& e = entries[i];
        e.path = paths[i];
        const Stamp stamp = stamp_of(e.path);   // before reading: a file changed meanwhile is read again next time
        e.size = stamp.size;
        e.mtime_ns = stamp.mtime_ns;
        const auto found = old_by_path.find(e.path);
        if (stamp.size != kMissingSize && found != old_by_path.end() && same_stamp(*found->second, stamp)) {
            const CacheEntry& o = *found->second;
            e.status = o.status;
            e.reason = o.reason;
            e.width = o.width;
            e.tempo_half_bpm = o.tempo_half_bpm;
            notes[i] = old->notes(o);
            ++s.reused;
        } else {
            try {
                std::vector<TempoChange> tempo;
                if (options.track_map.empty()) {
                    MidiRoll m = load_midi(e.path, options.import);
                    e.width = uint32_t(m.roll.width);
                    tempo = std::move(m.tempo);
                    notes[i] = std::move(m.notes);
                } else {   // each note in its roll track (the re-strike rule within each track)
                    TrackRolls t = load_midi_tracks(e.path, map, options.import);
                    e.width = uint32_t(t.width());
                    tempo = std::move(t.tempo);
                    notes[i].clear();
                    for (size_t k = 0; k < t.tracks.size(); ++k)
                        for (StepNote n : roll_to_notes(t.tracks[k])) n.track = int(k), notes[i].push_back(n);
                }
                e.tempo_half_bpm = uint8_t(std::clamp<long>(std::lround(main_tempo(tempo, int(e.width)) / 2), 1, 255));
                std::sort(notes[i].begin(), notes[i].end(), [](const StepNote& a, const StepNote& b) {
                    return a.start != b.start ? a.start < b.start : a.pitch < b.pitch;
                });
                e.status = notes[i].empty() ? EntryStatus::empty : EntryStatus::usable;
            } catch (const Error& err) {
                e.status = EntryStatus::failed;
                e.reason = err.reason();
            } catch (const std::bad_alloc&) {
                e.status = EntryStatus::failed;
                e.reason = "out of memory while reading it";
            }
        }
        switch (e.status) {
            case EntryStatus::usable:
                ++s.usable;
                s.notes += int64_t(notes[i].size());
                s.steps += e.width;
                break;
            case EntryStatus::empty: ++s.empty; break;
            case EntryStatus::failed:
                ++s.failed;
                s.failures.push_back({e.path, e.reason});
                break;
        }
        report(progress, int(i) + 1, s.files);
    }
    if (cancelled(cancel)) {
        s.cancelled = true;
        return s;
    }
    // Every entry reused and none removed: the file on disk is already this cache, byte for byte.
    if (old && s.reused == s.files && old->entries().size() == paths.size()) return s;
    old.reset();   // unmap before the file is replaced
    old_by_path.clear();
    const std::vector<uint8_t> bytes = encode_cache(entries, notes, flags);
    write_file_atomic(cache_path, bytes.data(), bytes.size());
    return s;
}

bool cache_is_current(const std::string& dir_or_list, const std::string& cache_path, const CacheOptions& options) {
    try {
        const std::vector<std::string> paths = list_midi_sources(dir_or_list);
        const CacheView view = CacheView::open(cache_path);
        if (view.import_flags() != import_flags(options) || view.entries().size() != paths.size()) return false;
        std::unordered_map<std::string, const CacheEntry*> by_path;
        for (const CacheEntry& e : view.entries()) by_path[e.path] = &e;
        for (const std::string& p : paths) {
            const auto found = by_path.find(p);
            if (found == by_path.end() || !same_stamp(*found->second, stamp_of(p))) return false;
        }
        return true;
    } catch (const Error&) {
        return false;
    }
}

// ---- Dataset ----

struct Dataset::Impl {
    CacheView view;
    std::vector<const CacheEntry*> files;   // the usable entries

    const CacheEntry& entry(int index) const {
        if (index < 0 || index >= int(files.size()))
            throw Error("dataset file index " + std::to_string(index) + " out of range (" + std::to_string(files.size()) +
                        " files)");
        return *files[size_t(index)];
    }
    // Notes of `e` sounding in [offset, offset + width): candidates start in (offset - max_length, offset + width).
    std::pair<uint64_t, uint64_t> window(const CacheEntry& e, int offset, int width) const {
        const uint64_t b = view.lower_bound(e, int64_t(offset) - e.max_length + 1);
        const uint64_t en = view.lower_bound(e, int64_t(offset) + width);
        return {b, std::max(b, en)};
    }
};

Dataset::Dataset(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Dataset::Dataset(Dataset&&) noexcept = default;
Dataset& Dataset::operator=(Dataset&&) noexcept = default;
Dataset::~Dataset() = default;

Dataset Dataset::open(const std::string& cache_path) {
    auto impl = std::make_unique<Impl>(Impl{CacheView::open(cache_path), {}});
    for (const CacheEntry& e : impl->view.entries())
        if (e.status == EntryStatus::usable) impl->files.push_back(&e);
    return Dataset(std::move(impl));
}

int Dataset::size() const { return int(impl_->files.size()); }

DatasetFile Dataset::file(int index) const {
    const CacheEntry& e = impl_->entry(index);
    return {e.path, int(e.width), int(e.note_count), 2.0 * e.tempo_half_bpm};
}

std::vector<StepNote> Dataset::notes(int index) const { return impl_->view.notes(impl_->entry(index)); }

Roll Dataset::crop(int index, int offset, int width, int pitch_shift, int tracks) const {
    const CacheEntry& e = impl_->entry(index);
    if (width < 0) throw Error("crop width " + std::to_string(width) + " is negative");
    if (tracks < 1 || tracks > 16) throw Error("crop of " + std::to_string(tracks) + " tracks: 1 to 16");
    Roll roll(width, 0.0f, tracks * kPitches);
    const auto [b, en] = impl_->window(e, offset, width);
    std::vector<StepNote> in_window;
    for (uint64_t k = b; k < en; ++k) {
        const StepNote n = impl_->view.note(k);
        if (n.end > offset) in_window.push_back(n);
    }
    paint_notes(roll, in_window, offset, pitch_shift);
    return roll;
}

bool Dataset::has_notes(int index, int offset, int width) const {
    const auto [lo, hi] = pitch_range(index, offset, width);
    return lo <= hi;
}

std::pair<int, int> Dataset::pitch_range(int index) const {
    const CacheEntry& e = impl_->entry(index);
    return {e.min_pitch, e.max_pitch};
}

std::pair<int, int> Dataset::pitch_range(int index, int offset, int width) const {
    const CacheEntry& e = impl_->entry(index);
    int lo = kPitches, hi = -1;
    if (width <= 0) return {lo, hi};
    const auto [b, en] = impl_->window(e, offset, width);
    for (uint64_t k = b; k < en; ++k) {
        const StepNote n = impl_->view.note(k);
        if (n.end > offset) lo = std::min(lo, n.pitch), hi = std::max(hi, n.pitch);
    }
    return {lo, hi};
}

// ---- split ----

Split split_files(const Dataset& dataset, double val_fraction, uint64_t seed) {
    if (!(val_fraction >= 0.0 && val_fraction <= 1.0))
        throw Error("validation fraction " + std::to_string(val_fraction) + " is not in [0, 1]");
    Split split;
    if (dataset.size() == 0) return split;
    // The common folder of all files: paths relative to it stay the same wherever the corpus is moved.
    fs::path common = fs::path(dataset.file(0).path).parent_path();
    for (int i = 1; i < dataset.size(); ++i) {
        const fs::path dir = fs::path(dataset.file(i).path).parent_path();
        fs::path shared;
        for (auto a = common.begin(), b = dir.begin(); a != common.end() && b != dir.end() && *a == *b; ++a, ++b) shared /= *a;
        common = shared;
    }
    const uint64_t salt = splitmix64(seed);
    for (int i = 0; i < dataset.size(); ++i) {
        const std::string rel = fs::path(dataset.file(i).path).lexically_relative(common).generic_string();
        const double u = double(splitmix64(fnv1a(rel) ^ salt) >> 11) * 0x1.0p-53;   // uniform in [0, 1)
        (u < val_fraction ? split.val : split.train).push_back(i);
    }
    return split;
}

// ---- crops ----

CropSampler::CropSampler(const Dataset& dataset, std::vector<int> files, CropOptions options)
    : dataset_(&dataset), files_(std::move(files)), options_(options), rng_(options.seed) {
    check_width(options_.crop_length);
    if (options_.pitch_shift < 0 || options_.pitch_shift > 127)
        throw Error("pitch shift " + std::to_string(options_.pitch_shift) + " is not in 0..127");
    if (files_.empty()) throw Error("no files to take crops from");
    for (int f : files_)
        if (f < 0 || f >= dataset.size())
            throw Error("dataset file index " + std::to_string(f) + " out of range (" + std::to_string(dataset.size()) +
                        " files)");
}

Roll CropSampler::next() {
    constexpr int kTries = 16;   // random windows tried before one that starts at a random note's onset
    const int length = options_.crop_length;
    const int file = files_[uniform_below(rng_, files_.size())];
    const DatasetFile info = dataset_->file(file);
    const int align = std::max(1, options_.align);
    const int last_start = std::max(0, info.width - length) / align * align;
    int offset = 0;
    std::pair<int, int> range{kPitches, -1};
    for (int t = 0; t < kTries && range.first > range.second; ++t) {
        offset = uniform_int(rng_, 0, last_start / align) * align;
        range = dataset_->pitch_range(file, offset, length);
    }
    if (range.first > range.second) {   // a sparse file: a window that holds the onset of a random note
        const std::vector<StepNote> notes = dataset_->notes(file);
        const int onset_window = notes[uniform_below(rng_, notes.size())].start / align * align;
        offset = std::min(onset_window, last_start);
        range = dataset_->pitch_range(file, offset, length);
        // Aligned, the last window can end before a note near the end (width - length not a multiple of align):
        // then the onset's own window, which runs past the end of the file (padded with silence).
        if (range.first > range.second) {
            offset = onset_window;
            range = dataset_->pitch_range(file, offset, length);
        }
    }
    const int shift = uniform_int(rng_, std::max(-options_.pitch_shift, -range.first),
                                  std::min(options_.pitch_shift, kPitches - 1 - range.second));
    last_file_ = file;
    last_offset_ = offset;
    last_shift_ = shift;
    return dataset_->crop(file, offset, length, shift, options_.tracks);
}

}  // namespace fm
