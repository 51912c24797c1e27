// int_list.h — comma-separated integer flags ("8,4,2", "128,512") for the CLI.
#pragma once

#include <array>
#include <string>
#include <vector>

namespace fmcli {

// Parses "a,b,c"; `count` > 0 demands exactly that many entries. Throws fm::Error naming `flag` on bad input.
std::vector<int> parse_int_list(const std::string& text, const std::string& flag, int count = 0);

// --num_iter_list: MAR iterations at levels 0, 1, 2 ("8,2,4"); and the library's generation default written so.
std::array<int, 3> parse_iters(const std::string& text);
std::string default_iters();

}  // namespace fmcli
