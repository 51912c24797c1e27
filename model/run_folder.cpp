#include "model/run_folder.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

#include "core/error.h"
#include "core/file_io.h"
#include "core/log.h"
#include "core/safetensors.h"

namespace fm {

namespace fs = std::filesystem;

namespace {
std::string bytes_as_text(const std::vector<uint8_t>& b) { return std::string(b.begin(), b.end()); }
// The keys write_run_params adds to the settings.
constexpr const char* kSummaryKeys[] = {"train_files", "val_files", "parameters", "model_config"};
// An integer that an int holds (not 1.5, 5e20 or 2^31).
bool is_int(const nlohmann::json& v) {
    if (v.is_number_unsigned()) return v.get<uint64_t>() <= uint64_t(std::numeric_limits<int>::max());
    return v.is_number_integer() && v.get<int64_t>() >= std::numeric_limits<int>::min() &&
           v.get<int64_t>() <= std::numeric_limits<int>::max();
}
}  // namespace

TrainParams read_run_params(const std::string& dir) {
    const std::string path = dir + "/config.json";
    if (!fs::exists(path)) throw Error("not a training run folder (no config.json)", dir);
    const std::string text = bytes_as_text(read_file_bytes(path));
    TrainParams before;   // what a config.json without a field meant
    before.cells = "velocity", before.pitch_positions = false, before.plan = false, before.ema = 0;
    std::vector<std::string> unknown;
    TrainParams p;
    try {
        p = train_params_from_json(text, before, &unknown);
    } catch (const Error& e) {
        throw Error("config.json is not readable: " + e.reason(), dir);
    }
    std::string ignored;
    for (const std::string& key : unknown)
        if (std::find(std::begin(kSummaryKeys), std::end(kSummaryKeys), key) == std::end(kSummaryKeys))
            ignored += (ignored.empty() ? "" : ", ") + key;
    if (!ignored.empty()) log_warning("%s/config.json: settings this version does not know, ignored: %s", dir.c_str(), ignored.c_str());
    if (p.val_data.empty() && nlohmann::json::parse(text).count("val_fraction") == 0)
        log_warning("%s/config.json does not record val_fraction (a run from before it was stored): taking 0.1, the default then",
                    dir.c_str());
    // Device as used ("cuda:0", "cpu") back to a choice.
    p.device = p.device.rfind("cuda", 0) == 0 ? "cuda" : p.device == "cpu" ? "cpu" : "auto";
    p.output_dir = dir;
    p.resume = false;
    return p;
}

void write_run_params(const std::string& dir, const TrainParams& as_used, const RunSummary& summary) {
    nlohmann::json j = nlohmann::json::parse(train_params_to_json(as_used));
    j["train_files"] = summary.train_files;
    j["val_files"] = summary.val_files;
    j["parameters"] = summary.parameters;
    j["model_config"] = summary.model_config.empty() ? nlohmann::json::object() : nlohmann::json::parse(summary.model_config);
    const std::string text = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    write_file_atomic(dir + "/config.json", text.data(), text.size());
}

std::vector<RunMetric> read_run_metrics(const std::string& dir) {
    std::vector<RunMetric> out;
    std::ifstream f(dir + "/metrics.jsonl");
    for (std::string line; std::getline(f, line);) {
        try {
            const nlohmann::json j = nlohmann::json::parse(line);
            const nlohmann::json& step = j.at("step");
            if (!is_int(step)) continue;   // get<int>() of 5e20 is undefined behaviour, not an exception
            RunMetric m;
            m.step = step.get<int>();
            m.loss_bits = j.value("loss_bits", 0.0);
            m.val_bits = j.value("val_bits", -1.0);
            m.elapsed_s = j.value("elapsed_s", 0.0);
            m.sample = j.value("sample", std::string());
            out.push_back(m);
        } catch (const nlohmann::json::exception&) {
            // a torn line of a run still writing, or a foreign one: skipped
        }
    }
    return out;
}

std::vector<RunCheckpoint> list_run_checkpoints(const std::string& dir) {
    std::vector<RunCheckpoint> out;
    std::error_code ec;
    for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
        if (!e.is_regular_file(ec) || e.path().extension() != ".safetensors") continue;
        RunCheckpoint c;
        c.path = e.path().string(), c.name = e.path().stem().string();
        try {
            const auto meta = read_safetensors_metadata(c.path);
            if (auto it = meta.find("step"); it != meta.end()) c.step = std::stoi(it->second);
            if (auto it = meta.find("best_val_bits"); it != meta.end()) c.best_val_bits = std::stod(it->second);
            if (c.best_val_bits > 1e29) c.best_val_bits = -1;   // written before any validation
        } catch (const std::exception&) {
            c.step = -1;
        }
        out.push_back(c);
    }
    auto rank = [](const RunCheckpoint& c) { return c.name == "best" ? 0 : c.name == "last" ? 1 : 2; };
    std::sort(out.begin(), out.end(), [&](const RunCheckpoint& a, const RunCheckpoint& b) {
        return rank(a) != rank(b) ? rank(a) < rank(b) : a.name < b.name;
    });
    return out;
}

}  // namespace fm
