#include "safetensors.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <nlohmann/json.hpp>

#include "error.h"
#include "file_io.h"

namespace fm {

namespace {

using json = nlohmann::json;

// Python's safetensors refuses headers above this size; so do we, before allocating anything.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
const char* const kMetadataKey = "__metadata__";

struct DtypeInfo {
    const char* name;
    size_t size;
};
constexpr DtypeInfo kDtypes[] = {{"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8},
                                 {"I32", 4}, {"I16", 2}, {"I8", 1},  {"U8", 1},   {"BOOL", 1}};

// 0 when unknown.
size_t find_dtype_size(const std::string& dtype) {
    for (const DtypeInfo& d : kDtypes)
        if (dtype == d.name) return d.size;
    return 0;
}

std::string known_dtypes() {
    std::string s;
    for (const DtypeInfo& d : kDtypes) s += (s.empty() ? "" : ", ") + std::string(d.name);
    return s;
}

// A name for messages: quoted, cut when long (a corrupt header can hold anything).
std::string name_text(const std::string& name) {
    constexpr size_t kMax = 80;
    return "'" + (name.size() <= kMax ? name : name.substr(0, kMax) + "...") + "'";
}

std::string shape_text(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::string range_text(uint64_t begin, uint64_t end) {
    return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

// What a JSON value is, for messages ("a string", "a floating-point number", ...).
std::string kind_of(const json& v) {
    if (v.is_number_float()) return "a floating-point number";
    if (v.is_number_integer()) return "an integer";
    if (v.is_object()) return "an object";
    if (v.is_array()) return "an array";
    if (v.is_string()) return "a string";
    if (v.is_boolean()) return "a boolean";
    return "null";
}

bool is_utf8(const std::string& s) {
    try {
        (void)json(s).dump();   // nlohmann validates UTF-8 when it serialises a string
        return true;
    } catch (const json::type_error&) {
        return false;
    }
}

// dtype_size x product(shape), or false on overflow. Dims are known to be >= 0.
bool byte_count(const std::vector<int64_t>& shape, size_t elem_size, uint64_t& out) {
    uint64_t n = elem_size;
    for (int64_t d : shape) {
        if (d != 0 && n > std::numeric_limits<uint64_t>::max() / uint64_t(d)) return false;
        n *= uint64_t(d);
    }
    out = n;
    return true;
}

// One tensor entry of a decoded header, checked on its own.
struct Entry {
    std::string name;
    std::string dtype;
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0;
};

const json& field(const json& entry, const std::string& name, const char* key) {
    auto it = entry.find(key);
    if (it == entry.end()) throw Error("tensor " + name_text(name) + " has no \"" + key + "\"");
    return *it;
}

Entry parse_entry(const std::string& name, const json& v) {
    if (name.empty()) throw Error("a tensor has an empty name");
    if (!v.is_object())
        throw Error("the entry for tensor " + name_text(name) + " is " + kind_of(v) + ", not an object");
    Entry e;
    e.name = name;

    const json& dtype = field(v, name, "dtype");
    if (!dtype.is_string())
        throw Error("tensor " + name_text(name) + " has a \"dtype\" that is " + kind_of(dtype) + ", not a string");
    e.dtype = dtype.get<std::string>();
    const size_t elem = find_dtype_size(e.dtype);
    if (elem == 0)
        throw Error("tensor " + name_text(name) + " has unknown dtype " + name_text(e.dtype) +
                    " (known: " + known_dtypes() + ")");

    const json& shape = field(v, name, "shape");
    if (!shape.is_array())
        throw Error("tensor " + name_text(name) + " has a \"shape\" that is " + kind_of(shape) + ", not an array");
    e.shape.reserve(shape.size());
    for (size_t i = 0; i < shape.size(); ++i) {
        const json& d = shape[i];
        const std::string which = "tensor " + name_text(name) + " has shape dim " + std::to_string(i);
        if (d.is_number_unsigned()) {
            const uint64_t u = d.get<uint64_t>();
            if (u > uint64_t(std::numeric_limits<int64_t>::max()))
                throw Error(which + " = " + std::to_string(u) + ", too large");
            e.shape.push_back(int64_t(u));
        } else if (d.is_number_integer()) {
            throw Error(which + " = " + std::to_string(d.get<int64_t>()) + ", negative");
        } else {
            throw Error(which + " that is " + kind_of(d) + ", not an integer");
        }
    }
    uint64_t need = 0;
    if (!byte_count(e.shape, elem, need))
        throw Error("tensor " + name_text(name) + " has shape " + shape_text(e.shape) + " of " + e.dtype +
                    ", whose byte count overflows 64 bits");

    const json& offsets = field(v, name, "data_offsets");
    std::string bad;
    if (!offsets.is_array())
        bad = kind_of(offsets);
    else if (offsets.size() != 2)
        bad = "an array of " + std::to_string(offsets.size());
    else
        for (int i = 0; i < 2 && bad.empty(); ++i)
            if (!offsets[i].is_number_unsigned())
                bad = "element " + std::to_string(i) + " is " +
                      (offsets[i].is_number_integer() ? "negative" : kind_of(offsets[i]));
    if (!bad.empty())
        throw Error("tensor " + name_text(name) + " has \"data_offsets\" that are not two non-negative integers (" +
                    bad + ")");
    e.begin = offsets[0].get<uint64_t>();
    e.end = offsets[1].get<uint64_t>();
    if (e.begin > e.end)
        throw Error("tensor " + name_text(name) + " has data_offsets " + range_text(e.begin, e.end) +
                    " that end before they begin");
    if (e.end - e.begin != need)
        throw Error("tensor " + name_text(name) + " claims " + std::to_string(e.end - e.begin) +
                    " bytes (data_offsets " + range_text(e.begin, e.end) + ") but its shape " + shape_text(e.shape) +
                    " of " + e.dtype + " needs " + std::to_string(need));
    return e;
}

// The tensors must tile [0, buffer_size) exactly: nothing past the end, no overlaps, no holes.
void check_layout(std::vector<const Entry*> entries, uint64_t buffer_size, uint64_t header_size) {
    std::sort(entries.begin(), entries.end(), [](const Entry* a, const Entry* b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    if (!entries.empty()) {
        const Entry* last = *std::max_element(entries.begin(), entries.end(),
                                              [](const Entry* a, const Entry* b) { return a->end < b->end; });
        if (last->end > buffer_size)
            throw Error("the file is truncated (or its header is corrupt): tensor " + name_text(last->name) +
                        " ends at byte " + std::to_string(last->end) + " of the data, but only " +
                        std::to_string(buffer_size) + " bytes follow the " + std::to_string(8 + header_size) +
                        "-byte header");
    }
    uint64_t pos = 0;
    const Entry* prev = nullptr;
    for (const Entry* e : entries) {
        if (e->begin < pos)
            throw Error("tensors " + name_text(prev->name) + " " + range_text(prev->begin, prev->end) + " and " +
                        name_text(e->name) + " " + range_text(e->begin, e->end) + " overlap");
        if (e->begin > pos)
            throw Error("bytes " + range_text(pos, e->begin) +
                        " of the data belong to no tensor (holes are not allowed)");
        pos = e->end;
        prev = e;
    }
    if (pos < buffer_size)
        throw Error("bytes " + range_text(pos, buffer_size) + " at the end of the data belong to no tensor");
}

// Parses the header text, rejecting duplicate keys at any depth (nlohmann would keep the last silently).
json parse_header(const char* first, const char* last) {
    std::vector<std::set<std::string>> open_objects;
    std::string duplicate;
    auto on_event = [&](int, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::object_start) {
            open_objects.emplace_back();
        } else if (event == json::parse_event_t::object_end) {
            open_objects.pop_back();
        } else if (event == json::parse_event_t::key && !open_objects.empty()) {
            const std::string& key = parsed.get_ref<const std::string&>();
            if (!open_objects.back().insert(key).second && duplicate.empty()) duplicate = key;
        }
        return true;
    };
    json header;
    try {
        header = json::parse(first, last, on_event);
    } catch (const json::exception& ex) {
        throw Error(std::string("header is not valid JSON (") + ex.what() + ")");
    }
    if (!duplicate.empty()) throw Error("header has the key " + name_text(duplicate) + " twice");
    return header;
}

}  // namespace

const StTensor* StFile::find(const std::string& name) const {
    for (const StTensor& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

size_t dtype_size(const std::string& dtype) {
    const size_t size = find_dtype_size(dtype);
    if (size == 0) throw Error("unknown dtype " + name_text(dtype) + " (known: " + known_dtypes() + ")");
    return size;
}

std::vector<uint8_t> encode_safetensors(const StFile& file) {
    std::vector<const StTensor*> order;
    order.reserve(file.tensors.size());
    for (const StTensor& t : file.tensors) {
        if (t.name.empty()) throw Error("a tensor has an empty name");
        if (t.name == kMetadataKey) throw Error("a tensor is called \"__metadata__\", which the format reserves");
        if (!is_utf8(t.name)) throw Error("tensor name " + name_text(t.name) + " is not valid UTF-8");
        const size_t elem = find_dtype_size(t.dtype);
        if (elem == 0)
            throw Error("tensor " + name_text(t.name) + " has unknown dtype " + name_text(t.dtype) +
                        " (known: " + known_dtypes() + ")");
        for (int64_t d : t.shape)
            if (d < 0)
                throw Error("tensor " + name_text(t.name) + " has a negative dim in shape " + shape_text(t.shape));
        uint64_t need = 0;
        if (!byte_count(t.shape, elem, need))
            throw Error("tensor " + name_text(t.name) + " has shape " + shape_text(t.shape) + " of " + t.dtype +
                        ", whose byte count overflows 64 bits");
        if (uint64_t(t.bytes.size()) != need)
            throw Error("tensor " + name_text(t.name) + " has " + std::to_string(t.bytes.size()) +
                        " bytes but its shape " + shape_text(t.shape) + " of " + t.dtype + " needs " +
                        std::to_string(need));
        order.push_back(&t);
    }
    std::sort(order.begin(), order.end(), [](const StTensor* a, const StTensor* b) { return a->name < b->name; });
    for (size_t i = 1; i < order.size(); ++i)
        if (order[i]->name == order[i - 1]->name) throw Error("two tensors are called " + name_text(order[i]->name));
    for (const auto& [key, value] : file.metadata)
        if (!is_utf8(key) || !is_utf8(value)) throw Error("metadata " + name_text(key) + " is not valid UTF-8");

    json header = json::object();
    if (!file.metadata.empty()) header[kMetadataKey] = file.metadata;
    uint64_t offset = 0;
    for (const StTensor* t : order) {
        const uint64_t end = offset + t->bytes.size();
        header[t->name] = {{"dtype", t->dtype}, {"shape", t->shape}, {"data_offsets", {offset, end}}};
        offset = end;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');   // 8 + N is a multiple of 8, so the data starts aligned
    if (text.size() > kMaxHeaderBytes)
        throw Error("header would be " + std::to_string(text.size()) + " bytes, over the format's 100 MB limit");

    std::vector<uint8_t> out;
    out.reserve(8 + text.size() + size_t(offset));
    const uint64_t n = text.size();
    for (int i = 0; i < 8; ++i) out.push_back(uint8_t(n >> (8 * i)));
    out.insert(out.end(), text.begin(), text.end());
    for (const StTensor* t : order) out.insert(out.end(), t->bytes.begin(), t->bytes.end());
    return out;
}

StFile decode_safetensors(const uint8_t* data, size_t size) {
    if (size < 8)
        throw Error("the file is " + std::to_string(size) +
                    " bytes, too short for the 8-byte header length: truncated, or not a safetensors file");
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= uint64_t(data[i]) << (8 * i);
    if (n > kMaxHeaderBytes)
        throw Error("header length " + std::to_string(n) +
                    " is over the format's 100 MB limit: not a safetensors file, or a corrupt one");
    if (n > size - 8)
        throw Error("the file is truncated: its header length says " + std::to_string(n) + " bytes but only " +
                    std::to_string(size - 8) + " follow the 8-byte length");
    if (n == 0 || data[8] != '{')
        throw Error("the header does not start with '{': not a safetensors file, or a corrupt one");

    const char* text = reinterpret_cast<const char*>(data + 8);
    // nlohmann stops at a NUL byte as if the text ended there; JSON never has a raw one.
    if (const void* nul = std::memchr(text, 0, size_t(n)))
        throw Error("header is not valid JSON (a NUL byte at header byte " +
                    std::to_string(static_cast<const char*>(nul) - text) + ")");
    const json header = parse_header(text, text + n);
    if (!header.is_object()) throw Error("the header is " + kind_of(header) + ", not a JSON object");

    StFile file;
    std::vector<Entry> entries;
    entries.reserve(header.size());
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == kMetadataKey) {
            if (!it->is_object()) throw Error("\"__metadata__\" is " + kind_of(*it) + ", not an object of strings");
            for (auto m = it->begin(); m != it->end(); ++m) {
                if (!m->is_string())
                    throw Error("\"__metadata__\" value " + name_text(m.key()) + " is " + kind_of(*m) +
                                ", not a string");
                file.metadata[m.key()] = m->get<std::string>();
            }
            continue;
        }
        entries.push_back(parse_entry(it.key(), *it));
    }
    const uint64_t buffer_size = size - 8 - n;
    std::vector<const Entry*> pointers;
    pointers.reserve(entries.size());
    for (const Entry& e : entries) pointers.push_back(&e);
    check_layout(pointers, buffer_size, n);

    // The header is a std::map, so entries (and tensors) are already in name order.
    const uint8_t* buffer = data + 8 + n;
    file.tensors.reserve(entries.size());
    for (Entry& e : entries) {
        StTensor t;
        t.name = std::move(e.name);
        t.dtype = std::move(e.dtype);
        t.shape = std::move(e.shape);
        t.bytes.assign(buffer + e.begin, buffer + e.end);
        file.tensors.push_back(std::move(t));
    }
    return file;
}

void save_safetensors(const std::string& path, const StFile& file) {
    std::vector<uint8_t> bytes;
    try {
        bytes = encode_safetensors(file);
    } catch (const Error& e) {
        throw Error(e.reason(), path);
    }
    write_file_atomic(path, bytes.data(), bytes.size());
}

std::string tensor_digest(const StFile& file) {
    std::vector<const StTensor*> order;
    for (const StTensor& t : file.tensors) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](const StTensor* a, const StTensor* b) { return a->name < b->name; });
    constexpr uint64_t kPrime = 1099511628211ull;
    uint64_t h = 14695981039346656037ull;
    for (const StTensor* t : order) {
        const uint8_t* p = t->bytes.data();
        const size_t n = t->bytes.size(), words = n / 8;
        for (size_t i = 0; i < words; ++i) {
            uint64_t w = 0;
            for (int k = 0; k < 8; ++k) w |= uint64_t(p[8 * i + k]) << (8 * k);
            h = (h ^ w) * kPrime;
        }
        for (size_t i = words * 8; i < n; ++i) h = (h ^ p[i]) * kPrime;
        h = (h ^ uint64_t(n)) * kPrime;   // tensor borders count: moving bytes between tensors changes the digest
    }
    char text[32];
    std::snprintf(text, sizeof text, "fnv1a64:%016llx", static_cast<unsigned long long>(h));
    return text;
}

StFile load_safetensors(const std::string& path) {
    const std::vector<uint8_t> bytes = read_file_bytes(path);
    try {
        return decode_safetensors(bytes.data(), bytes.size());
    } catch (const Error& e) {
        throw Error(e.reason(), path);
    }
}

std::map<std::string, std::string> read_safetensors_metadata(const std::string& path) {
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f) throw Error("cannot open the file", path);
    const uint64_t size = uint64_t(f.tellg());
    f.seekg(0);
    uint8_t head[8] = {};
    if (size < 8 || !f.read(reinterpret_cast<char*>(head), 8)) throw Error("too short for a safetensors header", path);
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | head[i];
    if (n > 100'000'000 || n > size - 8) throw Error("bad header length " + std::to_string(n) + " (truncated file?)", path);
    std::string text(size_t(n), '\0');
    if (!f.read(text.data(), std::streamsize(n))) throw Error("cannot read the header", path);
    std::map<std::string, std::string> out;
    try {
        const nlohmann::json header = nlohmann::json::parse(text);
        if (!header.is_object()) throw Error("the header is not a JSON object");
        const auto it = header.find("__metadata__");
        if (it == header.end()) return out;
        if (!it->is_object()) throw Error("__metadata__ is not an object");
        for (const auto& [key, value] : it->items()) {
            if (!value.is_string()) throw Error("metadata value of " + key + " is not a string");
            out[key] = value.get<std::string>();
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("bad header JSON: ") + e.what(), path);
    } catch (const Error& e) {
        throw Error(e.reason(), path);
    }
    return out;
}

}  // namespace fm
