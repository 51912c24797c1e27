// distributed.h — one rank of a data-parallel job on LibTorch's c10d, started the way torchrun starts ranks:
// RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT from the environment, rendezvous through a c10d TCPStore
// on rank 0, collectives through a Gloo process group (on CPU tensors). A rank that dies or hangs makes the others'
// collectives fail within the timeout with an fm::Error that names the operation and the ranks that went missing
// where it can tell, instead of hanging.
//
//   fm::DistEnv env = fm::dist_env();                         // world 1 when the variables are not set
//   auto group = fm::ProcessGroup::join(env, std::chrono::seconds(60));
//   group->all_reduce_sum(grads);                            // in place, one flat bucket per call
//   fm::GradientReducer reducer(*group, trainable);          // or: gradients summed while backward still runs
//   loss.backward(); reducer.finish();                       // every parameter's .grad is now the ranks' sum
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
    // Starts summing one flat CPU float tensor over the ranks, in place, and returns at once; the returned function
    // waits for the sum (fm::Error naming the missing rank on failure). Calls start in the same order on every rank.
    virtual std::function<void()> start_all_reduce_sum(torch::Tensor flat) = 0;
    virtual void broadcast(std::vector<torch::Tensor>& tensors, int root) = 0;
    virtual void barrier() = 0;

protected:
    ProcessGroup(int rank, int world) : rank_(rank), world_(world) {}
    int rank_, world_;
};

// Data-parallel gradients, summed over the ranks in buckets while backward is still running (what PyTorch's DDP does
// with its Reducer, kept small here): the parameters in reverse order (about the order backward reaches them), cut
// into buckets of up to `bucket_bytes`; a hook on each parameter copies its gradient into its bucket, and a full
// bucket starts its all-reduce at once, buckets always in the same order on every rank. finish() sends the rest (a
// parameter no gradient reached this step counts as zero), waits, and writes each parameter's .grad as the sum.
// One backward between finish() calls. Thread-safety: the hooks may run on autograd's threads (a mutex); finish() on
// the thread that ran backward.
class GradientReducer {
public:
    GradientReducer(ProcessGroup& group, std::vector<torch::Tensor> params, int64_t bucket_bytes = int64_t(1) << 21);
    ~GradientReducer();
    GradientReducer(const GradientReducer&) = delete;
    GradientReducer& operator=(const GradientReducer&) = delete;
    void finish();
    int buckets() const;
    // Buckets whose all-reduce started before finish() in the last step: the overlap with backward.
    int started_early() const { return started_early_; }

private:
    struct Bucket;
    void on_grad(size_t param, const torch::Tensor& grad);
    void launch_ready();   // starts the next buckets in order while they are full (lock held)
    ProcessGroup& group_;
    std::vector<torch::Tensor> params_;
    std::vector<unsigned> hooks_;
    std::vector<std::unique_ptr<Bucket>> buckets_;
    std::vector<std::pair<size_t, int64_t>> where_;   // per parameter: its bucket and offset
    std::vector<char> got_;
    size_t next_ = 0;
    int started_early_ = 0;
    bool late_ = false;
    struct Lock;
    std::unique_ptr<Lock> lock_;
};

}  // namespace fm
