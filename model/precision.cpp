#include "precision.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "core/error.h"
#include "core/log.h"

namespace fm {

Precision parse_precision(const std::string& name) {
    if (name == "fp32") return Precision::fp32;
    if (name == "bf16") return Precision::bf16;
    if (name == "auto") return Precision::automatic;
    throw Error("precision '" + name + "' is not fp32, bf16 or auto");
}

const char* precision_name(Precision p) {
    switch (p) {
        case Precision::fp32: return "fp32";
        case Precision::bf16: return "bf16";
        case Precision::automatic: return "auto";
    }
    return "?";
}

// Read from cpuid directly: two bits of one leaf, where a library (cpuinfo) would be a new dependency for them.
bool cpu_has_bf16() {
#if defined(__x86_64__) || defined(__i386__)
    static const bool has = [] {
        unsigned a = 0, b = 0, c = 0, d = 0;
        if (__get_cpuid_max(0, nullptr) < 7) return false;
        __cpuid_count(7, 0, a, b, c, d);
        const bool amx_bf16 = (d >> 22) & 1u;       // leaf 7.0 EDX bit 22
        const unsigned max_sub = a;
        bool avx512_bf16 = false;
        if (max_sub >= 1) {
            __cpuid_count(7, 1, a, b, c, d);
            avx512_bf16 = (a >> 5) & 1u;            // leaf 7.1 EAX bit 5
        }
        return amx_bf16 || avx512_bf16;
    }();
    return has;
#else
    return false;
#endif
}

Precision resolve_precision(Precision requested, bool cuda, bool cpu_bf16) {
    if (requested != Precision::automatic) return requested;
    return (cuda || cpu_bf16) ? Precision::bf16 : Precision::fp32;
}

Precision resolve_precision(Precision requested, bool cuda) {
    const bool has = cpu_has_bf16();
    if (requested == Precision::bf16 && !cuda && !has)
        log_warning("bf16 was asked for, but this CPU has neither AVX512-BF16 nor AMX: its bf16 matmuls are emulated and "
                    "slower than fp32 (--precision auto picks fp32 here)");
    return resolve_precision(requested, cuda, has);
}

}  // namespace fm
