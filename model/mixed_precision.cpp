#include "mixed_precision.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace fm {

Precision apply_precision(FractalNet& net, Precision requested) {
    const bool cuda = net->parameters().front().device().is_cuda();
    const Precision used = resolve_precision(requested, cuda);
    net->set_matmul_dtype(matmul_dtype(used));
    return used;
}

// LibTorch 2.4 made autocast's settings per device type and deprecated the CPU- and CUDA-named functions.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
namespace {
bool autocast_enabled(torch::DeviceType t) { return at::autocast::is_autocast_enabled(t); }
torch::ScalarType autocast_dtype(torch::DeviceType t) { return at::autocast::get_autocast_dtype(t); }
void set_autocast(torch::DeviceType t, bool on, torch::ScalarType dtype) {
    at::autocast::set_autocast_dtype(t, dtype);
    at::autocast::set_autocast_enabled(t, on);
}
}  // namespace
#else
namespace {
bool autocast_enabled(torch::DeviceType t) { return t == torch::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled(); }
torch::ScalarType autocast_dtype(torch::DeviceType t) {
    return t == torch::kCUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
}
void set_autocast(torch::DeviceType t, bool on, torch::ScalarType dtype) {
    if (t == torch::kCUDA) {
        at::autocast::set_autocast_gpu_dtype(dtype);
        at::autocast::set_enabled(on);
    } else {
        at::autocast::set_autocast_cpu_dtype(dtype);
        at::autocast::set_cpu_enabled(on);
    }
}
}  // namespace
#endif

Autocast::Autocast(const torch::Device& device, bool enabled) : enabled_(enabled), type_(device.type()) {
    if (!enabled_) return;
    was_enabled_ = autocast_enabled(type_);
    was_dtype_ = autocast_dtype(type_);
    set_autocast(type_, true, torch::kBFloat16);
    at::autocast::increment_nesting();
}

Autocast::~Autocast() {
    if (!enabled_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    set_autocast(type_, was_enabled_, was_dtype_);
}

}  // namespace fm
