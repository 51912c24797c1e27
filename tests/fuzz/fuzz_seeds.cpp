// fuzz_seeds.cpp — writes small valid inputs for the libFuzzer targets' seed corpora, with the project's own writers
// (so the seeds follow the formats as they are now, and no binary seed is committed). scripts/fuzz.sh calls it.
//
//   fuzz_seeds safetensors DIR             # a few safetensors files: metadata only, mixed dtypes, a checkpoint-like one
//   fuzz_seeds dataset_cache DIR [MIDI...] # a synthetic cache (usable, empty, failed entries), and one built from MIDI
//   fuzz_seeds run_folder DIR              # config.json and metrics.jsonl texts in the shapes fm::train writes
//
// Exits non-zero with a message on failure.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/dataset.h"
#include "core/dataset_cache.h"
#include "core/error.h"
#include "core/file_io.h"
#include "core/notes.h"
#include "core/safetensors.h"

namespace {

namespace fs = std::filesystem;

void write_text(const fs::path& path, const std::string& text) { fm::write_file_atomic(path.string(), text.data(), text.size()); }

template <typename T>
std::vector<uint8_t> as_bytes(const std::vector<T>& v) {   // the host is little-endian (x86-64, aarch64)
    std::vector<uint8_t> out(v.size() * sizeof(T));
    if (!out.empty()) std::memcpy(out.data(), v.data(), out.size());
    return out;
}

void safetensors_seeds(const fs::path& dir) {
    fm::StFile meta_only;
    meta_only.metadata = {{"format", "fractalmidi-checkpoint"}, {"step", "0"}};
    fm::save_safetensors((dir / "meta-only.safetensors").string(), meta_only);

    fm::StFile mixed;
    mixed.tensors.push_back({"w", "F32", {2, 3}, as_bytes(std::vector<float>{1, -2, 0.5f, 3, 4, -0.25f})});
    mixed.tensors.push_back({"step", "I64", {}, as_bytes(std::vector<int64_t>{42})});
    mixed.tensors.push_back({"empty", "U8", {0}, {}});
    mixed.tensors.push_back({"half", "BF16", {4}, {0x80, 0x3f, 0x00, 0x40, 0x40, 0x40, 0x80, 0xbf}});
    mixed.tensors.push_back({"mask", "BOOL", {3}, {1, 0, 1}});
    mixed.tensors.push_back({"i", "I16", {1, 2}, {1, 0, 0xff, 0xff}});
    fm::save_safetensors((dir / "mixed.safetensors").string(), mixed);

    fm::StFile ckpt;   // names and metadata keys as a checkpoint has them
    ckpt.metadata = {{"format", "fractalmidi-checkpoint"}, {"step", "120"}, {"best_val_bits", "0.1586"},
                     {"config", "{\"levels\":3,\"width\":128}"}, {"tensor_digest", ""}};
    ckpt.tensors.push_back({"level0.blocks.0.attn.qkv.weight", "F32", {2, 2}, as_bytes(std::vector<float>{1, 2, 3, 4})});
    ckpt.tensors.push_back({"level0.blocks.0.attn.qkv.bias", "F32", {2}, as_bytes(std::vector<float>{0, 1})});
    ckpt.tensors.push_back({"opt.step", "F64", {1}, as_bytes(std::vector<double>{120})});
    ckpt.tensors.push_back({"rng", "U8", {5}, {1, 2, 3, 4, 5}});
    ckpt.metadata["tensor_digest"] = fm::tensor_digest(ckpt);
    fm::save_safetensors((dir / "checkpoint.safetensors").string(), ckpt);

    // As another writer might lay it out: no padding, fields in another order, an extra field, an escape.
    const std::string header =
        "{\"__metadata__\":{\"k\":\"v\\u00e9\"},\"b\":{\"shape\":[2],\"dtype\":\"I8\",\"data_offsets\":[4,6]},"
        "\"a\":{\"dtype\":\"I32\",\"data_offsets\":[0,4],\"shape\":[],\"extra\":null}}";
    std::string file(8, '\0');
    for (int i = 0; i < 8; ++i) file[size_t(i)] = char(uint64_t(header.size()) >> (8 * i));
    file += header + std::string("\x07\x00\x00\x00\x01\xff", 6);
    write_text(dir / "by-hand.safetensors", file);
}

void dataset_cache_seeds(const fs::path& dir, const std::vector<std::string>& midi) {
    std::vector<fm::CacheEntry> entries(4);
    entries[0].path = "/data/a.mid", entries[0].size = 100, entries[0].mtime_ns = 1;
    entries[0].status = fm::EntryStatus::usable, entries[0].width = 64;
    entries[1].path = "/data/b.mid", entries[1].size = 10, entries[1].status = fm::EntryStatus::empty;
    entries[2].path = "/data/c.mid", entries[2].status = fm::EntryStatus::failed, entries[2].reason = "not a MIDI file";
    // 70 steps, its one note past the last whole bar-aligned 64-step window (the sampler once gave that silent)
    entries[3].path = "/data/d.mid", entries[3].status = fm::EntryStatus::usable, entries[3].width = 70;
    // (pitch, start, end, velocity), sorted by (start, pitch)
    const std::vector<std::vector<fm::StepNote>> notes = {
        {{60, 0, 4, 100}, {64, 0, 8, 90}, {67, 4, 6, 80}, {48, 16, 48, 1}, {72, 60, 64, 127}}, {}, {}, {{60, 65, 70, 100}}};
    const std::vector<uint8_t> bytes = fm::encode_cache(entries, notes, 0);
    fm::write_file_atomic((dir / "synthetic.fmcache").string(), bytes.data(), bytes.size());

    if (midi.empty()) return;
    const fs::path list = dir / "sources.txt";   // a list file: the given files and one that is missing
    std::string text;
    for (const std::string& m : midi) text += fs::absolute(m).string() + "\n";
    text += (dir / "missing.mid").string() + "\n";
    write_text(list, text);
    fm::build_cache(list.string(), (dir / "midi.fmcache").string());
    fs::remove(list);
}

void run_folder_seeds(const fs::path& dir) {
    // One input is both files (the target writes it as config.json and as metrics.jsonl).
    write_text(dir / "config.json", R"({
  "cells": "notes", "crop_length": 128, "device": "cuda:0", "ema": 0.999, "eval_every": 50,
  "generator_types": "mar,mar,mar,mar", "grad_clip": 1.0, "init_from": "", "layout": "long", "lr": 0.0003,
  "max_steps": 1000, "model": "default-128", "model_config": {"levels": 3}, "parameters": 123456,
  "pitch_positions": true, "pitch_shift": 5, "plan": true, "plan_batch": 8, "precision": "bf16",
  "sample_every": 100, "scan_order": "row_major", "seed": 42, "threads": 2, "train_batch_size": 16,
  "train_data": "/data/pop909.fmcache", "train_files": 800, "val_crops": 64, "val_data": "",
  "val_files": 90, "val_fraction": 0.1, "warmup_steps": 100, "weight_decay": 0.05
}
)");
    write_text(dir / "config-old.json", R"({"model":"small","crop_length":64,"device":"cpu","lr":1e-3,"val_data":null})");
    write_text(dir / "metrics.jsonl",
               "{\"step\":1,\"loss_bits\":0.91,\"elapsed_s\":0.5}\n"
               "{\"step\":50,\"loss_bits\":0.31,\"val_bits\":0.29,\"elapsed_s\":25.0,\"sample\":\"sample-50.mid\"}\n"
               "{\"step\":51,\"loss_b");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s safetensors|dataset_cache|run_folder DIR [MIDI files...]\n", argv[0]);
        return 2;
    }
    const std::string what = argv[1];
    const fs::path dir = argv[2];
    try {
        fs::create_directories(dir);
        if (what == "safetensors") safetensors_seeds(dir);
        else if (what == "dataset_cache") dataset_cache_seeds(dir, std::vector<std::string>(argv + 3, argv + argc));
        else if (what == "run_folder") run_folder_seeds(dir);
        else {
            std::fprintf(stderr, "%s: no seeds for '%s'\n", argv[0], what.c_str());
            return 2;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
        return 1;
    }
    return 0;
}
