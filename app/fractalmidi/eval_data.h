// eval_data.h — the evaluation commands' data: a source's crops, cached in a scratch file (eval, eval-conditions).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/dataset.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/roll.h"

namespace fmcli {

// A source's dataset cache in a scratch file of our own (two evals at once must not share one), removed when done.
class ScratchDataset {
public:
    explicit ScratchDataset(const std::string& source, const fm::CacheOptions& options = {})
        : scratch_("fractalmidi-eval", ".fmcache"), ds_(open(source, scratch_.path(), options)) {}
    const fm::Dataset& get() const { return ds_; }

private:
    static fm::Dataset open(const std::string& source, const std::string& cache, const fm::CacheOptions& options) {
        fm::build_cache(source, cache, options);
        fm::Dataset ds = fm::Dataset::open(cache);
        if (ds.size() == 0) throw fm::Error("no usable MIDI file", source);
        return ds;
    }
    fm::ScratchPath scratch_;
    fm::Dataset ds_;
};

// `n` random bar-aligned crops of `length` steps (never all silent) from all of the dataset's files; `tracks`: the
// cache's tracks (stacked crops of tracks x 128 rows).
inline std::vector<fm::Roll> bar_crops(const fm::Dataset& ds, int n, int length, uint64_t seed, int tracks = 1) {
    std::vector<int> files(size_t(ds.size()));
    for (int i = 0; i < ds.size(); ++i) files[size_t(i)] = i;
    fm::CropSampler sampler(ds, files, {length, 0, seed, fm::kStepsPerBar, tracks});
    std::vector<fm::Roll> crops;
    for (int i = 0; i < n; ++i) crops.push_back(sampler.next());
    return crops;
}

}  // namespace fmcli
