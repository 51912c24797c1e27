// dataset.h — a training set: MIDI sources -> one compact, memory-mapped cache -> random roll crops.
//
//   fm::CacheOptions opt;                                   // defaults below
//   fm::CacheSummary s = fm::build_cache("pop909/", "pop909.fmcache", opt, progress, &cancel);
//   fm::Dataset ds = fm::Dataset::open("pop909.fmcache");   // throws fm::Error on a bad or stale file
//   fm::Split split = fm::split_files(ds, 0.1, 42);         // by file, deterministic by seed
//   fm::CropSampler train(ds, split.train, {128, 5, 42});    // crop_length, pitch_shift, seed
//   fm::Roll x = train.next();                              // 128 x 128, never all silent
//
// The cache file (one per data set, notes not rolls: POP909 is ~10 MB) is described in core/dataset_cache.h.
// Thread-safety: a Dataset is immutable once open and may be shared by threads; a CropSampler is one thread's.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "midi_roll.h"
#include "notes.h"
#include "progress.h"
#include "roll.h"

namespace fm {

// A source is a folder (searched recursively for .mid/.midi, any case) or a list file with one path per line
// (blank lines and lines starting with # skipped; relative paths are relative to the list file's folder).
// A single .mid/.midi file is a source of one. Sorted, absolute paths (a listed path need not exist: building
// the cache then reports it as failed). Throws fm::Error when the source does not exist or holds no MIDI file.
std::vector<std::string> list_midi_sources(const std::string& dir_or_list);

struct CacheOptions {
    ImportOptions import;          // drums, grid phase: part of the cache's identity
    // "": every file's tracks merged into one roll (as load_midi reads it). Else a track map (core/track_rolls.h,
    // parse_track_map; not "auto": every file must give the same tracks): notes keep their roll track. Part of the
    // cache's identity too.
    std::string track_map;
};

struct CacheFailure {
    std::string path;
    std::string reason;
};

struct CacheSummary {
    int files = 0;           // MIDI files found in the source
    int usable = 0;          // parsed, with at least one note
    int empty = 0;           // parsed, but no note on a kept channel
    int failed = 0;          // could not be read (see failures)
    int reused = 0;          // entries taken unchanged from the previous cache
    int64_t notes = 0;       // notes in the usable files
    int64_t steps = 0;       // total length of the usable files, in steps
    bool cancelled = false;  // cancel was set: nothing was written
    std::vector<CacheFailure> failures;
};

// Parses every source file (reusing entries of an existing cache at `cache_path` whose file size and
// modification time are unchanged and whose options match), then writes the cache atomically.
// Progress: (0, files done, files). Cancel: stops, writes nothing, summary.cancelled = true.
CacheSummary build_cache(const std::string& dir_or_list, const std::string& cache_path, const CacheOptions& options = {},
                         const ProgressFn& progress = {}, const CancelFlag* cancel = nullptr);

// True when the cache at `cache_path` exists, is readable, matches `options` and every source file in it is
// unchanged (same set of files, sizes and modification times).
bool cache_is_current(const std::string& dir_or_list, const std::string& cache_path, const CacheOptions& options = {});

struct DatasetFile {
    std::string path;        // absolute path of the source MIDI file
    int width = 0;           // steps
    int note_count = 0;
    double bpm = 0;          // the tempo that holds longest (to 2 bpm; 120 when the file has no tempo map)
};

class Dataset {
public:
    // Memory-maps a cache written by build_cache. Throws fm::Error(reason, path) when it is missing, truncated,
    // of another format version (the message says to rebuild it) or corrupt.
    static Dataset open(const std::string& cache_path);

    Dataset(Dataset&&) noexcept;
    Dataset& operator=(Dataset&&) noexcept;
    ~Dataset();

    // The cache also lists the files without notes and those that failed (so that an unchanged one is not read
    // again); they are not exposed here: indices run over the usable files, in path order.
    int size() const;                             // usable files (files with notes)
    DatasetFile file(int index) const;
    std::vector<StepNote> notes(int index) const; // the file's notes, sorted by start
    // The file's roll from `offset`, `width` steps (steps past its end silent), pitches shifted by `pitch_shift`
    // (notes shifted out of 0..127 are dropped). tracks > 1: a roll of tracks x 128 rows, each note in its track's
    // (a cache built with a track map); 1: every note in one 128-row roll.
    Roll crop(int index, int offset, int width, int pitch_shift = 0, int tracks = 1) const;
    // True when any note sounds in [offset, offset + width).
    bool has_notes(int index, int offset, int width) const;
    // Lowest and highest pitch used by the file.
    std::pair<int, int> pitch_range(int index) const;
    // Lowest and highest pitch of the notes sounding in [offset, offset + width); (128, -1) when none does.
    std::pair<int, int> pitch_range(int index, int offset, int width) const;

private:
    struct Impl;
    explicit Dataset(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

struct Split {
    std::vector<int> train;   // dataset indices
    std::vector<int> val;
};

// Each file goes to validation when a hash of (its path relative to the common folder, seed) falls below
// val_fraction: deterministic, and a file keeps its side when others are added or removed.
Split split_files(const Dataset& dataset, double val_fraction, uint64_t seed);

struct CropOptions {
    int crop_length = 128;    // steps; a positive multiple of 4
    int pitch_shift = 0;      // augmentation: uniform shift in [-pitch_shift, +pitch_shift] that keeps all notes in 0..127
    uint64_t seed = 0;
    int align = 1;            // crops start on multiples of this many steps (16: on a bar line in 4/4)
    int tracks = 1;           // crops of this many tracks (Dataset::crop)
};

// Random crops of the given files: uniform over files, then over start steps, skipping all-silent windows.
// Files shorter than crop_length are padded with silence.
class CropSampler {
public:
    CropSampler(const Dataset& dataset, std::vector<int> files, CropOptions options);
    Roll next();
    int last_file() const { return last_file_; }    // index of the file the last crop came from
    int last_offset() const { return last_offset_; }
    int last_shift() const { return last_shift_; }

private:
    const Dataset* dataset_;
    std::vector<int> files_;
    CropOptions options_;
    std::mt19937_64 rng_;
    int last_file_ = -1, last_offset_ = 0, last_shift_ = 0;
};

}  // namespace fm
