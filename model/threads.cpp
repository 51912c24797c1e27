#include "model/threads.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace fm {

void use_threads(int n) {
    if (n <= 0) {
        const char* env = std::getenv("OMP_NUM_THREADS");
        n = env ? std::atoi(env) : 0;
    }
    if (n <= 0) n = int(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(n);
}

}  // namespace fm
