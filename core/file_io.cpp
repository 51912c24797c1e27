#include "file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <cstring>
#include <random>

#include "error.h"

namespace fm {

namespace {
std::string errno_text() { return std::strerror(errno); }
constexpr const char* kPartialMarker = ".tmp";   // "<path>.tmp<digits>": write_file_atomic's temporary file
}  // namespace

void write_file_atomic(const std::string& path, const void* data, size_t size) {
    std::random_device rd;
    const std::string tmp = path + kPartialMarker + std::to_string(rd() % 1000000);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw Error("cannot create " + tmp + ": " + errno_text(), path);
    const char* p = static_cast<const char*>(data);
    size_t left = size;
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            std::string why = n < 0 ? errno_text() : "short write";
            ::close(fd);
            ::unlink(tmp.c_str());
            throw Error("write failed (" + why + "); the previous file, if any, is unchanged", path);
        }
        p += n;
        left -= size_t(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        std::string why = errno_text();
        ::unlink(tmp.c_str());
        throw Error("write failed (" + why + "); the previous file, if any, is unchanged", path);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string why = errno_text();
        ::unlink(tmp.c_str());
        throw Error("cannot replace file (" + why + ")", path);
    }
}

std::string partial_write_target(const std::string& file_name) {
    const size_t at = file_name.rfind(kPartialMarker);
    if (at == std::string::npos || at == 0) return {};
    const std::string digits = file_name.substr(at + std::strlen(kPartialMarker));
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return {};
    return file_name.substr(0, at);
}

std::vector<uint8_t> read_file_bytes(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(errno == ENOENT ? "no such file" : "cannot open (" + errno_text() + ")", path);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw Error("not a regular file", path);
    }
    std::vector<uint8_t> bytes(size_t(st.st_size));
    size_t got = 0;
    while (got < bytes.size()) {
        ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += size_t(n);
    }
    ::close(fd);
    bytes.resize(got);
    return bytes;
}

ScratchPath::ScratchPath(const std::string& stem, const std::string& suffix) {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() /
             (stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + suffix)).string();
}

ScratchPath::~ScratchPath() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
}

}  // namespace fm
