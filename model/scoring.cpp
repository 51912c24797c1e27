#include "model/scoring.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace fm {

double bits_per_cell(FractalNet& net, const torch::Tensor& canvas, const SampleOptions& opt, torch::Generator& gen,
                     int orders, int64_t batch) {
    if (orders < 1 || batch < 1) throw Error("bits_per_cell: orders and batch must be positive");
    if (canvas.numel() == 0) throw Error("bits_per_cell: no crop to score");
    double nats = 0;
    for (int64_t i = 0; i < canvas.size(0); i += batch) {
        const auto chunk = canvas.slice(0, i, std::min(i + batch, canvas.size(0)));
        for (int o = 0; o < orders; ++o) nats += net->nll(chunk, opt, gen).sum().item<double>() / orders;
    }
    return nats / std::log(2.0) / double(canvas.numel());
}

}  // namespace fm
