#include "interrupt.h"

#include <csignal>

namespace fmcli {

namespace {
fm::CancelFlag g_interrupted{false};
extern "C" void on_sigint(int) { g_interrupted.store(true); }
}  // namespace

Interrupt::Interrupt() {
    g_interrupted.store(false);
    std::signal(SIGINT, on_sigint);
}

Interrupt::~Interrupt() { std::signal(SIGINT, SIG_DFL); }

const fm::CancelFlag* Interrupt::flag() const { return &g_interrupted; }

}  // namespace fmcli
