// fractalmidi dataset --train_data DIR_OR_LIST --cache FILE — build the training cache and summarise it.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "commands.h"
#include "interrupt.h"
#include "core/dataset.h"
#include "core/error.h"

namespace fmcli {

namespace {

struct DatasetArgs {
    std::string source, cache;
    int crop_length = 128;
    bool keep_drums = false, align_beats = false;
    double val_fraction = 0.1;
    uint64_t seed = 0;
};

void run_dataset(const DatasetArgs& a) {
    fm::check_width(a.crop_length);
    fm::CacheOptions opt;
    opt.import.keep_drums = a.keep_drums;
    opt.import.align_beats = a.align_beats;
    int last_shown = -1;
    fm::CacheSummary s;
    {
        Interrupt stop;   // Ctrl+C while reading: nothing is written
        s = fm::build_cache(a.source, a.cache, opt, [&](const fm::Progress& p) {
            const int pct = p.of > 0 ? p.step * 100 / p.of : 100;
            if (pct != last_shown) {
                std::fprintf(stderr, "\rreading MIDI files: %d/%d (%d%%)", p.step, p.of, pct);
                last_shown = pct;
            }
        }, stop.flag());
    }
    std::fprintf(stderr, "\n");
    if (s.cancelled) throw fm::Error("interrupted; the cache was not written", a.cache);
    for (const fm::CacheFailure& f : s.failures) std::printf("skipped %s: %s\n", f.path.c_str(), f.reason.c_str());
    std::printf("files: %d found, %d usable, %d without notes, %d failed (%d reused from the previous cache)\n", s.files,
                s.usable, s.empty, s.failed, s.reused);
    std::printf("notes: %lld; length: %lld steps (%.1f bars)\n", (long long)s.notes, (long long)s.steps, s.steps / 16.0);

    const fm::Dataset ds = fm::Dataset::open(a.cache);
    const fm::Split split = fm::split_files(ds, a.val_fraction, a.seed);
    long long crops = 0;
    for (int i = 0; i < ds.size(); ++i) crops += (ds.file(i).width + a.crop_length - 1) / a.crop_length;
    std::printf("split (seed %llu, %.0f%% validation): %zu train files, %zu validation files\n", (unsigned long long)a.seed,
                a.val_fraction * 100, split.train.size(), split.val.size());
    std::printf("crops of %d steps: about %lld non-overlapping windows\n", a.crop_length, crops);
    std::printf("wrote %s\n", a.cache.c_str());
}

}  // namespace

void add_dataset_command(CLI::App& app) {
    auto a = std::make_shared<DatasetArgs>();
    CLI::App* cmd = app.add_subcommand("dataset", "Build (or bring up to date) the training cache of a folder or list of MIDI files");
    cmd->add_option("--train_data", a->source, "Folder of .mid/.midi files (recursive) or a list file, one path per line")->required();
    cmd->add_option("--cache", a->cache, "Cache file to write; rebuilt only where source files changed")->required();
    cmd->add_option("--crop_length", a->crop_length, "Crop length in steps for the summary (multiple of 4)")->capture_default_str();
    cmd->add_option("--val_fraction", a->val_fraction, "Share of files held out for validation")->capture_default_str()->check(CLI::Range(0.0, 1.0));
    cmd->add_option("--seed", a->seed, "Seed of the train/validation split")->capture_default_str();
    cmd->add_flag("--keep_drums", a->keep_drums, "Keep channel 10 (percussion)");
    cmd->add_flag("--align_beats", a->align_beats, "Start each file's roll 0-3 steps later so that its beats fall on every 4th step");
    cmd->callback([a] { run_dataset(*a); });
}

}  // namespace fmcli
