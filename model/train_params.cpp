#include "model/train_params.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <type_traits>
#include <utility>

#include "core/error.h"
#include "core/track_rolls.h"
#include "model/model_config.h"

namespace fm {

namespace {

// How many fields an aggregate has: the most initialisers T{...} takes from a value that converts to anything.
struct AnyValue {
    template <class T>
    operator T() const;   // declared only: used in unevaluated operands
};

template <class T, class... A>
auto takes(int) -> decltype(T{std::declval<A>()...}, std::true_type{});
template <class T, class... A>
std::false_type takes(long);

template <class T, class... A>
constexpr int aggregate_fields() {
    if constexpr (decltype(takes<T, A...>(0))::value) return aggregate_fields<T, A..., AnyValue>();
    else return int(sizeof...(A)) - 1;
}

constexpr int listed_fields() {
    int n = 0;
    for_each_train_param([&n](const char*, auto, const char*) { ++n; });
    return n;
}

static_assert(listed_fields() == aggregate_fields<TrainParams>(),
              "TrainParams has a field that for_each_train_param() does not list: add it there (train_params.h)");

using nlohmann::json;

template <class T>
bool holds(const json& v) {
    if constexpr (std::is_same_v<T, std::string>) return v.is_string();
    else if constexpr (std::is_same_v<T, bool>) return v.is_boolean();
    else if constexpr (std::is_same_v<T, uint64_t>) return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
    else if constexpr (std::is_same_v<T, int>)
        return v.is_number_integer() && (v.is_number_unsigned() ? v.get<uint64_t>() <= uint64_t(std::numeric_limits<int>::max())
                                                                : v.get<int64_t>() >= std::numeric_limits<int>::min() &&
                                                                      v.get<int64_t>() <= std::numeric_limits<int>::max());
    else if constexpr (std::is_same_v<T, double>) return v.is_number();
    else static_assert(sizeof(T) == 0, "a field type the JSON functions do not handle");
}

template <class T>
const char* kind() {
    if constexpr (std::is_same_v<T, std::string>) return "a string";
    else if constexpr (std::is_same_v<T, bool>) return "true or false";
    else if constexpr (std::is_same_v<T, uint64_t>) return "a non-negative integer";
    else if constexpr (std::is_same_v<T, int>) return "an integer within int's range";
    else return "a number";
}

// A value for a one-line message: numbers as %g, strings quoted with control characters shown as '?'.
std::string shown(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}
std::string one_line(const std::string& s) {
    std::string out;
    for (char c : s) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    return out;
}
std::string shown(const std::string& s) { return "'" + one_line(s) + "'"; }

// Runs a parser of a name and gives its error the flag's name in front.
template <class Fn>
void named(const char* flag, Fn&& parse) {
    try {
        parse();
    } catch (const Error& e) {
        const std::string reason = one_line(e.reason());   // the reason quotes the value, which may hold a newline
        throw Error(reason.rfind(flag, 0) == 0 ? reason : std::string(flag) + ": " + reason);
    }
}

}  // namespace

bool operator==(const TrainParams& a, const TrainParams& b) {
    bool same = true;
    for_each_train_param([&](const char*, auto field, const char*) { same = same && a.*field == b.*field; });
    return same;
}

std::string train_params_to_json(const TrainParams& p) {
    json j = json::object();
    for_each_train_param([&](const char* name, auto field, const char*) { j[name] = p.*field; });
    return j.dump(2, ' ', false, json::error_handler_t::replace);   // a path that is not UTF-8: U+FFFD, not a throw
}

TrainParams train_params_from_json(const std::string& text, const TrainParams& missing, std::vector<std::string>* unknown) {
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        throw Error(std::string("not JSON: ") + e.what());
    }
    if (!j.is_object()) throw Error("not a JSON object of training settings");
    TrainParams p = missing;
    for_each_train_param([&](const char* name, auto field, const char*) {
        using T = std::remove_reference_t<decltype(p.*field)>;
        const auto it = j.find(name);
        if (it == j.end() || it->is_null()) return;
        if (!holds<T>(*it)) {
            std::string value = it->dump();   // one line: JSON escapes control characters
            if (value.size() > 40) value = value.substr(0, 37) + "...";
            throw Error(std::string("'") + name + "' is not " + kind<T>() + " (it is " + value + ")");
        }
        p.*field = it->template get<T>();
    });
    if (unknown) {
        for (const auto& item : j.items()) {
            bool known = false;
            for_each_train_param([&](const char* name, auto, const char*) { known = known || item.key() == name; });
            if (!known) unknown->push_back(item.key());
        }
    }
    return p;
}

void validate(const TrainParams& p) {
    auto need = [](bool ok, const std::string& message) {
        if (!ok) throw Error(message);
    };
    auto positive = [&](const char* flag, double v) { need(v > 0, std::string(flag) + " " + shown(v) + " must be positive"); };
    auto not_negative = [&](const char* flag, double v) { need(v >= 0, std::string(flag) + " " + shown(v) + " must not be negative"); };
    auto finite_positive = [&](const char* flag, double v) {
        need(std::isfinite(v) && v > 0, std::string(flag) + " " + shown(v) + " must be positive and finite");
    };
    auto unit = [&](const char* flag, double v, const char* zero) {   // [0, 1)
        need(v >= 0 && v < 1, std::string(flag) + " " + shown(v) + " must be within [0, 1)" + zero);
    };

    need(!p.train_data.empty(), "--train_data is required");
    need(!p.output_dir.empty(), "--output_dir is required");
    unit("--val_fraction", p.val_fraction, "");
    named("--model", [&] { model_preset(p.model); });
    named("--generator_types", [&] {
        ModelConfig c;
        set_generator_types(c, p.generator_types);
    });
    named("--scan_order", [&] { parse_scan_order(p.scan_order); });
    named("--layout", [&] { parse_layout(p.layout); });
    named("--tracks", [&] {
        if (!p.tracks.empty() && parse_track_map(p.tracks).rules.empty()) throw Error("auto cannot name a model's tracks: give pop909 or SOURCE=ROLE rules");
    });
    named("--pitch_range", [&] {
        ModelConfig c;
        parse_pitch_range(p.pitch_range, &c.pitch_low, &c.pitch_high);
        if (!p.tracks.empty()) c.track_names = track_roles(parse_track_map(p.tracks));
        c.layout = parse_layout(p.layout);
        check_heights_and_tracks(c);
    });
    need(p.crop_length > 0 && p.crop_length % 16 == 0, "--crop_length " + std::to_string(p.crop_length) + " must be a positive multiple of 16");
    need(p.layout != "folded" || p.crop_length % 32 == 0,
         "--layout folded needs a crop_length that is a multiple of 32 (it is " + std::to_string(p.crop_length) + ")");
    positive("--train_batch_size", p.train_batch_size);
    positive("--max_steps", p.max_steps);
    finite_positive("--lr", p.lr);
    need(std::isfinite(p.weight_decay) && p.weight_decay >= 0, "--weight_decay " + shown(p.weight_decay) + " must be finite and not negative");
    not_negative("--warmup_steps", p.warmup_steps);
    finite_positive("--grad_clip", p.grad_clip);
    need(p.pitch_shift >= 0 && p.pitch_shift <= 127, "--pitch_shift " + std::to_string(p.pitch_shift) + " must be within 0..127");
    named("--cells", [&] { parse_cell_coding(p.cells); });
    not_negative("--plan_batch", p.plan_batch);
    unit("--condition_dropout", p.condition_dropout, "");
    need(p.train_only.empty() || p.train_only == "plan" || p.train_only == "style",
         "--train_only " + shown(p.train_only) + " is not plan or style (or empty: all)");
    need(p.train_only.empty() || p.plan, "--train_only " + p.train_only + " needs a model with a plan (--plan true)");
    need(p.train_only != "style" || p.conditions, "--train_only style needs a model with conditions (--conditions true)");
    unit("--ema", p.ema, " (0: off)");
    need(p.device == "cpu" || p.device == "cuda" || p.device == "auto", "--device " + shown(p.device) + " is not cpu, cuda or auto");
    named("--precision", [&] { parse_precision(p.precision); });
    positive("--eval_every", p.eval_every);
    positive("--val_crops", p.val_crops);
    not_negative("--sample_every", p.sample_every);
    not_negative("--threads", p.threads);
}

}  // namespace fm
