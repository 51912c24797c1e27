// threads.h — how many cores torch's work on the calling thread uses; no torch in this header (the studio's main
// includes it).
//
//   fm::use_threads(0);   // every core (or OMP_NUM_THREADS), at a program's start
#pragma once

namespace fm {

// Intra-op threads for torch's work on the calling thread: n; when n <= 0, OMP_NUM_THREADS if the environment sets
// it (the usual way to cap a program's threads; the tests set 1), else every core. With OpenMP (Debian's LibTorch and
// PyTorch's) the count is each thread's own, so generation on one thread and training on another keep theirs. A
// program sets it once at its start (the CLI from --threads, the studio every core); train() and bench() set it for
// their own thread from their parameters; loading or making a model and generating never change it. LibTorch also
// keeps n as the count that threads which have not yet run a parallel op start with.
void use_threads(int n);

}  // namespace fm
