// c10d process groups for data-parallel training: the torchrun environment read and checked, two real Gloo ranks on
// loopback (the second one a forked process) summing and broadcasting tensors, and a dead or missing rank making
// the other one fail within its timeout with a message naming it, instead of hanging.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
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

// Data-parallel training: two Gloo ranks (the second forked) at a global batch of 8 end where one process at a batch
// of 8 ends, weight for weight (the crops' masks are keyed, so each rank's half of the batch is the batch's half).
TEST(Distributed, TwoRanksTrainLikeOneProcessAtTheSameGlobalBatch) {
    if (!fm::have_c10d()) GTEST_SKIP() << "built without c10d's Gloo headers (libgloo-dev)";
    const std::string data = fmtest::temp_dir("corpus");
    for (int f = 0; f < 6; ++f) {
        fmtest::TrackBuilder t;
        for (int i = 0; i < 64; ++i) t.note(i * 240, i * 240 + 200, 50 + (i * (f + 3)) % 24, 40 + (i * 7) % 80);
        fmtest::write_midi(data, "song" + std::to_string(f) + ".mid", fmtest::make_smf(1, 480, {t.build()}));
    }
    auto params = [&](const std::string& out) {
        fm::TrainParams p;
        p.train_data = data, p.output_dir = out, p.model = "tiny", p.crop_length = 64, p.train_batch_size = 8, p.plan_batch = 12;
        p.max_steps = 20, p.warmup_steps = 2, p.eval_every = 20, p.val_crops = 2, p.seed = 11, p.threads = 1, p.device = "cpu";
        p.precision = "fp32";   // bf16 rounds by the shape of each matmul: another split, other roundings
        // fp32 still rounds a little differently for half a batch, and Adam turns that into steps of up to lr on weights
        // whose gradient is near zero: a small lr keeps those within the tolerance, where a wrong split would not be.
        p.lr = 1e-4;
        return p;
    };
    const std::string one = fmtest::temp_dir("run"), two = fmtest::temp_dir("run");
    fm::train(params(one), {}, nullptr);

    const std::string port = std::to_string(free_port());
    auto set_rank = [&](int rank) {
        ::setenv("RANK", std::to_string(rank).c_str(), 1), ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
        ::setenv("WORLD_SIZE", "2", 1), ::setenv("MASTER_ADDR", "127.0.0.1", 1), ::setenv("MASTER_PORT", port.c_str(), 1);
    };
    const pid_t child = fork_rank([&] {
        set_rank(1);
        fm::train(params(two), {}, nullptr);
        return 0;
    });
    set_rank(0);
    int steps_seen = 0;
    try {
        fm::train(params(two), [&](const fm::TrainStatus& s) { steps_seen += !s.scanned; }, nullptr);
    } catch (...) {
        for (const char* v : {"RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"}) ::unsetenv(v);
        throw;
    }
    for (const char* v : {"RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"}) ::unsetenv(v);
    EXPECT_EQ(wait_exit(child), 0);
    EXPECT_EQ(steps_seen, 20);   // rank 0 reports every step

    fm::Metadata ma, mb;
    auto a = fm::load_net(one + "/last.safetensors", torch::kCPU, &ma), b = fm::load_net(two + "/last.safetensors", torch::kCPU, &mb);
    EXPECT_EQ(mb.at("step"), "20");
    double worst = 0;
    for (const auto& kv : a->named_parameters())
        worst = std::max(worst, (kv.value() - b->named_parameters()[kv.key()]).abs().max().item<double>());
    std::fprintf(stderr, "two ranks against one process: largest weight difference %.3g\n", worst);
    EXPECT_LE(worst, 1e-5);
}
