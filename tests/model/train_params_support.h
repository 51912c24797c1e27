// Test helpers over the one list of TrainParams' fields (model/train_params.h), shared by the JSON and run-folder tests.
#pragma once

#include <string>
#include <type_traits>

#include "model/train_params.h"

namespace fmtest {

// A value unlike `v` (and unlike the default), whatever its type.
template <class T>
T other(const T& v) {
    if constexpr (std::is_same_v<T, std::string>) return v + "-changed";
    else if constexpr (std::is_same_v<T, bool>) return !v;
    else if constexpr (std::is_same_v<T, double>) return v * 0.5 + 0.125;
    else return v + 7;
}

// Every field set to something else than its default, through the same list: a new field is covered by itself.
inline fm::TrainParams all_changed_train_params() {
    fm::TrainParams p;
    fm::for_each_train_param([&](const char*, auto field, const char*) { p.*field = other(p.*field); });
    return p;
}

}  // namespace fmtest
