// fuzz_safetensors.cpp — libFuzzer target for the safetensors reader (core/safetensors.h).
//
// Each input is a whole file. fm::decode_safetensors reads it from memory; the same bytes written to a scratch
// file go through fm::read_safetensors_metadata (the header-only reader the run list uses). Findings (the
// process aborts):
//   - a crash, an ASan / UBSan report, a leak, a timeout or an out-of-memory (libFuzzer's own checks);
//   - any exception that is not fm::Error, or an fm::Error from the path reader that does not name the file;
//   - a decoded file that breaks the header's promises: tensors not in strict name order, a byte count that is
//     not dtype size x shape, find() not finding a tensor;
//   - a decoded file that fm::encode_safetensors refuses, or whose encoding decodes to something else, or
//     encodes differently the second time, or changes its tensor_digest;
//   - read_safetensors_metadata refusing a file that decodes, or giving other metadata.
// The mutator knows the layout: most mutations change the header text or the data alone and then rewrite the
// 8-byte length, so the fuzzer gets past the length check and into the JSON and the offsets.
// Build and run: scripts/fuzz.sh safetensors [runs]   (seeds: fuzz_seeds safetensors DIR).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/safetensors.h"
#include "fuzz_support.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace {

using fm_fuzz::finding;

uint64_t header_length(const uint8_t* data) {
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= uint64_t(data[i]) << (8 * i);
    return n;
}

bool same_file(const fm::StFile& a, const fm::StFile& b, std::string& why) {
    if (a.metadata != b.metadata) return why = "metadata", false;
    if (a.tensors.size() != b.tensors.size()) return why = "tensor count", false;
    for (size_t i = 0; i < a.tensors.size(); ++i) {
        const fm::StTensor &x = a.tensors[i], &y = b.tensors[i];
        if (x.name != y.name || x.dtype != y.dtype || x.shape != y.shape || x.bytes != y.bytes)
            return why = "tensor " + std::to_string(i), false;
    }
    return true;
}

// What decode_safetensors promises about a file it returns.
void check_decoded(const fm::StFile& f) {
    for (size_t i = 0; i < f.tensors.size(); ++i) {
        const fm::StTensor& t = f.tensors[i];
        if (t.name.empty() || t.name == "__metadata__") finding("decoded a tensor with a reserved or empty name");
        if (i > 0 && !(f.tensors[i - 1].name < t.name)) finding("decoded tensors are not in strict name order");
        uint64_t need = fm::dtype_size(t.dtype);   // throws on an unknown dtype: a finding (not fm::Error here)
        for (int64_t d : t.shape) {
            if (d < 0) finding("decoded a negative dim");
            need *= uint64_t(d);   // no overflow: the bytes are in memory
        }
        if (t.bytes.size() != need) finding("tensor bytes do not match dtype x shape");
        if (f.find(t.name) != &t) finding("find() does not find tensor " + std::to_string(i));
    }
}

void check_round_trip(const fm::StFile& f) {
    std::vector<uint8_t> bytes;
    try {
        bytes = fm::encode_safetensors(f);
    } catch (const fm::Error& e) {
        finding(std::string("a decoded file does not encode: ") + e.what());
    }
    fm::StFile back;
    try {
        back = fm::decode_safetensors(bytes.data(), bytes.size());
    } catch (const fm::Error& e) {
        finding(std::string("our own encoding does not decode: ") + e.what());
    }
    std::string why;
    if (!same_file(f, back, why)) finding("round trip changed the " + why);
    if (fm::encode_safetensors(back) != bytes) finding("encoding is not deterministic");
    if (fm::tensor_digest(back) != fm::tensor_digest(f)) finding("round trip changed the digest");
}

}  // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned seed) {
    std::minstd_rand rng(seed);
    const uint64_t n = size >= 8 ? header_length(data) : ~uint64_t(0);
    if (size < 8 || n == 0 || n > size - 8 || rng() % 4 == 0) return LLVMFuzzerMutate(data, size, max_size);
    std::vector<uint8_t> head(data + 8, data + 8 + n), tail(data + 8 + n, data + size);
    std::vector<uint8_t>& part = rng() % 4 != 0 || tail.empty() ? head : tail;
    const size_t other = size - part.size();   // 8 + the part left alone
    const size_t old = part.size();
    part.resize(max_size - other);             // >= old: size <= max_size
    part.resize(LLVMFuzzerMutate(part.data(), old, part.size()));
    const uint64_t m = head.size();
    for (int i = 0; i < 8; ++i) data[i] = uint8_t(m >> (8 * i));
    std::copy(head.begin(), head.end(), data + 8);
    std::copy(tail.begin(), tail.end(), data + 8 + head.size());
    return 8 + head.size() + tail.size();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string path = fm_fuzz::scratch_dir() + "/input.safetensors";
    try {
        fm::StFile file;
        bool decoded = false;
        try {
            file = fm::decode_safetensors(data, size);
            decoded = true;
        } catch (const fm::Error&) {
            // refused cleanly
        }
        if (decoded) {
            check_decoded(file);
            check_round_trip(file);
        }

        fm_fuzz::write_file(path, data, size);
        try {
            const auto metadata = fm::read_safetensors_metadata(path);
            if (decoded && metadata != file.metadata) finding("read_safetensors_metadata disagrees with decode");
        } catch (const fm::Error& e) {
            if (decoded) finding(std::string("read_safetensors_metadata refuses a file that decodes: ") + e.what());
            if (e.file() != path) finding(std::string("read_safetensors_metadata's error does not name the file: ") + e.what());
        }
    } catch (const fm::Error& e) {
        finding(std::string("fm::Error from a check of a decoded file: ") + e.what());
    } catch (const std::exception& e) {
        finding(std::string("exception that is not fm::Error: ") + e.what());
    } catch (...) {
        finding("non-standard exception");
    }
    return 0;
}
