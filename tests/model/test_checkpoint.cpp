// Checkpoints: bit-exact save/load, the config travels in the metadata, bad files are refused clearly.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <fstream>

#include "core/error.h"
#include "core/file_io.h"
#include "core/safetensors.h"
#include "model/checkpoint.h"
#include "support/test_support.h"

namespace {

fm::FractalNet tiny_net(const std::string& types = "ar,mar,mar,mar") {
    fm::ModelConfig c = fm::model_preset("tiny");
    fm::set_generator_types(c, types);
    c.scan = fm::ScanOrder::column_major;
    torch::manual_seed(3);
    return fm::FractalNet(c);
}

// load_net refuses the file with an fm::Error naming it, whose reason contains `part`.
void expect_load_error(const std::string& path, const std::string& part) {
    try {
        fm::load_net(path, torch::kCPU);
        ADD_FAILURE() << "accepted " << path;
    } catch (const fm::Error& e) {
        EXPECT_EQ(e.file(), path);
        EXPECT_NE(e.reason().find(part), std::string::npos) << e.what();
    }
}

}  // namespace

TEST(Checkpoint, SaveLoadIsBitExactAndKeepsTheConfig) {
    const std::string dir = fmtest::temp_dir("ckpt");
    auto net = tiny_net();
    fm::save_checkpoint(dir + "/a.safetensors", net, nullptr, {{"step", "7"}});
    fm::Metadata meta;
    auto back = fm::load_net(dir + "/a.safetensors", torch::kCPU, &meta);
    EXPECT_EQ(meta.at("step"), "7");
    EXPECT_EQ(fm::generator_types(back->config()), "ar,mar,mar,mar");
    EXPECT_EQ(back->config().scan, fm::ScanOrder::column_major);
    auto a = net->named_parameters(), b = back->named_parameters();
    ASSERT_EQ(a.size(), b.size());
    for (const auto& kv : a) EXPECT_TRUE(torch::equal(kv.value(), b[kv.key()])) << kv.key();
}

TEST(Checkpoint, HalfPrecisionWeightsLoadAsTheRoundedFloats) {
    const std::string dir = fmtest::temp_dir("ckpt");
    auto net = tiny_net();
    fm::save_checkpoint(dir + "/full.safetensors", net, nullptr);
    fm::save_checkpoint(dir + "/half.safetensors", net, nullptr, {}, /*fp16=*/true);
    const auto full = fm::read_file_bytes(dir + "/full.safetensors"), half = fm::read_file_bytes(dir + "/half.safetensors");
    EXPECT_LT(double(half.size()), 0.6 * double(full.size()));
    for (const fm::StTensor& t : fm::load_safetensors(dir + "/half.safetensors").tensors) EXPECT_EQ(t.dtype, "F16") << t.name;
    auto back = fm::load_net(dir + "/half.safetensors", torch::kCPU);
    auto a = net->named_parameters(), b = back->named_parameters();
    for (const auto& kv : a) {
        EXPECT_EQ(b[kv.key()].scalar_type(), torch::kFloat32) << kv.key();
        EXPECT_TRUE(torch::equal(kv.value().to(torch::kFloat16).to(torch::kFloat32), b[kv.key()])) << kv.key();
    }
}

TEST(Checkpoint, OptimiserStateRoundTrips) {
    const std::string dir = fmtest::temp_dir("ckpt");
    auto net = tiny_net("mar,mar,mar,mar");
    torch::optim::AdamW opt(net->parameters(), torch::optim::AdamWOptions(1e-3));
    auto gen = at::detail::createCPUGenerator(1);
    auto x = torch::zeros({1, 128, 32});
    x.index_put_({0, 60, torch::indexing::Slice()}, 0.5);
    auto [nll, count] = net->loss(x, gen);
    (nll / count).backward();
    opt.step();
    fm::save_checkpoint(dir + "/b.safetensors", net, &opt);
    auto net2 = tiny_net("mar,mar,mar,mar");
    torch::optim::AdamW opt2(net2->parameters(), torch::optim::AdamWOptions(1e-3));
    fm::load_checkpoint_into(dir + "/b.safetensors", net2, &opt2);
    const auto p1 = net->parameters(), p2 = net2->parameters();
    int states = 0;
    for (size_t i = 0; i < p1.size(); ++i) {
        auto& s1 = opt.state(), &s2 = opt2.state();
        auto k1 = fm::optimizer_state_key(p1[i]), k2 = fm::optimizer_state_key(p2[i]);
        if (!s1.count(k1)) continue;
        ASSERT_TRUE(s2.count(k2));
        auto& a = static_cast<torch::optim::AdamWParamState&>(*s1.at(k1));
        auto& b = static_cast<torch::optim::AdamWParamState&>(*s2.at(k2));
        EXPECT_TRUE(torch::equal(a.exp_avg(), b.exp_avg()));
        EXPECT_TRUE(torch::equal(a.exp_avg_sq(), b.exp_avg_sq()));
        EXPECT_EQ(a.step(), b.step());
        ++states;
    }
    EXPECT_GT(states, 10);
}

TEST(Checkpoint, CorruptTruncatedAndForeignFilesAreRefusedClearly) {
    const std::string dir = fmtest::temp_dir("ckpt");
    auto net = tiny_net();
    const std::string good = dir + "/good.safetensors";
    fm::save_checkpoint(good, net, nullptr);
    auto bytes = fm::read_file_bytes(good);
    fm::write_file_atomic(dir + "/cut.safetensors", bytes.data(), bytes.size() / 2);
    expect_load_error(dir + "/cut.safetensors", "truncated");
    expect_load_error(dir + "/missing.safetensors", "no such file");
    // Another config's weights: same format, different shapes.
    fm::ModelConfig other = fm::model_preset("tiny");
    other.levels[0].width = 64;
    fm::FractalNet wide(other);
    fm::save_checkpoint(dir + "/wide.safetensors", wide, nullptr);
    auto small = tiny_net();
    try {
        fm::load_checkpoint_into(dir + "/wide.safetensors", small, nullptr);
        ADD_FAILURE() << "a checkpoint of another config was loaded";
    } catch (const fm::Error& e) {
        EXPECT_NE(e.reason().find("another config"), std::string::npos) << e.what();
    }
    // A safetensors file that is not ours.
    fm::StFile foreign;
    foreign.tensors.push_back({"w", "F32", {1}, {0, 0, 0, 0}});
    fm::save_safetensors(dir + "/foreign.safetensors", foreign);
    expect_load_error(dir + "/foreign.safetensors", "not a FractalMIDI checkpoint");
}

TEST(Checkpoint, SilentDamageIsRefusedAndFilesWithoutADigestStillLoad) {
    const std::string dir = fmtest::temp_dir("ckpt");
    auto net = tiny_net();
    const std::string good = dir + "/good.safetensors";
    fm::save_checkpoint(good, net, nullptr, {}, /*fp16=*/true);
    auto bytes = fm::read_file_bytes(good);
    auto expect_error = [&](const std::string& path, const std::string& part) {
        expect_load_error(path, part);
        fm::FractalNet into = tiny_net();
        EXPECT_THROW(fm::warm_start(path, into), fm::Error) << "warm start reads the same checks";
    };
    // Four bytes overwritten in the middle of the tensor data, the size unchanged (as a user did to a shipped model).
    auto flipped = bytes;
    uint64_t header = 0;
    for (int i = 0; i < 8; ++i) header |= uint64_t(uint8_t(bytes[size_t(i)])) << (8 * i);
    const size_t mid = 8 + header + (bytes.size() - 8 - header) / 2;   // the middle of the tensor data
    for (size_t i = mid; i < mid + 4; ++i) flipped[i] ^= 0x5A;
    fm::write_file_atomic(dir + "/flipped.safetensors", flipped.data(), flipped.size());
    expect_error(dir + "/flipped.safetensors", "damaged");
    // Written without a digest (an older build, another tool): loads, with a warning.
    fm::StFile f = fm::load_safetensors(good);
    ASSERT_EQ(f.metadata.count("tensor_digest"), 1u);
    f.metadata.erase("tensor_digest");
    fm::save_safetensors(dir + "/old.safetensors", f);
    auto back = fm::load_net(dir + "/old.safetensors", torch::kCPU);
    EXPECT_TRUE(torch::equal(back->named_parameters()["level0.embed.weight"], net->named_parameters()["level0.embed.weight"].to(torch::kFloat16).to(torch::kFloat32)));
    // A NaN weight with a matching digest (a diverged run) is refused too.
    fm::StFile nan = fm::load_safetensors(good);
    for (auto& t : nan.tensors)
        if (t.name == "model.level0.embed.weight") t.bytes[0] = 0xFF, t.bytes[1] = 0x7F;   // fp16 NaN
    nan.metadata["tensor_digest"] = fm::tensor_digest(nan);
    fm::save_safetensors(dir + "/nan.safetensors", nan);
    expect_error(dir + "/nan.safetensors", "NaN");
}

TEST(Checkpoint, WarmStartMapsAVelocityCodedNetIntoANoteCodedOne) {
    const std::string dir = fmtest::temp_dir("ckpt");
    fm::ModelConfig old_config = fm::model_preset("tiny");
    old_config.cells = fm::CellCoding::velocity, old_config.pitch_positions = false;
    torch::manual_seed(5);
    fm::FractalNet old_net(old_config);
    fm::save_checkpoint(dir + "/old.safetensors", old_net, nullptr);
    fm::FractalNet fresh(fm::model_preset("tiny"));   // notes, pitch positions
    const auto left = fm::warm_start(dir + "/old.safetensors", fresh);
    // Only the pitch vectors are new (two tables at each of the three levels).
    EXPECT_EQ(left.size(), 6u);
    for (const auto& name : left) EXPECT_TRUE(name.find("pitch_class_embed") != std::string::npos || name.find("octave_embed") != std::string::npos) << name;
    auto before = old_net->named_parameters(), after = fresh->named_parameters();
    using torch::indexing::Slice;
    for (const char* name : {"head.out.weight", "head.out.bias", "level2.cell_embed.weight"}) {
        const auto& a = before[name];
        const auto& b = after[name];
        ASSERT_EQ(b.size(0), a.size(0) + 1) << name;
        EXPECT_TRUE(torch::equal(b[0], a[0])) << name;                                            // silence
        EXPECT_TRUE(torch::allclose(b[1], a.index({Slice(1, 128)}).mean(0))) << name;           // hold: the mean onset
        EXPECT_TRUE(torch::equal(b.index({Slice(2, 129)}), a.index({Slice(1, 128)}))) << name;  // onset k = velocity k
    }
    EXPECT_TRUE(torch::equal(after["level0.embed.weight"], before["level0.embed.weight"]));
    // The same coding: everything is taken.
    fm::FractalNet twin(old_config);
    EXPECT_TRUE(fm::warm_start(dir + "/old.safetensors", twin).empty());
    EXPECT_THROW(fm::warm_start(dir + "/missing.safetensors", twin), fm::Error);
}
