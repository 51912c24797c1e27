#include "log.h"

#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace fm {

namespace {
std::mutex g_mutex;
LogSink g_sink;

std::string vformat(const char* fmt, va_list args) {
    va_list copy;
    va_copy(copy, args);
    int n = std::vsnprintf(nullptr, 0, fmt, copy);
    va_end(copy);
    std::string out(n > 0 ? size_t(n) : 0, '\0');
    if (n > 0) std::vsnprintf(out.data(), out.size() + 1, fmt, args);
    return out;
}
}  // namespace

void set_log_sink(LogSink sink) {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_sink = std::move(sink);
}

void log_message(LogLevel level, const std::string& message) {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_sink) g_sink(level, message);
}

void log_info(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    std::string m = vformat(fmt, args);
    va_end(args);
    log_message(LogLevel::info, m);
}

void log_warning(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    std::string m = vformat(fmt, args);
    va_end(args);
    log_message(LogLevel::warning, m);
}

}  // namespace fm
