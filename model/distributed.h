// distributed.h — one rank of a data-parallel job on LibTorch's c10d, started the way torchrun starts ranks:
// RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT from the environment, rendezvous through a c10d TCPStore
// on rank 0, collectives through a Gloo process group (on CPU tensors). A rank that dies or hangs makes the others'
// collectives fail within the timeout with an fm::Error that names the operation and the ranks that went missing
// where it can tell, instead of hanging.
//
//   fm::DistEnv env = fm::dist_env();                         // world 1 when the variables are not set
//   auto group = fm::ProcessGroup::join(env, std::chrono::seconds(60));
//   group->all_reduce_sum(grads);                            // in place, one flat bucket per call
//
// Builds without c10d's Gloo headers (libgloo-dev) have fm::ProcessGroup for a world of 1 only; join() refuses
// more ranks with an error that says what to install. Thread-safety: one thread per group.
#pragma once

#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace fm {

struct DistEnv {
    int rank = 0, world = 1, local_rank = 0;
    std::string master_addr = "127.0.0.1";
    int master_port = 29500;
};

// From RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT (torchrun's names); a world of 1 when WORLD_SIZE is unset.
// fm::Error names a variable that is set but not valid (not a number, rank outside the world, port outside 1..65535).
DistEnv dist_env(const std::function<const char*(const char*)>& get = [](const char* name) { return std::getenv(name); });

// True when this build has c10d's Gloo process group (more than one rank possible).
bool have_c10d();

class ProcessGroup {
public:
    virtual ~ProcessGroup() = default;
    // Rendezvous with the other ranks (each waits for all of them, up to `timeout`), or a world of 1 with no sockets.
    // A process joining a world of 2 or more ignores SIGPIPE from then on (a dead peer's socket must fail a write, not
    // end the process).
    static std::unique_ptr<ProcessGroup> join(const DistEnv& env, std::chrono::milliseconds timeout);

    int rank() const { return rank_; }
    int world() const { return world_; }
    // Sums the tensors over the ranks, in place (one flat buffer, so one collective per call). CPU float tensors.
    virtual void all_reduce_sum(std::vector<torch::Tensor>& tensors) = 0;
    virtual double all_reduce_sum(double value) = 0;
    virtual void broadcast(std::vector<torch::Tensor>& tensors, int root) = 0;
    virtual void barrier() = 0;

protected:
    ProcessGroup(int rank, int world) : rank_(rank), world_(world) {}
    int rank_, world_;
};

}  // namespace fm
