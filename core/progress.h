// progress.h — the one progress/cancel pair that every long piece of work takes.
//
//   std::atomic<bool> cancel{false};
//   fm::ProgressFn progress = [](const fm::Progress& p) { std::printf("%d/%d\n", p.step, p.of); };
//   build_cache(..., progress, &cancel);   // returns early (partial result) once cancel is set
//
// Thread-safety: the callback is called on the worker's thread; it must not block for long.
#pragma once

#include <atomic>
#include <functional>

namespace fm {

struct Roll;

struct Progress {
    int level = 0;                  // model level (0 = coarsest); 0 for single-stage work
    int step = 0;                   // steps done so far at this level
    int of = 0;                     // steps at this level
    const Roll* canvas = nullptr;   // current canvas, when the work has one (valid during the call only)
    int window = 0;                 // generation: which of the run's windows (0-based; a roll wider than the model's
    int windows = 1;                //   trained width is generated in overlapping windows, each a full level-0 pass)
};

using ProgressFn = std::function<void(const Progress&)>;
using CancelFlag = std::atomic<bool>;

inline bool cancelled(const CancelFlag* cancel) {
    return cancel != nullptr && cancel->load(std::memory_order_relaxed);
}

}  // namespace fm
