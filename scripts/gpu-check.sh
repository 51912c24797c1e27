#!/usr/bin/env bash
# On a CUDA machine without Debian's packages (a lent GPU), in one call: builds the headless targets (core, model, the
# CLI and the CUDA tests) against the LibTorch of the machine's PyTorch, runs the CUDA tests, benchmarks the GPU at the
# design's sizes with the peak GPU memory of each measurement, the same sampling on the CPU beside it, and, where the
# machine has two GPUs or more, a 2-rank data-parallel training run (one GPU per rank).
# Carry third_party/ (scripts/vendor-headers.sh, which also copies /usr/src/googletest there).
#   scripts/gpu-check.sh [OUT]      # logs, bench.jsonl and memory.txt into OUT (default build-cuda/check)
#
# Peak memory: nvidia-smi's used memory of the compute processes (ours alone on a lent machine; a launcher's ranks
# summed), sampled every 50 ms while the measurement runs (CUDA contexts included, about 0.5 GB each), the largest kept. A step shorter than the sampling can be missed; the measurements
# repeat, so the peak is seen.
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
cmake --build build-cuda -j"$(nproc)" -- -k 0 fractalmidi test_model_cuda test_model_distributed > "$out/build.txt" 2>&1 ||
  { grep -m30 -A6 "error" "$out/build.txt"; exit 1; }
build-cuda/tests/model/test_model_cuda 2>&1 | tee "$out/tests.txt" | tail -15
fm=build-cuda/app/fractalmidi/fractalmidi
ckpt=resources/models/default-128.safetensors

# peak LABEL COMMAND...: runs the command, sampling its GPU memory; appends "LABEL peak N MiB" to memory.txt.
peak() {
  local label=$1; shift
  "$@" &
  local pid=$! max=0 used
  while kill -0 "$pid" 2>/dev/null; do
    used=$(nvidia-smi --query-compute-apps=used_memory --format=csv,noheader,nounits 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
    [ -n "$used" ] && [ "$used" -gt "$max" ] && max=$used
    sleep 0.05
  done
  wait "$pid"; local rc=$?
  echo "$label: peak $max MiB (exit $rc)" | tee -a "$out/memory.txt"
}
: > "$out/memory.txt"; : > "$out/bench.jsonl"
# The design's training batches (8 crops at 128 steps, 4 at 512) and sampling: one 32-bar sample (512 steps), and 64
# samples at once (samples/s).
peak "train 128 wide, batch 8" "$fm" bench --checkpoint $ckpt --target_width 128 --gate --num_iter_list 8,2,4 --train_batch 8 \
  --device cuda --precision bf16 --repeats 3 --json --batch 1 >> "$out/bench.jsonl"
peak "train 512 wide, batch 4; one 32-bar sample" "$fm" bench --checkpoint $ckpt --target_width 512 --gate --num_iter_list 8,2,4 \
  --train_batch 4 --device cuda --precision bf16 --repeats 3 --json --batch 1 >> "$out/bench.jsonl"
peak "sample 128 wide, batch 64" "$fm" bench --checkpoint $ckpt --target_width 128 --batch 64 --gate --num_iter_list 8,2,4 \
  --no_train --device cuda --precision bf16 --repeats 2 --json >> "$out/bench.jsonl"
peak "train 128 wide, batch 64" "$fm" bench --checkpoint $ckpt --target_width 128 --gate --num_iter_list 8,2,4 --train_batch 64 \
  --device cuda --precision bf16 --repeats 2 --json --batch 1 >> "$out/bench.jsonl"
"$fm" bench --checkpoint $ckpt --target_width 128 --gate --num_iter_list 8,2,4 --no_train --device cpu \
  --threads "$(nproc)" --precision fp32 --repeats 1 --json >> "$out/bench.jsonl"
cat "$out/bench.jsonl"

# Two ranks on two GPUs (Gloo carries the CUDA buckets): only where there are two.
gpus=$(nvidia-smi -L 2>/dev/null | wc -l)
if [ "$gpus" -ge 2 ]; then
  songs=$out/songs; mkdir -p "$songs"
  python3 - "$songs" <<'PY'
import struct, sys
for f in range(8):   # 8 songs of 128 sixteenth notes at 480 ticks a quarter, a pitch walk each
    ev = b''
    for i in range(128):
        p = 48 + (i * (f + 3)) % 30
        ev += bytes([0x00, 0x90, p, 80, 0x78, 0x80, p, 0])   # on at delta 0, off after 120 ticks
    ev += b'\x00\xff\x2f\x00'
    with open(f"{sys.argv[1]}/song{f}.mid", "wb") as out:
        out.write(b'MThd' + struct.pack('>IHHH', 6, 0, 1, 480) + b'MTrk' + struct.pack('>I', len(ev)) + ev)
PY
  peak "2 ranks on 2 GPUs, tiny, batch 16" "$fm" train --nproc_per_node 2 --train_data "$songs" --output_dir "$out/dp" \
    --model tiny --crop_length 64 --train_batch_size 16 --max_steps 50 --eval_every 50 --device cuda > "$out/dp.txt" 2>&1
  tail -3 "$out/dp.txt"
else
  echo "one GPU here: no 2-rank GPU run" | tee -a "$out/memory.txt"
fi
