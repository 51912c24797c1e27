#include "track_args.h"

#include <sstream>

#include "core/error.h"

namespace fmcli {

std::vector<std::string> split_names(const std::string& list) {
    std::vector<std::string> out;
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

std::string join_names(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

std::vector<int> tracks_to_write(const std::string& write, const std::string& keep, const std::vector<std::string>& roles,
                                 const std::string& keep_flag) {
    if (!write.empty() && !keep.empty()) throw fm::Error("give --tracks (to write) or " + keep_flag + " (to keep), not both");
    auto index = [&](const std::string& name) {
        for (size_t k = 0; k < roles.size(); ++k)
            if (fm::same_track_name(roles[k], name)) return k;
        throw fm::Error("the model has no track '" + name + "' (its tracks: " + join_names(roles) + ")");
    };
    std::vector<char> writes(roles.size(), write.empty() ? 1 : 0);
    for (const std::string& n : split_names(write)) writes[index(n)] = 1;
    for (const std::string& n : split_names(keep)) writes[index(n)] = 0;
    std::vector<int> out;
    for (size_t k = 0; k < roles.size(); ++k)
        if (writes[k]) out.push_back(int(k));
    if (out.empty()) throw fm::Error(keep_flag + " keeps every track: nothing to write");
    return out;
}

fm::TrackMapping roles_mapping(const std::string& track_map, const std::vector<std::string>& roles) {
    const fm::TrackMapping map = fm::parse_track_map(track_map);
    return map.rules.empty() ? fm::mapping_by_name(roles) : map;
}

fm::CacheOptions roles_cache_options(const std::string& track_map, const std::vector<std::string>& roles) {
    fm::CacheOptions options;
    if (roles.size() < 2) return options;
    const fm::TrackMapping map = roles_mapping(track_map, roles);
    for (const fm::TrackRule& r : map.rules) options.track_map += (options.track_map.empty() ? "" : ",") + r.source + "=" + r.role;
    if (fm::track_roles(map) != roles) throw fm::Error("--track_map must give the model's tracks in its order (" + join_names(roles) + ")");
    return options;
}

}  // namespace fmcli
