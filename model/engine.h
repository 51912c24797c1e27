// engine.h — the model behind a wall with no torch in sight, for the studio (ui/ never includes torch).
//
//   auto engine = fm::Engine::load("model.safetensors", "auto");          // fm::Error on a bad file
//   std::vector<fm::Roll> rolls = engine->generate(params, progress, &cancel);
//   std::printf("%s, %lld parameters on %s\n", fm::generator_types(engine->config()).c_str(), ...);
//
// Thread-safety: one generate() at a time per engine (the studio runs it on one worker thread); config() and
// the other accessors may be read from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/progress.h"
#include "core/roll.h"
#include "model/generate_params.h"
#include "model/model_config.h"
#include "model/precision.h"

namespace fm {

// True when LibTorch sees a CUDA device (the studio offers "cuda" only then).
bool cuda_available();

class Engine {
public:
    // A trained checkpoint on "cpu", "cuda" or "auto", its matmuls in `precision` (see precision.h).
    // Throws fm::Error(reason, path).
    static std::unique_ptr<Engine> load(const std::string& checkpoint, const std::string& device = "auto",
                                        Precision precision = Precision::automatic);
    // Random weights (tests, trying a layout before training).
    static std::unique_ptr<Engine> create(const ModelConfig& config, uint64_t seed, const std::string& device = "cpu",
                                          Precision precision = Precision::automatic);
    ~Engine();

    const ModelConfig& config() const;
    const std::string& device() const;
    Precision precision() const;   // as used: fp32 or bf16
    int64_t parameters() const;
    const std::string& source() const;   // the checkpoint's path, or "random weights"

    // See generator.h: the rolls (partial, with -1 cells, when cancelled). Throws fm::Error on bad parameters.
    std::vector<Roll> generate(const GenerateParams& params, const ProgressFn& progress, const CancelFlag* cancel);
    // A checkpoint of the weights alone (atomic), with extra metadata; fp16: F16 weights (a shipped model).
    void save(const std::string& path, const std::map<std::string, std::string>& metadata = {}, bool fp16 = false);

private:
    struct Impl;
    explicit Engine(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace fm
