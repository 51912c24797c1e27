// file_io.h — whole-file reads and all-or-nothing writes.
//
//   auto bytes = fm::read_file_bytes("in.mid");              // throws fm::Error("in.mid: reason")
//   fm::write_file_atomic("out.mid", bytes.data(), bytes.size());
//
// Thread-safety: free functions; concurrent writers of one path leave one of the versions whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace fm {

// Temporary file in the same folder, write, fsync, rename. On any failure (a full disk, say) the temporary
// file is removed, the old file at `path` is untouched, and fm::Error(reason, path) is thrown.
void write_file_atomic(const std::string& path, const void* data, size_t size);

// When `file_name` (no folder) is the temporary file of a write_file_atomic that was cut short (a killed process
// leaves "<name>.tmp<digits>" behind), the name it was being written for; otherwise "".
std::string partial_write_target(const std::string& file_name);

std::vector<uint8_t> read_file_bytes(const std::string& path);

// A path in the system's temporary folder, private to this process ("<stem>-<pid>-<n><suffix>"), removed (if
// it was created) when this goes out of scope. For scratch files such as a dataset cache.
class ScratchPath {
public:
    ScratchPath(const std::string& stem, const std::string& suffix);
    ~ScratchPath();
    ScratchPath(const ScratchPath&) = delete;
    ScratchPath& operator=(const ScratchPath&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace fm
