#include "local_ranks.h"

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "core/error.h"

extern char** environ;

namespace fmcli {

namespace {

int g_argc = 0;
char** g_argv = nullptr;
std::atomic<int> g_signal{0};
extern "C" void on_signal(int sig) { g_signal.store(sig); }

int free_loopback_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) throw fm::Error(std::string("--nproc_per_node: no socket for a free port: ") + std::strerror(errno));
    sockaddr_in a{};
    a.sin_family = AF_INET, a.sin_addr.s_addr = htonl(INADDR_LOOPBACK), a.sin_port = 0;
    socklen_t n = sizeof a;
    const bool ok = ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &n) == 0;
    ::close(s);
    if (!ok) throw fm::Error("--nproc_per_node: no free loopback port");
    return ntohs(a.sin_port);
}

std::string describe(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "was ended by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
    return "stopped";
}

}  // namespace

void keep_argv(int argc, char** argv) { g_argc = argc, g_argv = argv; }

std::vector<std::string> without_nproc_flag(int argc, char** argv) {
    std::vector<std::string> out;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--nproc_per_node") {
            ++i;
            continue;
        }
        if (a.rfind("--nproc_per_node=", 0) == 0) continue;
        out.push_back(a);
    }
    return out;
}

std::vector<std::string> own_args_without_nproc_flag() { return without_nproc_flag(g_argc, g_argv); }

std::string run_local_ranks(int n, const std::vector<std::string>& args, int grace_s) {
    if (n < 1) throw fm::Error("--nproc_per_node " + std::to_string(n) + ": give 1 or more ranks");
    if (const char* w = std::getenv("WORLD_SIZE"); w != nullptr && *w != '\0')
        throw fm::Error("--nproc_per_node starts the ranks itself, but WORLD_SIZE is already set (by torchrun or Slurm?): use one or the other");
    const char* addr_env = std::getenv("MASTER_ADDR");
    const char* port_env = std::getenv("MASTER_PORT");
    const std::string addr = addr_env != nullptr && *addr_env != '\0' ? addr_env : "127.0.0.1";
    const std::string port = port_env != nullptr && *port_env != '\0' ? port_env : std::to_string(free_loopback_port());
    const char* omp_env = std::getenv("OMP_NUM_THREADS");
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const std::string threads = omp_env != nullptr && *omp_env != '\0' ? omp_env : std::to_string(std::max(1u, cores / unsigned(n)));

    std::vector<std::string> base_env;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string kv = *e;
        const std::string name = kv.substr(0, kv.find('='));
        if (name == "RANK" || name == "LOCAL_RANK" || name == "WORLD_SIZE" || name == "MASTER_ADDR" || name == "MASTER_PORT" ||
            name == "OMP_NUM_THREADS" || name == "LOCAL_WORLD_SIZE")
            continue;
        base_env.push_back(kv);
    }

    // Ctrl+C goes to the whole foreground group, the ranks included: this process waits for them to save. A SIGTERM
    // to this process alone is passed on to them as Ctrl+C.
    struct sigaction sa {}, old_int {}, old_term {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    g_signal.store(0);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    auto restore = [&] { sigaction(SIGINT, &old_int, nullptr), sigaction(SIGTERM, &old_term, nullptr); };

    std::vector<pid_t> pids(size_t(n), 0);
    std::vector<char> running(size_t(n), 0);
    auto kill_all = [&](int sig) {
        for (int r = 0; r < n; ++r)
            if (running[size_t(r)]) ::kill(pids[size_t(r)], sig);
    };
    for (int r = 0; r < n; ++r) {
        std::vector<std::string> env = base_env;
        env.push_back("RANK=" + std::to_string(r)), env.push_back("LOCAL_RANK=" + std::to_string(r));
        env.push_back("WORLD_SIZE=" + std::to_string(n)), env.push_back("LOCAL_WORLD_SIZE=" + std::to_string(n));
        env.push_back("MASTER_ADDR=" + addr), env.push_back("MASTER_PORT=" + port), env.push_back("OMP_NUM_THREADS=" + threads);
        std::vector<std::string> argv_s = {g_argv != nullptr && g_argc > 0 ? g_argv[0] : "fractalmidi"};
        argv_s.insert(argv_s.end(), args.begin(), args.end());
        std::vector<char*> argv, envp;
        for (auto& a : argv_s) argv.push_back(a.data());
        argv.push_back(nullptr);
        for (auto& e : env) envp.push_back(e.data());
        envp.push_back(nullptr);
        pid_t pid = 0;
        const int rc = posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(), envp.data());
        if (rc != 0) {
            kill_all(SIGTERM);
            for (int q = 0; q < r; ++q) ::waitpid(pids[size_t(q)], nullptr, 0);
            restore();
            throw fm::Error("--nproc_per_node: cannot start rank " + std::to_string(r) + ": " + std::strerror(rc));
        }
        pids[size_t(r)] = pid, running[size_t(r)] = 1;
    }
    std::fprintf(stderr, "started %d ranks on %s:%s, %s thread(s) each\n", n, addr.c_str(), port.c_str(), threads.c_str());

    std::string failure;   // the first rank to fail
    int left = n;
    bool forwarded = false, killed = false;
    std::chrono::steady_clock::time_point deadline{};
    while (left > 0) {
        // Every rank that ended since the last look; one ended by a signal first: the others that failed with it most
        // likely stopped because of it (the cause is the one to name).
        std::vector<std::pair<int, int>> ended;   // rank, wait status
        int status = 0;
        pid_t pid = 0;
        while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
            const auto it = std::find(pids.begin(), pids.end(), pid);
            if (it != pids.end()) ended.push_back({int(it - pids.begin()), status});
        }
        if (pid < 0 && errno != EINTR) break;   // (ECHILD: none left, which `left` would have said)
        std::stable_sort(ended.begin(), ended.end(), [](const auto& a, const auto& b) { return WIFSIGNALED(a.second) && !WIFSIGNALED(b.second); });
        for (const auto& [r, st] : ended) {
            running[size_t(r)] = 0, --left;
            if (WIFEXITED(st) && WEXITSTATUS(st) == 0) continue;
            const std::string what = "rank " + std::to_string(r) + " of " + std::to_string(n) + " " + describe(st);
            if (failure.empty()) {
                failure = what;
                deadline = std::chrono::steady_clock::now() + std::chrono::seconds(grace_s);
            } else {
                std::fprintf(stderr, "then %s\n", what.c_str());
            }
        }
        if (left == 0) break;
        if (const int sig = g_signal.exchange(0); sig != 0 && !forwarded) {
            forwarded = true;
            if (sig == SIGTERM) kill_all(SIGINT);   // (a Ctrl+C from the terminal has reached them already)
        }
        if (!failure.empty() && !killed && std::chrono::steady_clock::now() > deadline) {
            std::string names;
            for (int r = 0; r < n; ++r)
                if (running[size_t(r)]) names += (names.empty() ? "rank " : ", ") + std::to_string(r);
            std::fprintf(stderr, "%s still running %d s after %s (stuck?): ended\n", names.c_str(), grace_s, failure.c_str());
            kill_all(SIGKILL);
            killed = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    restore();
    return failure;
}

}  // namespace fmcli
