// local_ranks.h — `fractalmidi train --nproc_per_node N`: this machine's N ranks of a data-parallel job, started the way
// torchrun starts them (RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT in each one's environment; a free
// loopback port unless MASTER_PORT is set; OMP_NUM_THREADS the cores shared out unless set), each the same command
// without the flag. Waits for all of them. Ctrl+C reaches every rank (they save and stop together); a rank that
// fails is named, and the others, which stop on their own within the rank timeout, are ended after a grace period.
//
//   std::string failed = fmcli::run_local_ranks(2, {"train", "--train_data", "songs/", ...});
//   if (!failed.empty()) throw fm::Error("training stopped: " + failed);   // "rank 1 of 2 was ended by signal 9 (Killed)"
#pragma once

#include <string>
#include <vector>

namespace fmcli {

// The program's own path is /proc/self/exe; `args` are its arguments after the program name. Returns what the first
// rank to fail did ("" when every rank exited with 0); later failures are printed as they come.
std::string run_local_ranks(int n, const std::vector<std::string>& args, int grace_s = 15);

// argv without "--nproc_per_node N" / "--nproc_per_node=N" (and without argv[0]).
std::vector<std::string> without_nproc_flag(int argc, char** argv);

// The process's argv, kept by main() for commands that start copies of themselves.
void keep_argv(int argc, char** argv);
std::vector<std::string> own_args_without_nproc_flag();

}  // namespace fmcli
