// precision.h — the number format of the model's matrix products: fp32, bf16 or auto (no torch in this header).
//
//   fm::Precision p = fm::parse_precision("auto");                 // fm::Error on anything else
//   fm::Precision used = fm::resolve_precision(p, is_cuda);        // fp32 or bf16, never auto
//   std::printf("matmuls in %s\n", fm::precision_name(used));
//
// bf16 keeps 8 bits of mantissa: the matmuls run in it (accumulating in fp32), while LayerNorm, softmax, the
// logits and the sampling draws stay fp32. On CPUs with AVX512-BF16 or AMX a bf16 matmul is several times as fast
// as an fp32 one; elsewhere LibTorch emulates it, slower than fp32, so `auto` picks fp32 there.
// Thread-safety: pure functions (the CPU is asked once).
#pragma once

#include <string>

namespace fm {

enum class Precision { fp32, bf16, automatic };

// The --precision flag's help (generate, eval, bench, train) and the studio's tooltip.
constexpr const char* kPrecisionHelp =
    "Number format of the matmuls: fp32, bf16 or auto (bf16 on CUDA and on CPUs with AVX512-BF16 or AMX, else fp32)";

Precision parse_precision(const std::string& name);   // "fp32" | "bf16" | "auto"
const char* precision_name(Precision p);              // the same names

// Whether this CPU multiplies bf16 in hardware: AVX512-BF16 or AMX-BF16 (cpuid).
bool cpu_has_bf16();
// auto -> bf16 on CUDA or on a CPU with bf16 (cpu_bf16), else fp32; fp32 and bf16 stay as they are.
Precision resolve_precision(Precision requested, bool cuda, bool cpu_bf16);
// The same for this machine's CPU; logs a warning when bf16 is asked for on a CPU that would only emulate it.
Precision resolve_precision(Precision requested, bool cuda);

}  // namespace fm
