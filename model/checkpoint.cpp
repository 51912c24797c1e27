#include "checkpoint.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "core/log.h"
#include "core/safetensors.h"

namespace fm {

namespace {

constexpr const char* kFormat = "fractalmidi-checkpoint";
constexpr const char* kVersion = "1";
constexpr const char* kDigestKey = "tensor_digest";   // core/safetensors.h: tensor_digest()

// Reads a checkpoint and checks its tensors against the digest its writer stored. Files without one (written before
// it existed, or by other tools) load with a warning.
StFile load_checked(const std::string& path) {
    StFile f = load_safetensors(path);
    auto it = f.metadata.find(kDigestKey);
    if (it == f.metadata.end()) {
        log_warning("%s: no tensor digest in the file (written by an older build or another tool): damage cannot be detected", path.c_str());
        return f;
    }
    if (tensor_digest(f) != it->second)
        throw Error("the file is damaged: its tensors do not match the digest stored when it was written (copy it again, or "
                    "use another checkpoint)", path);
    return f;
}

StTensor to_st(const std::string& name, const torch::Tensor& t, bool half = false) {
    auto c = t.detach().to(torch::kCPU).contiguous();
    StTensor s;
    s.name = name;
    if (half && c.is_floating_point()) c = c.to(torch::kFloat16), s.dtype = "F16";
    else if (c.scalar_type() == torch::kFloat32) s.dtype = "F32";
    else if (c.scalar_type() == torch::kInt64) s.dtype = "I64";
    else if (c.scalar_type() == torch::kUInt8) s.dtype = "U8";
    else c = c.to(torch::kFloat32), s.dtype = "F32";
    s.shape.assign(c.sizes().begin(), c.sizes().end());
    s.bytes.resize(size_t(c.numel()) * c.element_size());
    if (!s.bytes.empty()) std::memcpy(s.bytes.data(), c.data_ptr(), s.bytes.size());
    return s;
}

// An F32 or F16 tensor (shipped models are F16) as float32; NaN or infinite values are refused as damage.
torch::Tensor read_float(const StTensor& s, const std::string& path) {
    auto t = torch::empty(s.shape, s.dtype == "F16" ? torch::kFloat16 : torch::kFloat32);
    if (!s.bytes.empty()) std::memcpy(t.data_ptr(), s.bytes.data(), std::min(s.bytes.size(), size_t(t.nbytes())));
    t = t.to(torch::kFloat32);
    if (!torch::isfinite(t).all().item<bool>())
        throw Error("tensor '" + s.name + "' holds NaN or infinite values: the file is damaged, or the run that wrote it diverged", path);
    return t;
}

void copy_into(const StTensor& s, torch::Tensor& dst, const std::string& path) {
    if (s.shape != dst.sizes().vec() || (s.dtype != "F32" && s.dtype != "F16"))
        throw Error("tensor '" + s.name + "' has shape/dtype that does not match the model (is the file from another config?)", path);
    auto cpu = read_float(s, path);
    torch::NoGradGuard no_grad;
    dst.copy_(cpu.to(dst.device()));
}

}  // namespace

void save_checkpoint(const std::string& path, FractalNet& net, torch::optim::AdamW* optimizer, const Metadata& extra, bool fp16,
                     FractalNet* ema) {
    StFile f;
    f.metadata = extra;
    f.metadata["format"] = kFormat;
    f.metadata["version"] = kVersion;
    f.metadata["config"] = config_to_json(net->config());
    for (const auto& kv : net->named_parameters()) f.tensors.push_back(to_st("model." + kv.key(), kv.value(), fp16));
    for (const auto& kv : net->named_buffers()) f.tensors.push_back(to_st("model." + kv.key(), kv.value(), fp16));
    if (ema != nullptr)
        for (const auto& kv : (*ema)->named_parameters()) f.tensors.push_back(to_st("ema." + kv.key(), kv.value()));
    if (optimizer != nullptr) {
        const auto params = net->parameters();
        auto& states = optimizer->state();
        for (size_t i = 0; i < params.size(); ++i) {
            auto it = states.find(optimizer_state_key(params[i]));
            if (it == states.end()) continue;
            auto& st = static_cast<torch::optim::AdamWParamState&>(*it->second);
            f.tensors.push_back(to_st("optim." + std::to_string(i) + ".exp_avg", st.exp_avg()));
            f.tensors.push_back(to_st("optim." + std::to_string(i) + ".exp_avg_sq", st.exp_avg_sq()));
            f.tensors.push_back(to_st("optim." + std::to_string(i) + ".step", torch::tensor({st.step()}, torch::kInt64)));
        }
    }
    f.metadata[kDigestKey] = tensor_digest(f);
    save_safetensors(path, f);
}

namespace {

void apply_file(const StFile& f, const std::string& path, FractalNet& net, torch::optim::AdamW* optimizer, Metadata* metadata,
                FractalNet* ema = nullptr) {
    for (auto& kv : net->named_parameters()) {
        const StTensor* s = f.find("model." + kv.key());
        if (!s) throw Error("tensor 'model." + kv.key() + "' is missing (is the file from another config?)", path);
        copy_into(*s, kv.value(), path);
    }
    if (ema != nullptr) {
        auto own = net->named_parameters();
        for (auto& kv : (*ema)->named_parameters()) {
            const StTensor* s = f.find("ema." + kv.key());
            if (s) copy_into(*s, kv.value(), path);
            else {
                torch::NoGradGuard no_grad;
                kv.value().copy_(own[kv.key()]);
            }
        }
    }
    if (optimizer != nullptr) {
        const auto params = net->parameters();
        auto& states = optimizer->state();
        for (size_t i = 0; i < params.size(); ++i) {
            const StTensor* a = f.find("optim." + std::to_string(i) + ".exp_avg");
            const StTensor* b = f.find("optim." + std::to_string(i) + ".exp_avg_sq");
            const StTensor* st = f.find("optim." + std::to_string(i) + ".step");
            if (!a || !b || !st || st->bytes.size() != 8) continue;
            auto state = std::make_unique<torch::optim::AdamWParamState>();
            auto ea = torch::zeros_like(params[i]), eb = torch::zeros_like(params[i]);
            copy_into(*a, ea, path);
            copy_into(*b, eb, path);
            int64_t step = 0;
            std::memcpy(&step, st->bytes.data(), 8);
            state->exp_avg(ea);
            state->exp_avg_sq(eb);
            state->step(step);
            states[optimizer_state_key(params[i])] = std::move(state);
        }
    }
    if (metadata) *metadata = f.metadata;
}

}  // namespace

void load_checkpoint_into(const std::string& path, FractalNet& net, torch::optim::AdamW* optimizer, Metadata* metadata, FractalNet* ema) {
    apply_file(load_checked(path), path, net, optimizer, metadata, ema);
}

namespace {

// The model config of a checkpoint file, after checking that it is one of ours and of a version this build reads.
ModelConfig file_config(const StFile& f, const std::string& path) {
    auto it = f.metadata.find("format");
    if (it == f.metadata.end() || it->second != kFormat) throw Error("not a FractalMIDI checkpoint (no format in its metadata)", path);
    auto version = f.metadata.find("version");
    if (version == f.metadata.end() || version->second != kVersion)
        throw Error("checkpoint format version " + (version == f.metadata.end() ? std::string("(none)") : version->second) +
                        " is not supported (this build reads " + kVersion + ")", path);
    auto cfg = f.metadata.find("config");
    if (cfg == f.metadata.end()) throw Error("checkpoint has no model config in its metadata", path);
    try {
        return config_from_json(cfg->second);
    } catch (const Error& e) {
        throw Error(e.reason(), path);
    }
}


// Rows of a velocity-coded class table (silence, velocities 1..127[, extra rows]) laid out as a note-coded one
// (silence, hold, onsets 1..127[, the same extra rows]); hold starts as the mean of the onsets.
torch::Tensor velocity_rows_to_notes(const torch::Tensor& src) {
    using torch::indexing::Slice;
    auto onsets = src.index({Slice(1, 128)});
    return torch::cat({src.index({Slice(0, 1)}), onsets.mean(0, /*keepdim=*/true), onsets, src.index({Slice(128)})}, 0);
}

}  // namespace

std::vector<std::string> warm_start(const std::string& path, FractalNet& net, const std::string& only) {
    const StFile f = load_checked(path);
    const ModelConfig source = file_config(f, path);
    const bool remap = source.cells == CellCoding::velocity && net->config().cells == CellCoding::notes;
    std::vector<std::string> left;
    torch::NoGradGuard no_grad;
    for (auto& kv : net->named_parameters()) {
        if (kv.key().rfind(only, 0) != 0) continue;
        const StTensor* s = f.find("model." + kv.key());
        if (s == nullptr && !source.conditions && kv.key().rfind("plan_free.", 0) == 0)   // the file's prior asks for nothing
            s = f.find("model.plan." + kv.key().substr(10));
        torch::Tensor& dst = kv.value();
        if (s == nullptr || (s->dtype != "F32" && s->dtype != "F16")) {
            left.push_back(kv.key());
            continue;
        }
        auto src = read_float(*s, path);
        const bool class_table = kv.key().find("cell_embed.weight") != std::string::npos || kv.key().rfind("head.out.", 0) == 0;
        if (remap && class_table && src.dim() >= 1 && src.size(0) >= 128) src = velocity_rows_to_notes(src);
        if (src.sizes() != dst.sizes()) {
            left.push_back(kv.key());
            continue;
        }
        dst.copy_(src.to(dst.device()));
    }
    return left;
}

FractalNet load_net(const std::string& path, const torch::Device& device, Metadata* metadata) {
    const StFile f = load_checked(path);
    FractalNet net(file_config(f, path));
    net->to(device);
    apply_file(f, path, net, nullptr, metadata);
    return net;
}

}  // namespace fm
