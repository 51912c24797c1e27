// The studio's model facade: making or loading a model changes no process-wide torch setting (the default
// generator's stream, the calling thread's intra-op threads) that a training run in the same process relies on;
// random weights depend on their seed alone.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cstdlib>
#include <string>

#include "model/engine.h"
#include "model/threads.h"

namespace {

fm::GenerateParams quick() {
    fm::GenerateParams g;
    g.width = 128, g.num_iter = {2, 2, 1}, g.seed = 3;
    return g;
}

}  // namespace

TEST(Engine, RandomWeightsLeaveTorchsDefaultGeneratorAlone) {
    torch::manual_seed(5);
    const auto expected = torch::rand({8});
    torch::manual_seed(5);
    const auto engine = fm::Engine::create(fm::model_preset("tiny"), 1);
    const auto drawn = torch::rand({8});
    EXPECT_TRUE(torch::equal(drawn, expected)) << "making a model drew from (or reseeded) the default generator";
}

TEST(Engine, RandomWeightsDependOnTheirSeedAlone) {
    const auto a = fm::Engine::create(fm::model_preset("tiny"), 1);
    torch::rand({1000});   // other draws in between change nothing
    const auto b = fm::Engine::create(fm::model_preset("tiny"), 1);
    const auto c = fm::Engine::create(fm::model_preset("tiny"), 2);
    const auto ra = a->generate(quick(), {}, nullptr), rb = b->generate(quick(), {}, nullptr), rc = c->generate(quick(), {}, nullptr);
    EXPECT_TRUE(ra[0] == rb[0]);
    EXPECT_FALSE(ra[0] == rc[0]);
}

TEST(Engine, MakingLoadingAndGeneratingKeepTheThreadCount) {
    // One thread, while the program-wide default (OMP_NUM_THREADS) says three: a library call that reset the count
    // would show as 3 (or every core). One thread also keeps the test clean under ThreadSanitizer, which cannot see
    // OpenMP's and OpenBLAS's own synchronisation.
    const char* before = std::getenv("OMP_NUM_THREADS");
    const std::string saved = before ? before : "";
    ::setenv("OMP_NUM_THREADS", "3", 1);
    fm::use_threads(1);
    ASSERT_EQ(torch::get_num_threads(), 1);
    const auto engine = fm::Engine::create(fm::model_preset("tiny"), 1);
    engine->generate(quick(), {}, nullptr);
    EXPECT_EQ(torch::get_num_threads(), 1);
    EXPECT_THROW(fm::Engine::load("/nonexistent/model.safetensors"), std::exception);
    EXPECT_EQ(torch::get_num_threads(), 1);
    if (before) ::setenv("OMP_NUM_THREADS", saved.c_str(), 1);
    else ::unsetenv("OMP_NUM_THREADS");
}
