// error.h — the one exception type the library throws for bad input.
//
//   try { auto m = fm::load_midi("song.mid"); }
//   catch (const fm::Error& e) { std::cerr << "error: " << e.what() << "\n"; }  // "song.mid: reason"
//
// Thread-safety: plain value type.
#pragma once

#include <stdexcept>
#include <string>

namespace fm {

// A bad input (file, argument, format). `file` may be empty; what() is "file: reason" or "reason".
class Error : public std::runtime_error {
public:
    explicit Error(std::string reason, std::string file = {})
        : std::runtime_error(file.empty() ? reason : file + ": " + reason),
          file_(std::move(file)), reason_(std::move(reason)) {}
    const std::string& file() const { return file_; }
    const std::string& reason() const { return reason_; }

private:
    std::string file_;
    std::string reason_;
};

}  // namespace fm
