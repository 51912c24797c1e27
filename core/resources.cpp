#include "core/resources.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace fm {

namespace fs = std::filesystem;

std::vector<std::string> resource_dirs() {
    std::vector<std::string> candidates;
    if (const char* env = std::getenv("FRACTALMIDI_RESOURCES"); env && *env) candidates.push_back(env);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) candidates.push_back((exe.parent_path() / ".." / "share" / "fractalmidi").lexically_normal().string());
#ifdef FM_SOURCE_RESOURCES_DIR
    candidates.push_back(FM_SOURCE_RESOURCES_DIR);
#endif
    candidates.push_back((fs::current_path(ec) / "resources").string());
    std::vector<std::string> out;
    for (const std::string& c : candidates)
        if (fs::is_directory(c, ec)) out.push_back(c);
    return out;
}

std::string find_resource(const std::string& relative) {
    std::error_code ec;
    for (const std::string& dir : resource_dirs()) {
        const fs::path p = fs::path(dir) / relative;
        if (fs::is_regular_file(p, ec)) return p.string();
    }
    return {};
}

std::string default_model_path(int width, const std::vector<std::string>& dirs) {
    const bool wide = width > 128;
    std::error_code ec;
    for (const char* name : {wide ? kDefaultModel512 : kDefaultModel128, wide ? kDefaultModel128 : kDefaultModel512})
        for (const std::string& dir : dirs)
            if (const fs::path p = fs::path(dir) / name; fs::is_regular_file(p, ec)) return p.string();
    return {};
}

std::string default_model_path(int width) { return default_model_path(width, resource_dirs()); }

std::string default_tracks_model_path() { return find_resource(kDefaultModelTracks); }

}  // namespace fm
