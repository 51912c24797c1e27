#include "model/run_folder.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/file_io.h"
#include "core/safetensors.h"

namespace fm {

namespace fs = std::filesystem;

namespace {
std::string bytes_as_text(const std::vector<uint8_t>& b) { return std::string(b.begin(), b.end()); }
}  // namespace

TrainParams read_run_params(const std::string& dir) {
    const std::string path = dir + "/config.json";
    if (!fs::exists(path)) throw Error("not a training run folder (no config.json)", dir);
    TrainParams p;
    try {
        const nlohmann::json j = nlohmann::json::parse(bytes_as_text(read_file_bytes(path)));
        auto take = [&j](const char* key, auto& field) {
            if (j.contains(key) && !j[key].is_null()) field = j[key].get<std::remove_reference_t<decltype(field)>>();
        };
        take("train_data", p.train_data);
        take("val_data", p.val_data);
        take("model", p.model);
        take("generator_types", p.generator_types);
        take("scan_order", p.scan_order);
        take("layout", p.layout);
        take("crop_length", p.crop_length);
        take("train_batch_size", p.train_batch_size);
        take("max_steps", p.max_steps);
        take("lr", p.lr);
        take("weight_decay", p.weight_decay);
        take("warmup_steps", p.warmup_steps);
        take("grad_clip", p.grad_clip);
        take("pitch_shift", p.pitch_shift);
        take("val_fraction", p.val_fraction);
        // Runs made before these fields existed were velocity-coded, without pitch positions, plan or a moving average.
        p.cells = "velocity", p.pitch_positions = false, p.plan = false, p.ema = 0;
        take("cells", p.cells);
        take("pitch_positions", p.pitch_positions);
        take("plan", p.plan);
        take("plan_batch", p.plan_batch);
        take("ema", p.ema);
        take("seed", p.seed);
        take("init_from", p.init_from);
        take("eval_every", p.eval_every);
        take("val_crops", p.val_crops);
        take("sample_every", p.sample_every);
        take("threads", p.threads);
        take("precision", p.precision);   // as used (fp32 or bf16); runs before it had none and keep "auto"
        std::string device = p.device;
        take("device", device);
        p.device = device.rfind("cuda", 0) == 0 ? "cuda" : device == "cpu" ? "cpu" : "auto";
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("config.json is not readable: ") + e.what(), dir);
    }
    p.output_dir = dir;
    p.resume = false;
    return p;
}

std::vector<RunMetric> read_run_metrics(const std::string& dir) {
    std::vector<RunMetric> out;
    std::ifstream f(dir + "/metrics.jsonl");
    for (std::string line; std::getline(f, line);) {
        try {
            const nlohmann::json j = nlohmann::json::parse(line);
            RunMetric m;
            m.step = j.at("step").get<int>();
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
