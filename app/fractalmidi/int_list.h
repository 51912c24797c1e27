// int_list.h — comma-separated integer flags ("8,4,2", "128,512") for the CLI.
#pragma once

#include <string>
#include <vector>

namespace fmcli {

// Parses "a,b,c"; `count` > 0 demands exactly that many entries. Throws fm::Error naming `flag` on bad input.
std::vector<int> parse_int_list(const std::string& text, const std::string& flag, int count = 0);

}  // namespace fmcli
