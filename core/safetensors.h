// safetensors.h — the safetensors file format (weights, optimiser state, config) without torch.
//
//   fm::StFile f;
//   f.metadata["config"] = config_json_text;                        // string -> string only
//   f.tensors.push_back({"level0.w", "F32", {16, 16}, bytes});      // bytes: little-endian, row-major
//   fm::save_safetensors("ckpt.safetensors", f);                    // atomic: temporary file, fsync, rename
//   fm::StFile g = fm::load_safetensors("ckpt.safetensors");        // throws fm::Error("ckpt.safetensors: reason")
//   if (const fm::StTensor* w = g.find("level0.w")) ...
//
// The layout (the public safetensors spec, read by Python's `safetensors` library):
//   8 bytes   N, little-endian u64
//   N bytes   UTF-8 JSON object: {"name": {"dtype": "F32", "shape": [16, 16], "data_offsets": [begin, end]}, ...,
//             "__metadata__": {"key": "value", ...}}; offsets count from the first byte after the header;
//             padded with spaces so that 8 + N is a multiple of 8
//   rest      the tensors' bytes, back to back, no gaps
// The writer puts tensors in name order. The reader checks everything it is given and throws fm::Error with the
// reason (and, from load_safetensors, the file): header length (at most 100 MB; one past the end of the file
// means the file is truncated), JSON, each entry's fields and types, dtype, shape (no negative dims, no
// overflow), offsets against the shape and the buffer, overlaps and uncovered bytes, metadata values that are
// not strings, duplicate keys. Fields of a tensor entry other than the three above are ignored, as Python does.
// The format has no magic or version of its own: a caller that needs one (a checkpoint) keeps it in metadata.
//
// Thread-safety: free functions over values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fm {

struct StTensor {
    std::string name;
    std::string dtype;             // "F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL"
    std::vector<int64_t> shape;    // {} is a scalar (one element); a 0 dim makes an empty tensor
    std::vector<uint8_t> bytes;    // little-endian, row-major; size == dtype_size(dtype) * product(shape)
};

struct StFile {
    std::map<std::string, std::string> metadata;   // the header's "__metadata__"
    std::vector<StTensor> tensors;                 // decode returns them in name order
    // The tensor called `name`, or nullptr (a linear search).
    const StTensor* find(const std::string& name) const;
};

// Bytes per element of a dtype named as above; throws fm::Error on an unknown one.
size_t dtype_size(const std::string& dtype);

// Throws fm::Error on an empty, duplicate or reserved ("__metadata__") name, a name or metadata text that is
// not UTF-8, an unknown dtype, a negative dim, or a byte count that does not match dtype x shape.
std::vector<uint8_t> encode_safetensors(const StFile& file);
// Throws fm::Error(reason) — without a file name; load_safetensors adds it.
StFile decode_safetensors(const uint8_t* data, size_t size);

// A digest of the tensors' bytes, in name order ("fnv1a64:" and 16 hex digits): FNV-1a over 8-byte little-endian
// words (the tail byte-wise), so a change of any byte changes it. For damage, not for tampering. Written here rather
// than taken from a library so that the headless build (the CUDA machines) needs nothing beyond LibTorch; it hashes
// ~2 GB/s, a 20 MB model in ~10 ms.
std::string tensor_digest(const StFile& file);

void save_safetensors(const std::string& path, const StFile& file);   // fm::write_file_atomic
StFile load_safetensors(const std::string& path);
// Only the header's "__metadata__" (reads the header, not the tensors: cheap on a 100 MB checkpoint).
// Throws fm::Error(reason, path) on a missing file, a bad header length or JSON, or a value that is not a string.
std::map<std::string, std::string> read_safetensors_metadata(const std::string& path);

}  // namespace fm
