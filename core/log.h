// log.h — the library never prints: it logs through one sink that the program sets.
//
//   fm::set_log_sink([](fm::LogLevel l, const std::string& m) { std::cerr << m << "\n"; });
//   fm::log_info("built cache: %d files", n);
//
// Thread-safety: set the sink once at start-up; logging itself may happen from any thread.
#pragma once

#include <functional>
#include <string>

namespace fm {

enum class LogLevel { debug, info, warning, error };
using LogSink = std::function<void(LogLevel, const std::string&)>;

void set_log_sink(LogSink sink);   // empty sink: messages are dropped (the default)
void log_message(LogLevel level, const std::string& message);

#if defined(__GNUC__)
#define FM_PRINTF_LIKE __attribute__((format(printf, 1, 2)))
#else
#define FM_PRINTF_LIKE
#endif
void log_info(const char* fmt, ...) FM_PRINTF_LIKE;
void log_warning(const char* fmt, ...) FM_PRINTF_LIKE;

}  // namespace fm
