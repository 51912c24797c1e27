#include "core/audio/soundfont.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace fm {

namespace {

bool readable_file(const std::string& path) {
    struct stat st {};
    return !path.empty() && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), R_OK) == 0;
}

bool has_sf2_extension(const std::string& name) {
    if (name.size() < 4) return false;
    std::string ext = name.substr(name.size() - 4);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".sf2";
}

// Every readable *.sf2 directly in `dir`, sorted by name; empty when the folder is absent or unreadable.
std::vector<std::string> sf2_files(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        const std::string path = it->path().string();
        if (has_sf2_extension(it->path().filename().string()) && readable_file(path)) out.push_back(path);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

std::vector<std::string> soundfont_search_dirs() { return {"/usr/share/sounds/sf2", "/usr/share/soundfonts"}; }

std::string find_soundfont(const std::string& preferred) {
    if (readable_file(preferred)) return preferred;
    if (const char* env = std::getenv("FRACTALMIDI_SOUNDFONT"); env && readable_file(env)) return env;
    const std::vector<std::string> dirs = soundfont_search_dirs();
    for (const char* name : {"FluidR3_GM.sf2", "TimGM6mb.sf2"})
        for (const std::string& dir : dirs)
            if (readable_file(dir + "/" + name)) return dir + "/" + name;
    for (const std::string& dir : dirs) {
        std::vector<std::string> any = sf2_files(dir);
        if (!any.empty()) return any.front();
    }
    return "";
}

}  // namespace fm
