// Resources: the shipped models are found by width, $FRACTALMIDI_RESOURCES first.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/resources.h"
#include "support/test_support.h"

namespace fs = std::filesystem;

TEST(Resources, DefaultModelByWidthWithFallback) {
    const std::string dir = fmtest::temp_dir("resources");
    fs::create_directories(dir + "/models");
    ::setenv("FRACTALMIDI_RESOURCES", dir.c_str(), 1);
    ASSERT_FALSE(fm::resource_dirs().empty());
    EXPECT_EQ(fm::resource_dirs().front(), dir);

    std::ofstream(dir + "/" + fm::kDefaultModel128) << "x";
    EXPECT_EQ(fm::default_model_path(128), dir + "/" + fm::kDefaultModel128);
    EXPECT_EQ(fm::find_resource("models/nothing-here.safetensors").find(dir), std::string::npos);
    std::ofstream(dir + "/" + fm::kDefaultModel512) << "x";
    EXPECT_EQ(fm::default_model_path(512), dir + "/" + fm::kDefaultModel512);   // wider than 128: the 32-bar model
    EXPECT_EQ(fm::default_model_path(256), dir + "/" + fm::kDefaultModel512);
    EXPECT_EQ(fm::default_model_path(128), dir + "/" + fm::kDefaultModel128);
    std::ofstream(dir + "/" + fm::kDefaultModelTracks) << "x";
    EXPECT_EQ(fm::default_tracks_model_path(), dir + "/" + fm::kDefaultModelTracks);   // the multi-track model, by name
    EXPECT_EQ(fm::default_model_path(128), dir + "/" + fm::kDefaultModel128);          // never one of the widths'
    ::unsetenv("FRACTALMIDI_RESOURCES");

    // The fallback, over this folder alone (the source tree's own models would answer otherwise).
    fs::remove(dir + "/" + fm::kDefaultModel128);
    EXPECT_EQ(fm::default_model_path(64, {dir}), dir + "/" + fm::kDefaultModel512);    // only the other one: it stands in
    fs::remove(dir + "/" + fm::kDefaultModel512);
    EXPECT_EQ(fm::default_model_path(64, {dir}), "");
}
