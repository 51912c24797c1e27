// interrupt.h — Ctrl+C as the library's cancel flag, for the length of one command.
//
//   fmcli::Interrupt stop;                   // SIGINT now sets the flag; the default returns with `stop`
//   fm::build_cache(..., progress, stop.flag());
//   if (stop.raised()) ...
//
// Thread-safety: one at a time (SIGINT has one handler).
#pragma once

#include "core/progress.h"

namespace fmcli {

class Interrupt {
public:
    Interrupt();
    ~Interrupt();
    Interrupt(const Interrupt&) = delete;
    Interrupt& operator=(const Interrupt&) = delete;
    const fm::CancelFlag* flag() const;
    bool raised() const { return fm::cancelled(flag()); }
};

}  // namespace fmcli
