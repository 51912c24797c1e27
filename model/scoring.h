// scoring.h — bits per roll cell: the one likelihood that the trainer's validation and `fractalmidi eval` report.
//
//   torch::NoGradGuard no_grad;  net->eval();
//   auto gen = at::detail::createCPUGenerator(seed);
//   double bits = fm::bits_per_cell(net, canvas, opt, gen, /*orders=*/2, /*batch=*/1);
//
// canvas: (N, R, C) crops as rolls_to_canvas makes them. The crops are scored `batch` at a time, each batch under
// `orders` random MAR orders (averaged), drawn from `gen` in that sequence, so the same seed gives the same figure.
// Thread-safety: one call at a time per net.
#pragma once

#include <torch/torch.h>

#include "model/fractal_net.h"

namespace fm {

double bits_per_cell(FractalNet& net, const torch::Tensor& canvas, const SampleOptions& opt, torch::Generator& gen,
                     int orders = 1, int64_t batch = 8);

}  // namespace fm
