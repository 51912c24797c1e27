// c10d process groups for data-parallel training: the torchrun environment read and checked, two real Gloo ranks on
// loopback (the second one a forked process) summing and broadcasting tensors, and a dead or missing rank making
// the other one fail within its timeout with a message naming it, instead of hanging.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>

#include "core/error.h"
#include "model/checkpoint.h"
#include "model/distributed.h"
#include "model/trainer.h"
#include "support/test_support.h"

namespace {

int free_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET, a.sin_addr.s_addr = htonl(INADDR_LOOPBACK), a.sin_port = 0;
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t n = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &n);
    ::close(s);
    return ntohs(a.sin_port);
}

fm::DistEnv env(int rank, int port) {
    fm::DistEnv e;
    e.rank = rank, e.world = 2, e.local_rank = rank, e.master_port = port;
    return e;
}

// Runs `child` as rank 1 in a forked process; returns its pid (the child _exits with child()'s result).
template <class F>
pid_t fork_rank(F&& child) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        int code = 3;
        try {
            code = child();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "forked rank: %s\n", e.what());
            code = 2;
        } catch (...) {
            code = 2;
        }
        ::_exit(code);
    }
    return pid;
}

int wait_exit(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

TEST(Distributed, TheTorchrunEnvironmentIsReadAndChecked) {
    std::map<std::string, std::string> vars;
    auto get = [&](const char* name) -> const char* {
        auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
    };
    fm::DistEnv solo = fm::dist_env(get);
    EXPECT_EQ(solo.world, 1);
    EXPECT_EQ(solo.rank, 0);
    vars = {{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "node7"}, {"MASTER_PORT", "29611"}};
    const fm::DistEnv e = fm::dist_env(get);
    EXPECT_EQ(e.rank, 1);
    EXPECT_EQ(e.world, 2);
    EXPECT_EQ(e.local_rank, 1);
    EXPECT_EQ(e.master_addr, "node7");
    EXPECT_EQ(e.master_port, 29611);
    vars["RANK"] = "2";   // outside the world
    EXPECT_THROW(fm::dist_env(get), fm::Error);
    vars["RANK"] = "0", vars["MASTER_PORT"] = "port";
    EXPECT_THROW(fm::dist_env(get), fm::Error);
    vars["MASTER_PORT"] = "70000";
    EXPECT_THROW(fm::dist_env(get), fm::Error);
}

TEST(Distributed, TwoGlooRanksSumAndBroadcastTensors) {
    if (!fm::have_c10d()) GTEST_SKIP() << "built without c10d's Gloo headers (libgloo-dev)";
    const int port = free_port();
    auto body = [port](int rank) {
        auto group = fm::ProcessGroup::join(env(rank, port), std::chrono::seconds(30));
        std::vector<torch::Tensor> t = {torch::full({3}, float(rank + 1)), torch::full({2, 2}, float(10 * (rank + 1)))};
        group->all_reduce_sum(t);
        bool ok = torch::equal(t[0], torch::full({3}, 3.0f)) && torch::equal(t[1], torch::full({2, 2}, 30.0f));
        ok = ok && group->all_reduce_sum(rank + 0.5) == 2.0;
        std::vector<torch::Tensor> b = {rank == 0 ? torch::tensor({7.0f, 8.0f}) : torch::zeros({2})};
        group->broadcast(b, 0);
        ok = ok && torch::equal(b[0], torch::tensor({7.0f, 8.0f}));
        group->barrier();
        return ok ? 0 : 1;
    };
    const pid_t child = fork_rank([&] { return body(1); });
    EXPECT_EQ(body(0), 0);
    EXPECT_EQ(wait_exit(child), 0);
}

TEST(Distributed, ADeadRankMakesTheOtherStopWithinTheTimeoutNamingIt) {
    if (!fm::have_c10d()) GTEST_SKIP() << "built without c10d's Gloo headers (libgloo-dev)";
    const int port = free_port();
    const pid_t child = fork_rank([&] {
        auto group = fm::ProcessGroup::join(env(1, port), std::chrono::seconds(30));
        group->barrier();
        ::raise(SIGKILL);   // dies after the rendezvous and a barrier, before the first sum
        return 0;
    });
    auto group = fm::ProcessGroup::join(env(0, port), std::chrono::seconds(5));
    group->barrier();
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<torch::Tensor> t = {torch::ones({4})};
    try {
        group->all_reduce_sum(t);
        ADD_FAILURE() << "the collective with a dead rank returned";
    } catch (const fm::Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("rank 1"), std::string::npos) << what;
        EXPECT_NE(what.find("all_reduce"), std::string::npos) << what;
    }
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
    EXPECT_EQ(wait_exit(child), 128 + SIGKILL);
}

TEST(Distributed, AMissingRankFailsTheRendezvousInsteadOfHanging) {
    if (!fm::have_c10d()) GTEST_SKIP() << "built without c10d's Gloo headers (libgloo-dev)";
    const auto t0 = std::chrono::steady_clock::now();
    try {
        fm::ProcessGroup::join(env(0, free_port()), std::chrono::seconds(2));
        ADD_FAILURE() << "joined a world of 2 alone";
    } catch (const fm::Error& e) {
        EXPECT_NE(std::string(e.what()).find("no rendezvous"), std::string::npos) << e.what();
    }
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(20));
}

// The reducer sums gradients bucket by bucket while backward runs: every parameter's .grad becomes the sum over the
// ranks, the buckets of the last layers start before backward has finished, and a parameter that got no gradient on
// one rank counts as zero there.
TEST(Distributed, TheReducerSumsGradientsInBucketsDuringBackward) {
    if (!fm::have_c10d()) GTEST_SKIP() << "built without c10d's Gloo headers (libgloo-dev)";
    const int port = free_port();
    auto body = [port](int rank) {
        auto group = fm::ProcessGroup::join(env(rank, port), std::chrono::seconds(30));
        torch::manual_seed(3);
        torch::nn::Linear a(8, 16), b(16, 16), c(16, 4), unused(4, 4);
        std::vector<torch::Tensor> params;
        for (auto* m : {&a, &b, &c, &unused})
            for (auto& t : (*m)->parameters()) params.push_back(t);
        bool ok = true;
        fm::GradientReducer reducer(*group, params, 300 * 4);   // a bucket of 300 floats: one per layer or so
        ok = ok && reducer.buckets() >= 3;
        for (int step = 0; step < 2; ++step) {   // twice: the reducer starts each step afresh
            for (auto& t : params) t.mutable_grad() = torch::Tensor();
            auto x = torch::full({2, 8}, float(rank + 1 + step));
            auto y = c(torch::relu(b(torch::relu(a(x)))));
            if (rank == 1) y = y + unused(y).sum();   // only rank 1 reaches `unused`
            y.pow(2).sum().backward();
            std::vector<torch::Tensor> mine;
            for (auto& t : params) mine.push_back(t.grad().defined() ? t.grad().clone() : torch::zeros_like(t));
            reducer.finish();
            std::vector<torch::Tensor> summed = mine;
            group->all_reduce_sum(summed);   // the plain sum, one bucket after backward
            for (size_t k = 0; k < params.size(); ++k) ok = ok && torch::allclose(params[k].grad(), summed[k], 1e-6, 1e-6);
            // Rank 1 sent every bucket during backward. Rank 0 sent none: `unused`, in the first bucket (the last
            // layer's), got no gradient there, and buckets leave in order on every rank.
            ok = ok && reducer.started_early() == (rank == 1 ? reducer.buckets() : 0);
        }
        return ok ? 0 : 1;
    };
    const pid_t child = fork_rank([&] { return body(1); });
    EXPECT_EQ(body(0), 0);
    EXPECT_EQ(wait_exit(child), 0);
}

// A small corpus and a run's settings for the data-parallel tests: fp32 and a small lr, so that the ranks' other
// roundings of half a batch stay far below the tolerance (Adam turns any difference into steps of up to lr on weights
// whose gradient is near zero), where a wrong split or a missing gradient would not.
struct DataParallelRun {
    std::string data = fmtest::temp_dir("corpus");
    DataParallelRun() {
        for (int f = 0; f < 6; ++f) {
            fmtest::TrackBuilder t;
            for (int i = 0; i < 64; ++i) t.note(i * 240, i * 240 + 200, 50 + (i * (f + 3)) % 24, 40 + (i * 7) % 80);
            fmtest::write_midi(data, "song" + std::to_string(f) + ".mid", fmtest::make_smf(1, 480, {t.build()}));
        }
    }
    fm::TrainParams params(const std::string& out) const {
        fm::TrainParams p;
        p.train_data = data, p.output_dir = out, p.model = "tiny", p.crop_length = 64, p.train_batch_size = 8, p.plan_batch = 12;
        p.max_steps = 20, p.warmup_steps = 2, p.eval_every = 20, p.val_crops = 2, p.seed = 11, p.threads = 1, p.device = "cpu";
        p.precision = "fp32", p.lr = 1e-4;
        return p;
    }
};

// Runs fm::train(p) as both ranks of a world of 2: rank 1 in a forked process (forked first, before this process has
// trained: a fork of a process whose thread pools ran is not a clean process), rank 0 here with `on_step` and `cancel`.
// Returns rank 1's exit status.
int train_two_ranks(const fm::TrainParams& p, const std::function<void(const fm::TrainStatus&)>& on_step, const fm::CancelFlag* cancel) {
    const std::string port = std::to_string(free_port());
    auto set_rank = [&](int rank) {
        ::setenv("RANK", std::to_string(rank).c_str(), 1), ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
        ::setenv("WORLD_SIZE", "2", 1), ::setenv("MASTER_ADDR", "127.0.0.1", 1), ::setenv("MASTER_PORT", port.c_str(), 1);
    };
    auto unset = [] {
        for (const char* v : {"RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"}) ::unsetenv(v);
    };
    const pid_t child = fork_rank([&] {
        set_rank(1);
        fm::train(p, {}, nullptr);
        return 0;
    });
    set_rank(0);
    try {
        fm::train(p, on_step, cancel);
    } catch (...) {
        unset();
        ::kill(child, SIGKILL);
        wait_exit(child);
        throw;
    }
    unset();
    return wait_exit(child);
}

double largest_weight_difference(const std::string& a_path, const std::string& b_path) {
    auto a = fm::load_net(a_path, torch::kCPU), b = fm::load_net(b_path, torch::kCPU);
    double worst = 0;
    for (const auto& kv : a->named_parameters()) {
        const torch::Tensor other = b->named_parameters()[kv.key()];
        worst = std::max(worst, (kv.value() - other).abs().max().item<double>());
    }
    return worst;
}

// Data-parallel training: two Gloo ranks at a global batch of 8 end where one process at a batch of 8 ends, weight for
// weight (the crops' masks are keyed, so each rank's half of the batch is the batch's half; the gradients are summed
// bucket by bucket while backward runs).
TEST(Distributed, TwoRanksTrainLikeOneProcessAtTheSameGlobalBatch) {
    if (!fm::have_c10d()) GTEST_SKIP() << "built without c10d's Gloo headers (libgloo-dev)";
    const DataParallelRun run;
    const std::string one = fmtest::temp_dir("run"), two = fmtest::temp_dir("run");
    int steps_seen = 0;
    EXPECT_EQ(train_two_ranks(run.params(two), [&](const fm::TrainStatus& s) { steps_seen += !s.scanned; }, nullptr), 0);
    EXPECT_EQ(steps_seen, 20);   // rank 0 reports every step
    fm::train(run.params(one), {}, nullptr);

    fm::Metadata mb;
    fm::load_net(two + "/last.safetensors", torch::kCPU, &mb);
    EXPECT_EQ(mb.at("step"), "20");
    const double worst = largest_weight_difference(one + "/last.safetensors", two + "/last.safetensors");
    std::fprintf(stderr, "two ranks against one process: largest weight difference %.3g\n", worst);
    EXPECT_LE(worst, 1e-5);
}

// The global batch defines the run: two ranks stopped at step 10, resumed by one process, end where one process
// running all 20 steps ends (the same crops in the same order, the optimiser's state carried over).
TEST(Distributed, ATwoRankRunResumesOnOneRankWithTheSameDataOrder) {
    if (!fm::have_c10d()) GTEST_SKIP() << "built without c10d's Gloo headers (libgloo-dev)";
    const DataParallelRun run;
    const std::string one = fmtest::temp_dir("run"), two = fmtest::temp_dir("run");
    fm::CancelFlag stop{false};
    EXPECT_EQ(train_two_ranks(run.params(two), [&](const fm::TrainStatus& s) { if (s.step == 10) stop = true; }, &stop), 0);
    fm::Metadata stopped;
    fm::load_net(two + "/last.safetensors", torch::kCPU, &stopped);
    EXPECT_EQ(stopped.at("step"), "10");

    fm::TrainParams resume = run.params(two);
    resume.resume = true;
    std::vector<int> steps;
    fm::train(resume, [&](const fm::TrainStatus& s) { if (!s.scanned) steps.push_back(s.step); }, nullptr);
    ASSERT_FALSE(steps.empty());
    EXPECT_EQ(steps.front(), 11);   // continues at the right step
    EXPECT_EQ(steps.back(), 20);
    fm::train(run.params(one), {}, nullptr);
    const double worst = largest_weight_difference(one + "/last.safetensors", two + "/last.safetensors");
    std::fprintf(stderr, "two ranks to step 10, one to 20, against one process: largest weight difference %.3g\n", worst);
    EXPECT_LE(worst, 1e-5);
}
