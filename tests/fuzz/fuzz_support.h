// fuzz_support.h — what the libFuzzer targets share: reporting a finding, and a scratch folder for readers that
// take a path.
//
//   fm_fuzz::finding("exception that is not fm::Error: ...");       // prints FINDING: ... and aborts
//   const std::string& dir = fm_fuzz::scratch_dir();                 // made once per process, removed at exit
//   fm_fuzz::write_file(dir + "/x", data, size);                     // replaces the file (the reader's input)
//
// The scratch folder is under $TMPDIR (or /tmp), one per process, so parallel fuzzers (-jobs) do not share it.
// Thread-safety: libFuzzer runs one input at a time; these are not for threads.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace fm_fuzz {

[[noreturn]] inline void finding(const std::string& what) {
    std::fprintf(stderr, "FINDING: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

inline const std::string& scratch_dir() {
    // Never destroyed, so that the atexit handler may still read it.
    static const std::string* const dir = [] {
        const char* tmp = std::getenv("TMPDIR");
        auto* path = new std::string(std::string(tmp && *tmp ? tmp : "/tmp") + "/fm-fuzz-XXXXXX");
        if (!::mkdtemp(path->data())) finding("cannot make a scratch folder from " + *path);
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(scratch_dir(), ec);
        });
        return path;
    }();
    return *dir;
}

// Replaces the file's contents with plain POSIX calls: cheap enough to do once per execution. It writes over
// the old bytes and then cuts the file to size (ext4 flushes a file truncated to zero and rewritten on close, which
// costs more than the reader under test); a tmpfs scratch folder (scripts/fuzz.sh uses /dev/shm) is faster still.
inline void write_file(const std::string& path, const uint8_t* data, size_t size) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) finding("cannot write " + path);
    for (size_t done = 0; done < size;) {
        const ssize_t n = ::pwrite(fd, data + done, size - done, off_t(done));
        if (n <= 0) finding("cannot write " + path);
        done += size_t(n);
    }
    if (::ftruncate(fd, off_t(size)) != 0) finding("cannot cut " + path);
    ::close(fd);
}

}  // namespace fm_fuzz
