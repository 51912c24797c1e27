#!/usr/bin/env bash
# On a CUDA machine without Debian's packages (a lent GPU): builds the headless targets (core, model, the CLI and the
# CUDA tests) against the LibTorch of the machine's PyTorch, runs the CUDA tests and benchmarks the GPU beside the CPU.
# Carry third_party/ (scripts/vendor-headers.sh; plus /usr/src/googletest copied to third_party/googletest).
#   scripts/cuda-check.sh [OUT]      # logs and bench.jsonl into OUT (default build-cuda/check)
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-build-cuda/check}
mkdir -p "$out"
tp=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)') || { echo "no PyTorch here" >&2; exit 1; }
if [ -d third_party/googletest ] && [ ! -d build-cuda/gtest ]; then
  cmake -S third_party/googletest -B build-cuda/gtest-build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$PWD/build-cuda/gtest" > "$out/gtest.txt" 2>&1 &&
    cmake --build build-cuda/gtest-build -j"$(nproc)" >> "$out/gtest.txt" 2>&1 &&
    cmake --install build-cuda/gtest-build >> "$out/gtest.txt" 2>&1 || { tail -20 "$out/gtest.txt"; exit 1; }
fi
nvcc=$(command -v nvcc || ls /usr/local/cuda/bin/nvcc 2>/dev/null || true)
cmake -S . -B build-cuda -G Ninja -DCMAKE_BUILD_TYPE=Release -DFRACTALMIDI_BUILD_GUI=OFF -DFRACTALMIDI_TCMALLOC=OFF \
  -DFRACTALMIDI_SANITIZER_TESTS=OFF -DCMAKE_PREFIX_PATH="$tp;$PWD/build-cuda/gtest" -DCMAKE_CUDA_ARCHITECTURES=90 \
  ${nvcc:+-DCMAKE_CUDA_COMPILER=$nvcc} > "$out/configure.txt" 2>&1 || { tail -40 "$out/configure.txt"; exit 1; }
cmake --build build-cuda -j"$(nproc)" -- -k 0 fractalmidi test_model_cuda > "$out/build.txt" 2>&1 ||
  { grep -m30 -A6 "error" "$out/build.txt"; exit 1; }
build-cuda/tests/model/test_model_cuda 2>&1 | tee "$out/tests.txt" | tail -15
fm=build-cuda/app/fractalmidi/fractalmidi
ckpt=resources/models/default-128.safetensors
# Sampling one and 16 samples at a time, training at 64 crops, on the GPU; the same sampling on all the CPU's cores.
"$fm" bench --checkpoint $ckpt --target_width 128,512 --gate --num_iter_list 8,2,4 --train_batch 64 --device cuda \
  --precision bf16 --repeats 2 --json | tee "$out/bench.jsonl"
"$fm" bench --checkpoint $ckpt --target_width 128 --batch 16 --gate --num_iter_list 8,2,4 --no_train --device cuda \
  --precision bf16 --repeats 2 --json | tee -a "$out/bench.jsonl"
"$fm" bench --checkpoint $ckpt --target_width 128 --gate --num_iter_list 8,2,4 --no_train --device cpu \
  --threads "$(nproc)" --precision fp32 --repeats 1 --json | tee -a "$out/bench.jsonl"
