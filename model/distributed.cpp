#include "model/distributed.h"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "core/error.h"

#ifdef FM_HAVE_C10D
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

namespace fm {

namespace {

int int_var(const std::function<const char*(const char*)>& get, const char* name, int fallback, int low, int high) {
    const char* v = get(name);
    if (v == nullptr || *v == '\0') return fallback;
    char* end = nullptr;
    const long x = std::strtol(v, &end, 10);
    if (end == v || *end != '\0' || x < low || x > high)
        throw Error(std::string(name) + "='" + v + "' is not a whole number within " + std::to_string(low) + ".." + std::to_string(high));
    return int(x);
}

// A world of one: every collective is the identity.
class SoloGroup : public ProcessGroup {
public:
    SoloGroup() : ProcessGroup(0, 1) {}
    void all_reduce_sum(std::vector<torch::Tensor>&) override {}
    double all_reduce_sum(double value) override { return value; }
    std::function<void()> start_all_reduce_sum(torch::Tensor) override {
        return [] {};
    }
    void broadcast(std::vector<torch::Tensor>&, int) override {}
    void barrier() override {}
};

#ifdef FM_HAVE_C10D
// LibTorch 2.x's TCPStore serves through libuv by default, which Debian's build lacks (it then refuses to start):
// the classic server where the option exists, nothing to do where it does not (1.13).
template <class O>
auto classic_store_server(O& o, int) -> decltype(o.useLibUV = false, void()) {
    o.useLibUV = false;
}
template <class O>
void classic_store_server(O&, long) {}

class GlooGroup : public ProcessGroup {
public:
    GlooGroup(const DistEnv& env, std::chrono::milliseconds timeout) : ProcessGroup(env.rank, env.world), timeout_(timeout) {
        c10d::TCPStoreOptions so;
        so.port = uint16_t(env.master_port);
        so.isServer = env.rank == 0;
        so.numWorkers = size_t(env.world);
        so.waitWorkers = true;
        so.timeout = timeout;
        classic_store_server(so, 0);
        try {
            store_ = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
            auto options = c10d::ProcessGroupGloo::Options::create(timeout);
            options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(env.master_addr == "localhost" ? "127.0.0.1" : env.master_addr));
            group_ = c10::make_intrusive<c10d::ProcessGroupGloo>(store_, env.rank, env.world, options);
        } catch (const std::exception& e) {
            throw Error("rank " + std::to_string(env.rank) + " of " + std::to_string(env.world) + ": no rendezvous at " + env.master_addr + ":" +
                        std::to_string(env.master_port) + " within " + std::to_string(timeout.count() / 1000) + " s (" + first_line(e.what()) + ")");
        }
    }

    void all_reduce_sum(std::vector<torch::Tensor>& tensors) override {
        if (tensors.empty()) return;
        std::vector<torch::Tensor> flat_parts;
        for (const auto& t : tensors) flat_parts.push_back(t.detach().reshape({-1}).to(torch::kFloat32));
        std::vector<at::Tensor> bucket = {torch::cat(flat_parts)};
        run("all_reduce", [&] { return group_->allreduce(bucket); });
        keep(bucket);
        int64_t at = 0;
        for (auto& t : tensors) {
            const int64_t n = t.numel();
            torch::NoGradGuard no_grad;
            t.copy_(bucket[0].slice(0, at, at + n).view(t.sizes()));
            at += n;
        }
    }

    double all_reduce_sum(double value) override {
        std::vector<at::Tensor> b = {torch::tensor({value}, torch::kFloat64)};
        run("all_reduce", [&] { return group_->allreduce(b); });
        keep(b);
        return b[0].item<double>();
    }

    std::function<void()> start_all_reduce_sum(torch::Tensor flat) override {
        std::vector<at::Tensor> b = {flat};
        try {
            auto work = group_->allreduce(b);
            return [this, work, b] {
                try {
                    work->wait(timeout_);
                } catch (const std::exception& e) {
                    fail("all_reduce", e);
                }
            };
        } catch (const std::exception& e) {
            fail("all_reduce", e);
        }
    }

    void broadcast(std::vector<torch::Tensor>& tensors, int root) override {
        for (auto& t : tensors) {
            std::vector<at::Tensor> b = {t.detach().contiguous()};
            c10d::BroadcastOptions o;
            o.rootRank = root;
            run("broadcast", [&] { return group_->broadcast(b, o); });
            keep(b);
            torch::NoGradGuard no_grad;
            if (b[0].data_ptr() != t.data_ptr()) t.copy_(b[0]);
        }
    }

    void barrier() override {
        run("barrier", [&] { return group_->barrier(); });
    }

private:
    static std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

    // The buffers of the last collective stay referenced here until the next one, so that ours is their last
    // reference: Gloo's worker thread has long dropped its own by then. (Otherwise the worker may free them, inside
    // libtorch, after this thread let go: harmless, but ThreadSanitizer cannot see libtorch's atomics order the two.)
    void keep(const std::vector<at::Tensor>& buffers) {
        kept_.push_back(buffers);
        if (kept_.size() > 2) kept_.erase(kept_.begin());
    }
    std::vector<std::vector<at::Tensor>> kept_;

    template <class F>
    void run(const char* what, F&& start) {
        try {
            auto work = start();
            work->wait(timeout_);
        } catch (const std::exception& e) {
            fail(what, e);
        }
    }

    [[noreturn]] void fail(const char* what, const std::exception& e) const {
        // Which rank went missing: with two it can only be the other one.
        const std::string who = world_ == 2 ? "rank " + std::to_string(1 - rank_) : "another rank";
        throw Error("rank " + std::to_string(rank_) + " of " + std::to_string(world_) + ": " + what + " failed: " + who +
                    " stopped answering within " + std::to_string(timeout_.count() / 1000) + " s or closed its connection (" +
                    first_line(e.what()) + ")");
    }

    std::chrono::milliseconds timeout_;
    c10::intrusive_ptr<c10d::TCPStore> store_;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group_;
};
#endif

}  // namespace

DistEnv dist_env(const std::function<const char*(const char*)>& get) {
    DistEnv e;
    e.world = int_var(get, "WORLD_SIZE", 1, 1, 65536);
    e.rank = int_var(get, "RANK", 0, 0, e.world - 1);
    e.local_rank = int_var(get, "LOCAL_RANK", e.rank, 0, e.world - 1);
    if (const char* a = get("MASTER_ADDR"); a != nullptr && *a != '\0') e.master_addr = a;
    e.master_port = int_var(get, "MASTER_PORT", 29500, 1, 65535);
    return e;
}

bool have_c10d() {
#ifdef FM_HAVE_C10D
    return true;
#else
    return false;
#endif
}

std::unique_ptr<ProcessGroup> ProcessGroup::join(const DistEnv& env, std::chrono::milliseconds timeout) {
    if (env.world <= 1) return std::make_unique<SoloGroup>();
#ifdef FM_HAVE_C10D
    // A peer that dies leaves a socket whose next write raises SIGPIPE, which would end this rank silently; ignored, the
    // write fails and the collective reports which rank went missing. (A process-wide setting, made only by a process
    // that becomes a rank.)
    std::signal(SIGPIPE, SIG_IGN);
    return std::make_unique<GlooGroup>(env, timeout);
#else
    (void)timeout;
    throw Error("WORLD_SIZE=" + std::to_string(env.world) + ": this build has no c10d process groups (install libgloo-dev and rebuild)");
#endif
}

struct GradientReducer::Bucket {
    torch::Tensor flat;
    std::vector<size_t> members;
    size_t ready = 0;
    std::function<void()> wait;   // set once started
};

struct GradientReducer::Lock {
    std::mutex m;
};

GradientReducer::GradientReducer(ProcessGroup& group, std::vector<torch::Tensor> params, int64_t bucket_bytes)
    : group_(group), params_(std::move(params)), lock_(std::make_unique<Lock>()) {
    where_.resize(params_.size());
    got_.assign(params_.size(), 0);
    const int64_t cap = std::max<int64_t>(1, bucket_bytes / int64_t(sizeof(float)));
    int64_t filled = cap;
    std::vector<int64_t> sizes;
    for (size_t k = params_.size(); k-- > 0;) {   // the last parameters first: backward reaches them first
        const int64_t n = params_[k].numel();
        if (buckets_.empty() || filled + n > cap) buckets_.push_back(std::make_unique<Bucket>()), sizes.push_back(0), filled = 0;
        where_[k] = {buckets_.size() - 1, filled};
        buckets_.back()->members.push_back(k);
        filled += n, sizes.back() += n;
    }
    for (size_t b = 0; b < buckets_.size(); ++b)
        buckets_[b]->flat = torch::zeros({sizes[b]}, torch::TensorOptions().dtype(torch::kFloat32).device(params_.at(buckets_[b]->members[0]).device()));
    for (size_t k = 0; k < params_.size(); ++k)
        hooks_.push_back(params_[k].register_hook([this, k](const torch::Tensor& grad) { on_grad(k, grad); }));
}

GradientReducer::~GradientReducer() {
    for (size_t k = 0; k < params_.size(); ++k) params_[k].remove_hook(hooks_[k]);
}

int GradientReducer::buckets() const { return int(buckets_.size()); }

void GradientReducer::on_grad(size_t k, const torch::Tensor& grad) {
    std::lock_guard<std::mutex> hold(lock_->m);
    Bucket& b = *buckets_[where_[k].first];
    torch::NoGradGuard no_grad;
    auto slot = b.flat.slice(0, where_[k].second, where_[k].second + params_[k].numel());
    if (got_[k]) {   // a second gradient for one parameter in one backward: added, unless its bucket already left
        if (b.wait) late_ = true;
        else slot.add_(grad.detach().reshape({-1}).to(torch::kFloat32));
        return;
    }
    slot.copy_(grad.detach().reshape({-1}));
    got_[k] = 1;
    ++b.ready;
    launch_ready();
}

void GradientReducer::launch_ready() {
    while (next_ < buckets_.size() && buckets_[next_]->ready == buckets_[next_]->members.size()) {
        Bucket& b = *buckets_[next_++];
        b.wait = group_.start_all_reduce_sum(b.flat);
    }
}

void GradientReducer::finish() {
    {
        std::lock_guard<std::mutex> hold(lock_->m);
        started_early_ = int(next_);
        for (size_t i = next_; i < buckets_.size(); ++i) {   // parameters no gradient reached: zero
            Bucket& b = *buckets_[i];
            for (size_t k : b.members)
                if (!got_[k]) {
                    b.flat.slice(0, where_[k].second, where_[k].second + params_[k].numel()).zero_();
                    got_[k] = 1, ++b.ready;
                }
        }
        launch_ready();
    }
    std::exception_ptr failed;
    for (auto& b : buckets_) {   // every started collective is waited for, even after one failed
        try {
            b->wait();
        } catch (...) {
            if (!failed) failed = std::current_exception();
        }
    }
    const bool late = late_;
    next_ = 0, late_ = false;
    std::fill(got_.begin(), got_.end(), 0);
    for (auto& b : buckets_) b->ready = 0, b->wait = nullptr;
    if (failed) std::rethrow_exception(failed);
    if (late) throw Error("data-parallel step: a gradient arrived after its bucket had been sent (a parameter used by two backward passes?)");
    torch::NoGradGuard no_grad;
    for (size_t k = 0; k < params_.size(); ++k) {
        auto sum = buckets_[where_[k].first]->flat.slice(0, where_[k].second, where_[k].second + params_[k].numel()).view(params_[k].sizes());
        if (!params_[k].grad().defined()) params_[k].mutable_grad() = torch::zeros_like(params_[k]);
        params_[k].mutable_grad().copy_(sum);
    }
}

}  // namespace fm
