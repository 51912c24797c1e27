#include "int_list.h"

#include <sstream>

#include "core/error.h"
#include "model/generate_params.h"

namespace fmcli {

std::vector<int> parse_int_list(const std::string& text, const std::string& flag, int count) {
    std::vector<int> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        size_t used = 0;
        int value = 0;
        try {
            value = std::stoi(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != item.size()) throw fm::Error(flag + " entry '" + item + "' is not a whole number");
        out.push_back(value);
    }
    if (out.empty()) throw fm::Error(flag + " is empty");
    if (count > 0 && int(out.size()) != count)
        throw fm::Error(flag + " needs " + std::to_string(count) + " comma-separated entries, got '" + text + "'");
    return out;
}

std::array<int, 3> parse_iters(const std::string& text) {
    const std::vector<int> v = parse_int_list(text, "--num_iter_list", 3);
    return {v[0], v[1], v[2]};
}

std::string default_iters() {
    const auto it = fm::GenerateParams().num_iter;
    return std::to_string(it[0]) + "," + std::to_string(it[1]) + "," + std::to_string(it[2]);
}

}  // namespace fmcli
