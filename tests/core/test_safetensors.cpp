// test_safetensors.cpp — the safetensors codec: round trips, the layout it writes, files written by hand as
// Python's safetensors writes them, and every malformed file the reader must refuse, each with its reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file_io.h"
#include "core/safetensors.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

using Bytes = std::vector<uint8_t>;

// A file by hand: 8-byte little-endian header length, the header text as given (no padding added), the data.
Bytes st_bytes(const std::string& header, const Bytes& data = {}) {
    Bytes out;
    const uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) out.push_back(uint8_t(n >> (8 * i)));
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

// One header entry's JSON text, in the field order Python writes.
std::string entry(const std::string& name, const std::string& dtype, const std::string& shape, uint64_t begin,
                  uint64_t end) {
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" +
           std::to_string(begin) + "," + std::to_string(end) + "]}";
}

template <typename T>
Bytes to_bytes(const std::vector<T>& values) {   // the host is little-endian (x86-64, aarch64)
    Bytes out(values.size() * sizeof(T));
    if (!out.empty()) std::memcpy(out.data(), values.data(), out.size());
    return out;
}

Bytes random_bytes(std::mt19937& rng, size_t n) {
    Bytes out(n);
    for (auto& b : out) b = uint8_t(rng());
    return out;
}

fm::StFile decode(const Bytes& b) { return fm::decode_safetensors(b.data(), b.size()); }

// Passes when decoding `b` throws fm::Error whose reason contains `want`.
::testing::AssertionResult rejects(const Bytes& b, const std::string& want) {
    try {
        decode(b);
    } catch (const fm::Error& e) {
        if (e.reason().find(want) != std::string::npos) return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure() << "rejected with \"" << e.reason() << "\", expected \"" << want << "\"";
    }
    return ::testing::AssertionFailure() << "accepted; expected a rejection with \"" << want << "\"";
}

// The header JSON of an encoded file, and its length N.
json header_of(const Bytes& file, uint64_t* n_out = nullptr) {
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= uint64_t(file[size_t(i)]) << (8 * i);
    if (n_out) *n_out = n;
    return json::parse(file.begin() + 8, file.begin() + 8 + long(n));
}

// Every dtype, NaN payloads, a scalar and an empty tensor; names given out of order.
fm::StFile sample_file() {
    std::mt19937 rng(1234);
    // quiet NaN with a payload, signalling NaN, +inf, -inf, -0, the smallest denormal, then random bits
    std::vector<uint32_t> f32_bits = {0x7FC00001u, 0xFFA00000u, 0x7F800000u, 0xFF800000u, 0x80000000u, 0x00000001u};
    while (f32_bits.size() < 24) f32_bits.push_back(rng());
    std::vector<uint64_t> f64_bits = {0x7FF0000000000001ull, 0xFFF8DEADBEEF0001ull, rng(),
                                      (uint64_t(rng()) << 32) | rng()};
    fm::StFile f;
    f.tensors.push_back({"level1.w", "F32", {4, 6}, to_bytes(f32_bits)});
    f.tensors.push_back({"level0.w", "F64", {2, 2}, to_bytes(f64_bits)});
    f.tensors.push_back({"adam.step", "I64", {}, to_bytes(std::vector<int64_t>{-1234567890123ll})});
    f.tensors.push_back({"empty", "F32", {3, 0, 2}, {}});
    f.tensors.push_back({"h", "F16", {5}, to_bytes(std::vector<uint16_t>{0x7E01, 0xFC00, 0x0001, 0x3C00, 0x8000})});
    f.tensors.push_back({"b", "BF16", {3}, to_bytes(std::vector<uint16_t>{0x7FC1, 0x3F80, 0xC000})});
    f.tensors.push_back({"i32", "I32", {2}, to_bytes(std::vector<int32_t>{-7, 2147483647})});
    f.tensors.push_back({"i16", "I16", {3}, to_bytes(std::vector<int16_t>{-32768, 0, 32767})});
    f.tensors.push_back({"i8", "I8", {1, 3}, random_bytes(rng, 3)});
    f.tensors.push_back({"u8", "U8", {7}, random_bytes(rng, 7)});
    f.tensors.push_back({"mask", "BOOL", {2, 1}, Bytes{1, 0}});
    f.metadata["config"] = R"({"levels": [4, 16], "name": "tiny \"net\"\n", "note": "é 🎹"})";
    f.metadata["format"] = "fractalmidi-checkpoint 1";
    f.metadata["empty"] = "";
    return f;
}

// A small valid file for truncation and fuzzing: two tensors and metadata.
Bytes small_file() {
    fm::StFile f;
    f.metadata["k"] = "v";
    f.tensors.push_back({"a", "F32", {2}, to_bytes(std::vector<float>{1.0f, -2.5f})});
    f.tensors.push_back({"b", "U8", {3}, Bytes{7, 8, 9}});
    return fm::encode_safetensors(f);
}

}  // namespace

// ---- round trips and what the writer produces -------------------------------------------------------------

TEST(Safetensors, RoundTripIsBitExact) {
    const fm::StFile in = sample_file();
    const Bytes bytes = fm::encode_safetensors(in);
    const fm::StFile out = decode(bytes);
    ASSERT_EQ(out.tensors.size(), in.tensors.size());
    for (const fm::StTensor& t : in.tensors) {
        const fm::StTensor* got = out.find(t.name);
        ASSERT_NE(got, nullptr) << t.name;
        EXPECT_EQ(got->dtype, t.dtype) << t.name;
        EXPECT_EQ(got->shape, t.shape) << t.name;
        EXPECT_EQ(got->bytes, t.bytes) << t.name;   // byte-exact: NaN payloads and -0 survive
    }
    EXPECT_EQ(out.find("adam.step")->shape.size(), 0u);
    EXPECT_TRUE(out.find("empty")->bytes.empty());
    EXPECT_EQ(out.find("missing"), nullptr);
    EXPECT_EQ(fm::encode_safetensors(out), bytes);   // deterministic: decoding and encoding again gives the same file
}

TEST(Safetensors, MetadataRoundTrips) {
    const fm::StFile in = sample_file();
    const fm::StFile out = decode(fm::encode_safetensors(in));
    EXPECT_EQ(out.metadata, in.metadata);
    EXPECT_EQ(json::parse(out.metadata.at("config"))["levels"][1], 16);

    fm::StFile bare;   // no metadata: no "__metadata__" key at all, as Python writes
    bare.tensors.push_back({"x", "U8", {1}, Bytes{5}});
    const Bytes bytes = fm::encode_safetensors(bare);
    EXPECT_FALSE(header_of(bytes).contains("__metadata__"));
    EXPECT_TRUE(decode(bytes).metadata.empty());

    const fm::StFile nothing = decode(fm::encode_safetensors(fm::StFile{}));   // no tensors, no metadata
    EXPECT_TRUE(nothing.tensors.empty());
    EXPECT_TRUE(nothing.metadata.empty());
}

TEST(Safetensors, HeaderIsPaddedSoDataStartsAligned) {
    for (size_t len = 1; len <= 17; ++len) {   // names of every length modulo 8
        fm::StFile f;
        f.tensors.push_back({std::string(len, 'n'), "U8", {1}, Bytes{42}});
        const Bytes bytes = fm::encode_safetensors(f);
        uint64_t n = 0;
        header_of(bytes, &n);
        EXPECT_EQ((8 + n) % 8, 0u) << "name length " << len;
        EXPECT_EQ(bytes.size(), 8 + n + 1);
        EXPECT_EQ(bytes.back(), 42);
        const std::string text(bytes.begin() + 8, bytes.begin() + 8 + long(n));
        const size_t close = text.rfind('}');
        EXPECT_EQ(text.find_first_not_of(' ', close + 1), std::string::npos) << "padding is spaces: " << text;
        EXPECT_LT(text.size() - close - 1, 8u);
    }
}

TEST(Safetensors, TensorsAreWrittenInNameOrderBackToBack) {
    const fm::StFile in = sample_file();
    const Bytes bytes = fm::encode_safetensors(in);
    uint64_t n = 0;
    const json header = header_of(bytes, &n);
    std::vector<std::string> names;
    for (const fm::StTensor& t : in.tensors) names.push_back(t.name);
    std::sort(names.begin(), names.end());

    uint64_t pos = 0;
    for (const std::string& name : names) {
        const json& e = header.at(name);
        const uint64_t begin = e.at("data_offsets")[0], end = e.at("data_offsets")[1];
        EXPECT_EQ(begin, pos) << name << ": contiguous, in name order";
        const fm::StTensor* t = in.find(name);
        ASSERT_EQ(end - begin, t->bytes.size()) << name;
        EXPECT_TRUE(std::equal(t->bytes.begin(), t->bytes.end(), bytes.begin() + long(8 + n + begin))) << name;
        EXPECT_EQ(e.at("dtype"), t->dtype);
        EXPECT_EQ(e.at("shape").get<std::vector<int64_t>>(), t->shape);
        pos = end;
    }
    EXPECT_EQ(8 + n + pos, bytes.size()) << "nothing after the last tensor";
    EXPECT_EQ(header.size(), names.size() + 1);   // the tensors and "__metadata__"

    const fm::StFile out = decode(bytes);
    for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(out.tensors[i].name, names[i]) << "decoded in name order";
}

TEST(Safetensors, DtypeSizes) {
    EXPECT_EQ(fm::dtype_size("F64"), 8u);
    EXPECT_EQ(fm::dtype_size("F32"), 4u);
    EXPECT_EQ(fm::dtype_size("F16"), 2u);
    EXPECT_EQ(fm::dtype_size("BF16"), 2u);
    EXPECT_EQ(fm::dtype_size("I64"), 8u);
    EXPECT_EQ(fm::dtype_size("I32"), 4u);
    EXPECT_EQ(fm::dtype_size("I16"), 2u);
    EXPECT_EQ(fm::dtype_size("I8"), 1u);
    EXPECT_EQ(fm::dtype_size("U8"), 1u);
    EXPECT_EQ(fm::dtype_size("BOOL"), 1u);
    EXPECT_THROW(fm::dtype_size("f32"), fm::Error);
    EXPECT_THROW(fm::dtype_size(""), fm::Error);
}

TEST(Safetensors, EncodeRejectsBadTensors) {
    auto reason = [](const fm::StFile& f) {
        try {
            fm::encode_safetensors(f);
        } catch (const fm::Error& e) {
            return e.reason();
        }
        return std::string("(accepted)");
    };
    auto one = [](fm::StTensor t) {
        fm::StFile f;
        f.tensors.push_back(std::move(t));
        return f;
    };
    EXPECT_EQ(reason(one({"w", "F32", {16, 16}, Bytes(1000)})),
              "tensor 'w' has 1000 bytes but its shape [16, 16] of F32 needs 1024");
    EXPECT_EQ(reason(one({"s", "F64", {}, Bytes(4)})), "tensor 's' has 4 bytes but its shape [] of F64 needs 8");
    EXPECT_EQ(reason(one({"", "U8", {1}, Bytes(1)})), "a tensor has an empty name");
    EXPECT_NE(reason(one({"__metadata__", "U8", {1}, Bytes(1)})).find("reserves"), std::string::npos);
    EXPECT_NE(reason(one({"w", "F128", {1}, Bytes(16)})).find("unknown dtype 'F128'"), std::string::npos);
    EXPECT_NE(reason(one({"w", "U8", {2, -1}, {}})).find("negative dim"), std::string::npos);
    EXPECT_NE(reason(one({"w", "F64", {int64_t(1) << 40, int64_t(1) << 40}, {}})).find("overflows"), std::string::npos);
    EXPECT_NE(reason(one({"bad\xff", "U8", {1}, Bytes(1)})).find("not valid UTF-8"), std::string::npos);

    fm::StFile dup = one({"w", "U8", {1}, Bytes(1)});
    dup.tensors.push_back({"w", "U8", {2}, Bytes(2)});
    EXPECT_EQ(reason(dup), "two tensors are called 'w'");

    fm::StFile meta = one({"w", "U8", {1}, Bytes(1)});
    meta.metadata["k"] = "\xc3";   // a cut two-byte sequence
    EXPECT_NE(reason(meta).find("metadata 'k' is not valid UTF-8"), std::string::npos);
}

// ---- compatibility: bytes exactly as Python's safetensors writes them --------------------------------------

TEST(Safetensors, ReadsAFileWrittenByPython) {
    // safetensors.numpy.save_file({"a": np.array([1.0, -2.5], dtype=np.float32)}): a 54-byte header padded with
    // two spaces to N = 56, so the data starts at byte 64.
    const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}  )";
    ASSERT_EQ(header.size(), 56u);
    Bytes file = {0x38, 0, 0, 0, 0, 0, 0, 0};
    file.insert(file.end(), header.begin(), header.end());
    for (uint8_t b : {0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0}) file.push_back(b);   // 1.0f, -2.5f

    const fm::StFile f = decode(file);
    ASSERT_EQ(f.tensors.size(), 1u);
    EXPECT_TRUE(f.metadata.empty());
    const fm::StTensor* a = f.find("a");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->dtype, "F32");
    EXPECT_EQ(a->shape, std::vector<int64_t>{2});
    ASSERT_EQ(a->bytes.size(), 8u);
    float v[2];
    std::memcpy(v, a->bytes.data(), 8);
    EXPECT_EQ(v[0], 1.0f);
    EXPECT_EQ(v[1], -2.5f);

    // Our own file for the same tensor has the same size and data; only the key order of the JSON differs.
    fm::StFile same;
    same.tensors.push_back({"a", "F32", {2}, to_bytes(std::vector<float>{1.0f, -2.5f})});
    const Bytes ours = fm::encode_safetensors(same);
    EXPECT_EQ(ours.size(), file.size());
    EXPECT_TRUE(std::equal(ours.begin() + 56 + 8, ours.end(), file.begin() + 56 + 8));
    EXPECT_EQ(header_of(ours), header_of(file));
}

TEST(Safetensors, ReadsATorchStyleFileWithMetadata) {
    // safetensors.torch.save_file({"b": torch.tensor(-3), "w": torch.tensor([[1., -2.]], dtype=torch.bfloat16)},
    // metadata={"format": "pt"}): "__metadata__" first, the 8-byte-aligned dtype first, a 141-byte header
    // padded with three spaces to N = 144.
    const std::string header = R"({"__metadata__":{"format":"pt"},"b":{"dtype":"I64","shape":[],"data_offsets":[0,8]},)"
                               R"("w":{"dtype":"BF16","shape":[1,2],"data_offsets":[8,12]}}   )";
    ASSERT_EQ(header.size(), 144u);
    Bytes file = {0x90, 0, 0, 0, 0, 0, 0, 0};
    file.insert(file.end(), header.begin(), header.end());
    for (uint8_t b : {0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}) file.push_back(b);   // int64 -3
    for (uint8_t b : {0x80, 0x3F, 0x00, 0xC0}) file.push_back(b);                           // bf16 1.0, -2.0

    const fm::StFile f = decode(file);
    EXPECT_EQ(f.metadata, (std::map<std::string, std::string>{{"format", "pt"}}));
    ASSERT_EQ(f.tensors.size(), 2u);
    const fm::StTensor* b = f.find("b");
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->dtype, "I64");
    EXPECT_TRUE(b->shape.empty());
    int64_t bv = 0;
    std::memcpy(&bv, b->bytes.data(), 8);
    EXPECT_EQ(bv, -3);
    const fm::StTensor* w = f.find("w");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->shape, (std::vector<int64_t>{1, 2}));
    EXPECT_EQ(w->bytes, (Bytes{0x80, 0x3F, 0x00, 0xC0}));
}

// ---- rejections, one hand-built file each -------------------------------------------------------------------

TEST(SafetensorsRejects, TooShortForTheLength) {
    for (size_t n = 0; n < 8; ++n) {
        const Bytes b(n, 0);
        EXPECT_TRUE(rejects(b, "too short for the 8-byte header length: truncated")) << n;
    }
}

TEST(SafetensorsRejects, HeaderLength) {
    Bytes huge = {0x01, 0xE1, 0xF5, 0x05, 0, 0, 0, 0};   // 100,000,001
    huge.resize(64, ' ');
    EXPECT_TRUE(rejects(huge, "header length 100000001 is over the format's 100 MB limit"));
    Bytes midi = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 1, 0, 2, 1, 0xE0};   // a MIDI file given by mistake
    EXPECT_TRUE(rejects(midi, "not a safetensors file"));

    Bytes past = st_bytes("{}");
    past[0] = 3;   // says 3 bytes, 2 follow
    EXPECT_TRUE(rejects(past, "the file is truncated: its header length says 3 bytes but only 2 follow"));
    EXPECT_TRUE(rejects(st_bytes(""), "does not start with '{'"));
    EXPECT_TRUE(rejects(st_bytes(" {}"), "does not start with '{'"));
    EXPECT_TRUE(rejects(st_bytes("[]"), "does not start with '{'"));
}

TEST(SafetensorsRejects, InvalidJson) {
    EXPECT_TRUE(rejects(st_bytes("{\"a\":"), "header is not valid JSON"));
    EXPECT_TRUE(rejects(st_bytes("{} x"), "header is not valid JSON"));
    EXPECT_TRUE(rejects(st_bytes("{\"a\xff\":1}"), "header is not valid JSON"));   // not UTF-8
    EXPECT_TRUE(rejects(st_bytes(std::string("{}\0", 3)), "header is not valid JSON"));
    EXPECT_TRUE(rejects(st_bytes("{\"a\":{},\"a\":{}}"), "header has the key 'a' twice"));
    EXPECT_TRUE(rejects(st_bytes("{" + entry("a", "U8", "[1]", 0, 1) + ",\"a\":{}}", Bytes{1}),
                        "header has the key 'a' twice"));
    EXPECT_TRUE(
        rejects(st_bytes("{\"a\":{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", Bytes{1}),
                "header has the key 'dtype' twice"));
}

TEST(SafetensorsRejects, EntryFields) {
    const Bytes data(8);
    EXPECT_TRUE(rejects(st_bytes("{\"a\":5}", data), "the entry for tensor 'a' is an integer, not an object"));
    EXPECT_TRUE(rejects(st_bytes("{\"a\":[]}", data), "the entry for tensor 'a' is an array, not an object"));
    EXPECT_TRUE(rejects(st_bytes("{\"\":{}}"), "a tensor has an empty name"));
    EXPECT_TRUE(rejects(st_bytes(R"({"a":{"shape":[2],"data_offsets":[0,8]}})", data), "tensor 'a' has no \"dtype\""));
    EXPECT_TRUE(
        rejects(st_bytes(R"({"a":{"dtype":"F32","data_offsets":[0,8]}})", data), "tensor 'a' has no \"shape\""));
    EXPECT_TRUE(rejects(st_bytes(R"({"a":{"dtype":"F32","shape":[2]}})", data), "tensor 'a' has no \"data_offsets\""));
    EXPECT_TRUE(rejects(st_bytes(R"({"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}})", data),
                        "tensor 'a' has a \"dtype\" that is an integer, not a string"));
    EXPECT_TRUE(
        rejects(st_bytes("{" + entry("a", "F128", "[2]", 0, 8) + "}", data),
                "tensor 'a' has unknown dtype 'F128' (known: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)"));
    EXPECT_TRUE(rejects(st_bytes("{" + entry("a", "f32", "[2]", 0, 8) + "}", data), "unknown dtype 'f32'"));
}

TEST(SafetensorsRejects, Shape) {
    const Bytes data(8);
    auto with_shape = [&](const std::string& shape) {
        return st_bytes("{" + entry("a", "F32", shape, 0, 8) + "}", data);
    };
    EXPECT_TRUE(rejects(with_shape("2"), "tensor 'a' has a \"shape\" that is an integer, not an array"));
    EXPECT_TRUE(rejects(with_shape("{}"), "tensor 'a' has a \"shape\" that is an object, not an array"));
    EXPECT_TRUE(rejects(with_shape("[2,-1]"), "tensor 'a' has shape dim 1 = -1, negative"));
    EXPECT_TRUE(
        rejects(with_shape("[2.0]"), "tensor 'a' has shape dim 0 that is a floating-point number, not an integer"));
    EXPECT_TRUE(rejects(with_shape("[\"2\"]"), "tensor 'a' has shape dim 0 that is a string, not an integer"));
    EXPECT_TRUE(rejects(with_shape("[null]"), "shape dim 0 that is null"));
    EXPECT_TRUE(rejects(with_shape("[9223372036854775808]"), "shape dim 0 = 9223372036854775808, too large"));
    EXPECT_TRUE(rejects(with_shape("[99999999999999999999]"), "that is a floating-point number"));   // past u64
    EXPECT_TRUE(rejects(with_shape("[4294967296,4294967296]"),
                        "tensor 'a' has shape [4294967296, 4294967296] of F32, whose byte count overflows 64 bits"));
    EXPECT_TRUE(rejects(with_shape("[4611686018427387904]"), "overflows 64 bits"));   // 2^62 x 4 bytes
}

TEST(SafetensorsRejects, DataOffsets) {
    const Bytes data(8);
    auto with_offsets = [&](const std::string& offsets) {
        return st_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":)" + offsets + "}}", data);
    };
    const std::string prefix = "tensor 'a' has \"data_offsets\" that are not two non-negative integers";
    EXPECT_TRUE(rejects(with_offsets("8"), prefix + " (an integer)"));
    EXPECT_TRUE(rejects(with_offsets("\"0,8\""), prefix + " (a string)"));
    EXPECT_TRUE(rejects(with_offsets("[0]"), prefix + " (an array of 1)"));
    EXPECT_TRUE(rejects(with_offsets("[0,4,8]"), prefix + " (an array of 3)"));
    EXPECT_TRUE(rejects(with_offsets("[-8,0]"), prefix + " (element 0 is negative)"));
    EXPECT_TRUE(rejects(with_offsets("[0,8.0]"), prefix + " (element 1 is a floating-point number)"));
    EXPECT_TRUE(rejects(with_offsets("[0,null]"), prefix + " (element 1 is null)"));
    EXPECT_TRUE(rejects(with_offsets("[8,0]"), "tensor 'a' has data_offsets [8, 0] that end before they begin"));
    EXPECT_TRUE(rejects(with_offsets("[0,4]"),
                        "tensor 'a' claims 4 bytes (data_offsets [0, 4]) but its shape [2] of F32 needs 8"));
    EXPECT_TRUE(rejects(st_bytes("{" + entry("level0.w", "F32", "[16,16]", 0, 1000) + "}", Bytes(1000)),
                        "tensor 'level0.w' claims 1000 bytes (data_offsets [0, 1000]) but its shape [16, 16] of F32 "
                        "needs 1024"));
    EXPECT_TRUE(rejects(st_bytes("{" + entry("s", "F64", "[]", 0, 4) + "}", Bytes(4)),
                        "tensor 's' claims 4 bytes (data_offsets [0, 4]) but its shape [] of F64 needs 8"));
}

TEST(SafetensorsRejects, Layout) {
    // Ends past the buffer: a truncated file.
    EXPECT_TRUE(rejects(st_bytes("{" + entry("a", "F32", "[2]", 0, 8) + "}", Bytes(6)),
                        "the file is truncated (or its header is corrupt): tensor 'a' ends at byte 8 of the data, but "
                        "only 6 bytes follow the"));
    EXPECT_TRUE(rejects(
        st_bytes("{" + entry("a", "U8", "[2]", 18446744073709551613ull, 18446744073709551615ull) + "}", Bytes(2)),
        "the file is truncated"));
    // Overlap.
    EXPECT_TRUE(
        rejects(st_bytes("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}", Bytes(12)),
                "tensors 'a' [0, 8] and 'b' [4, 12] overlap"));
    EXPECT_TRUE(
        rejects(st_bytes("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 0, 8) + "}", Bytes(8)),
                "tensors 'a' [0, 8] and 'b' [0, 8] overlap"));
    EXPECT_TRUE(
        rejects(st_bytes("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("z", "F32", "[0]", 4, 4) + "}", Bytes(8)),
                "tensors 'a' [0, 8] and 'z' [4, 4] overlap"));
    // Holes: between tensors, before the first, after the last, and data with no tensors at all.
    EXPECT_TRUE(
        rejects(st_bytes("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}", Bytes(12)),
                "bytes [4, 8] of the data belong to no tensor (holes are not allowed)"));
    EXPECT_TRUE(rejects(st_bytes("{" + entry("a", "F32", "[1]", 4, 8) + "}", Bytes(8)),
                        "bytes [0, 4] of the data belong to no tensor"));
    EXPECT_TRUE(rejects(st_bytes("{" + entry("a", "F32", "[1]", 0, 4) + "}", Bytes(8)),
                        "bytes [4, 8] at the end of the data belong to no tensor"));
    EXPECT_TRUE(rejects(st_bytes("{}", Bytes(3)), "bytes [0, 3] at the end of the data belong to no tensor"));
    // Listed out of name order, back to back, zero-size ones on the boundaries: fine.
    const fm::StFile ok = decode(st_bytes("{" + entry("z", "U8", "[2]", 0, 2) + "," + entry("e", "F32", "[0,3]", 2, 2) +
                                              "," + entry("a", "U8", "[1]", 2, 3) + "}",
                                          Bytes{1, 2, 3}));
    ASSERT_EQ(ok.tensors.size(), 3u);
    EXPECT_EQ(ok.tensors[0].name, "a");
    EXPECT_EQ(ok.find("a")->bytes, Bytes{3});
    EXPECT_EQ(ok.find("z")->bytes, (Bytes{1, 2}));
    EXPECT_TRUE(ok.find("e")->bytes.empty());
}

TEST(SafetensorsRejects, Metadata) {
    EXPECT_TRUE(
        rejects(st_bytes(R"({"__metadata__":{"k":1}})"), "\"__metadata__\" value 'k' is an integer, not a string"));
    EXPECT_TRUE(rejects(st_bytes(R"({"__metadata__":{"k":{"x":"y"}}})"), "value 'k' is an object, not a string"));
    EXPECT_TRUE(rejects(st_bytes(R"({"__metadata__":{"k":null}})"), "value 'k' is null, not a string"));
    EXPECT_TRUE(
        rejects(st_bytes(R"({"__metadata__":["a"]})"), "\"__metadata__\" is an array, not an object of strings"));
    EXPECT_TRUE(rejects(st_bytes(R"({"__metadata__":"x"})"), "\"__metadata__\" is a string, not an object of strings"));
    EXPECT_TRUE(rejects(st_bytes(R"({"__metadata__":{"k":"a","k":"b"}})"), "header has the key 'k' twice"));
    const fm::StFile ok = decode(st_bytes(R"({"__metadata__":{"k":"v","":"\u00e9"}})"));
    EXPECT_EQ(ok.metadata.at("k"), "v");
    EXPECT_EQ(ok.metadata.at(""), "\xc3\xa9");
}

TEST(SafetensorsRejects, LongNamesAreCutInMessages) {
    const std::string name(5000, 'x');
    try {
        decode(st_bytes("{\"" + name + "\":5}"));
        FAIL() << "accepted";
    } catch (const fm::Error& e) {
        EXPECT_LT(e.reason().size(), 300u) << e.reason();
        EXPECT_NE(e.reason().find("...'"), std::string::npos);
    }
}

// ---- truncation and corruption ------------------------------------------------------------------------------

TEST(Safetensors, EveryTruncationIsReportedAsTruncated) {
    const Bytes full = small_file();
    ASSERT_GT(full.size(), 40u);
    for (size_t len = 0; len < full.size(); ++len) {
        const Bytes cut(full.begin(), full.begin() + long(len));
        EXPECT_TRUE(rejects(cut, "truncated")) << "cut at " << len << " of " << full.size();
    }
    const fm::StFile whole = decode(full);
    EXPECT_EQ(whole.find("b")->bytes, (Bytes{7, 8, 9}));
}

TEST(Safetensors, RandomHeaderCorruptionNeverCrashes) {
    const Bytes full = small_file();
    uint64_t n = 0;
    header_of(full, &n);
    std::mt19937 rng(20240611);
    int accepted = 0, rejected = 0;
    for (int round = 0; round < 2000; ++round) {
        Bytes b = full;
        const int flips = 1 + int(rng() % 4);
        for (int i = 0; i < flips; ++i) {
            const size_t at = rng() % (8 + n);   // the length and the header text
            if (rng() % 2)
                b[at] ^= uint8_t(1u << (rng() % 8));
            else
                b[at] = uint8_t(rng());
        }
        try {
            const fm::StFile f = decode(b);
            ++accepted;
            // Whatever was accepted is a valid file: it encodes, and decodes back to itself.
            const fm::StFile again = decode(fm::encode_safetensors(f));
            EXPECT_EQ(again.metadata, f.metadata);
            ASSERT_EQ(again.tensors.size(), f.tensors.size());
            for (size_t i = 0; i < f.tensors.size(); ++i) EXPECT_EQ(again.tensors[i].bytes, f.tensors[i].bytes);
        } catch (const fm::Error& e) {
            ++rejected;
            EXPECT_FALSE(e.reason().empty());
        }
    }
    EXPECT_EQ(accepted + rejected, 2000);
    EXPECT_GT(rejected, 1000);
}

// ---- files ------------------------------------------------------------------------------------------------

TEST(Safetensors, SaveAndLoad) {
    const std::string dir = fmtest::temp_dir("safetensors");
    const std::string path = dir + "/ckpt.safetensors";
    const fm::StFile in = sample_file();
    fm::save_safetensors(path, in);
    EXPECT_EQ(fm::read_file_bytes(path), fm::encode_safetensors(in));
    const fm::StFile out = fm::load_safetensors(path);
    EXPECT_EQ(out.metadata, in.metadata);
    EXPECT_EQ(out.tensors.size(), in.tensors.size());

    fm::StFile second;   // overwriting replaces the file whole, and leaves no temporary file beside it
    second.tensors.push_back({"x", "U8", {1}, Bytes{9}});
    fm::save_safetensors(path, second);
    EXPECT_EQ(fm::load_safetensors(path).find("x")->bytes, Bytes{9});
    EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}), 1);
}

TEST(Safetensors, SaveIntoAMissingFolderThrowsAndLeavesNothing) {
    const std::string dir = fmtest::temp_dir("safetensors_missing");
    const std::string path = dir + "/no/such/folder/ckpt.safetensors";
    EXPECT_THROW(fm::save_safetensors(path, sample_file()), fm::Error);
    EXPECT_FALSE(fs::exists(dir + "/no"));
    EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}), 0);
}

TEST(Safetensors, SaveOfABadFileNamesItAndWritesNothing) {
    const std::string dir = fmtest::temp_dir("safetensors_bad");
    const std::string path = dir + "/bad.safetensors";
    fm::StFile bad;
    bad.tensors.push_back({"w", "F32", {2}, Bytes(7)});
    try {
        fm::save_safetensors(path, bad);
        FAIL() << "saved";
    } catch (const fm::Error& e) {
        EXPECT_EQ(e.file(), path);
        EXPECT_EQ(e.reason(), "tensor 'w' has 7 bytes but its shape [2] of F32 needs 8");
    }
    EXPECT_FALSE(fs::exists(path));
}

TEST(Safetensors, LoadErrorsNameTheFile) {
    const std::string dir = fmtest::temp_dir("safetensors_load");
    const std::string missing = dir + "/missing.safetensors";
    try {
        fm::load_safetensors(missing);
        FAIL() << "loaded";
    } catch (const fm::Error& e) {
        EXPECT_EQ(e.file(), missing);
        EXPECT_NE(std::string(e.what()).find(missing), std::string::npos);
    }

    const std::string cut = dir + "/cut.safetensors";   // a checkpoint cut short by a full disk
    const Bytes full = small_file();
    fm::write_file_atomic(cut, full.data(), full.size() - 2);
    try {
        fm::load_safetensors(cut);
        FAIL() << "loaded";
    } catch (const fm::Error& e) {
        EXPECT_EQ(e.file(), cut);
        EXPECT_NE(e.reason().find("truncated"), std::string::npos) << e.reason();
        EXPECT_EQ(std::string(e.what()).rfind(cut + ": ", 0), 0u) << e.what();
    }
}

TEST(Safetensors, MetadataAloneIsReadFromTheHeader) {
    const std::string dir = fmtest::temp_dir("st_meta");
    const std::string path = dir + "/ckpt.safetensors";
    fm::save_safetensors(path, sample_file());
    EXPECT_EQ(fm::read_safetensors_metadata(path), sample_file().metadata);

    const Bytes whole = fm::encode_safetensors(sample_file());
    std::ofstream(dir + "/cut.safetensors", std::ios::binary).write(reinterpret_cast<const char*>(whole.data()), 20);
    EXPECT_THROW(fm::read_safetensors_metadata(dir + "/cut.safetensors"), fm::Error);   // the header is cut off
    EXPECT_THROW(fm::read_safetensors_metadata(dir + "/missing.safetensors"), fm::Error);
}
