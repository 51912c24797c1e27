#include "engine.h"

#include <torch/torch.h>

#include "model/canvas.h"
#include "model/checkpoint.h"
#include "model/generator.h"
#include "model/mixed_precision.h"

namespace fm {

bool cuda_available() { return torch::cuda::is_available(); }

struct Engine::Impl {
    FractalNet net{nullptr};
    std::string device, source;
    Precision precision = Precision::fp32;
    int64_t parameters = 0;
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
    for (const auto& t : impl_->net->parameters()) impl_->parameters += t.numel();
    impl_->net->eval();
}

Engine::~Engine() = default;

std::unique_ptr<Engine> Engine::load(const std::string& checkpoint, const std::string& device, Precision precision) {
    auto impl = std::make_unique<Impl>();
    const torch::Device d = resolve_device(device);
    impl->net = load_net(checkpoint, d);
    impl->precision = apply_precision(impl->net, precision);
    impl->device = d.str(), impl->source = checkpoint;
    return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

std::unique_ptr<Engine> Engine::create(const ModelConfig& config, uint64_t seed, const std::string& device, Precision precision) {
    auto impl = std::make_unique<Impl>();
    const torch::Device d = resolve_device(device);
    impl->net = seeded_net(config, seed);
    impl->net->to(d);
    impl->precision = apply_precision(impl->net, precision);
    impl->device = d.str(), impl->source = "random weights";
    return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

const ModelConfig& Engine::config() const { return impl_->net->config(); }
const std::string& Engine::device() const { return impl_->device; }
Precision Engine::precision() const { return impl_->precision; }
int64_t Engine::parameters() const { return impl_->parameters; }
const std::string& Engine::source() const { return impl_->source; }

std::vector<Roll> Engine::generate(const GenerateParams& params, const ProgressFn& progress, const CancelFlag* cancel) {
    return fm::generate(impl_->net, params, progress, cancel);
}

void Engine::save(const std::string& path, const std::map<std::string, std::string>& metadata, bool fp16) {
    save_checkpoint(path, impl_->net, nullptr, metadata, fp16);
}

}  // namespace fm
