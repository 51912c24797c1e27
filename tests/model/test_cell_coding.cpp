// Roll values <-> the net's cell classes: lossless on what the importer makes, in both layouts; known cells
// bit-exact; holds that have nothing to continue; re-strikes kept visible.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <filesystem>

#include "core/midi_roll.h"
#include "model/cell_coding.h"
#include "model/fractal_net.h"
#include "support/test_support.h"

namespace {

using torch::indexing::Slice;

fm::ModelConfig coding(fm::CellCoding cells, fm::CanvasLayout layout = fm::CanvasLayout::long_roll) {
    fm::ModelConfig c = fm::model_preset("tiny");
    c.cells = cells, c.layout = layout;
    return c;
}

torch::Tensor canvas_of(const fm::Roll& r) {
    return torch::from_blob(const_cast<float*>(r.cells.data()), {1, r.rows, r.width}, torch::kFloat32).clone();
}

// A pitch row with a long note, a re-strike at a new velocity, a one-step note and a note on the last step.
fm::Roll phrase() {
    fm::Roll r(32);
    for (int t = 0; t < 6; ++t) r.at(60, t) = 90 / 127.0f;
    for (int t = 6; t < 9; ++t) r.at(60, t) = 91 / 127.0f;   // re-strike: the importer nudged the velocity
    r.at(64, 3) = 40 / 127.0f;
    r.at(67, 31) = 1.0f;
    return r;
}

}  // namespace

TEST(CellCoding, NoteClassesAreSilenceHoldAndOnsetAtVelocity) {
    const auto cls = fm::encode_cells(canvas_of(phrase()), coding(fm::CellCoding::notes))[0];
    EXPECT_EQ(cls[60][0].item<float>(), 91);            // onset at velocity 90
    EXPECT_EQ(cls[60][1].item<float>(), fm::kHoldClass);
    EXPECT_EQ(cls[60][5].item<float>(), fm::kHoldClass);
    EXPECT_EQ(cls[60][6].item<float>(), 92);            // the re-strike is an onset
    EXPECT_EQ(cls[60][9].item<float>(), 0);             // silence
    EXPECT_EQ(cls[64][3].item<float>(), 41);
    EXPECT_EQ(cls[67][31].item<float>(), 128);          // velocity 127
    EXPECT_EQ(fm::note_classes(coding(fm::CellCoding::notes)), 129);
    EXPECT_EQ(fm::note_classes(coding(fm::CellCoding::velocity)), 128);
    const auto vel = fm::encode_cells(canvas_of(phrase()), coding(fm::CellCoding::velocity))[0];
    EXPECT_EQ(vel[60][1].item<float>(), 90);
}

TEST(CellCoding, DecodingTheClassesOfAGeneratedCanvasGivesTheRollBack) {
    for (auto layout : {fm::CanvasLayout::long_roll, fm::CanvasLayout::folded})
        for (auto cells : {fm::CellCoding::notes, fm::CellCoding::velocity}) {
            const auto config = coding(cells, layout);
            fm::Roll r = phrase();
            // a note across the fold (steps 14..17 of a 32-step roll: the fold is at 16)
            for (int t = 14; t < 18; ++t) r.at(70, t) = 55 / 127.0f;
            const fm::Roll shown = layout == fm::CanvasLayout::folded ? fm::fold(r) : r;
            auto values = canvas_of(shown);
            auto classes = fm::encode_cells(values, config);
            if (cells == fm::CellCoding::notes && layout == fm::CanvasLayout::folded) {   // step 16 is row 128 + 70, column 0
                EXPECT_EQ(classes[0][128 + 70][0].item<float>(), fm::kHoldClass);
            }
            // Every cell generated (the canvas asked for is all unknown): the decoded roll is the roll.
            auto decoded = fm::decode_cells(classes, torch::full_like(values, -1.0), config);
            EXPECT_TRUE(torch::allclose(decoded, values, 0, 1e-6)) << fm::to_string(cells) << " " << fm::to_string(layout);
        }
}

TEST(CellCoding, KnownCellsStayBitExactAndAHoldContinuesAKnownNote) {
    const auto config = coding(fm::CellCoding::notes);
    auto values = torch::full({1, 128, 16}, -1.0);
    values.index_put_({0, Slice(), Slice(0, 4)}, 0.0);
    values.index_put_({0, 50, Slice(0, 4)}, 0.3337f);   // a value off the 1/127 grid (a user's file)
    auto classes = fm::encode_cells(values, config);
    classes.index_put_({0, Slice(), Slice(4)}, 0.0);
    classes.index_put_({0, 50, Slice(4, 8)}, double(fm::kHoldClass));   // the net holds the known note for 4 more steps
    auto out = fm::decode_cells(classes, values, config);
    EXPECT_TRUE(torch::equal(out.index({0, Slice(), Slice(0, 4)}), values.index({0, Slice(), Slice(0, 4)})));
    for (int t = 0; t < 8; ++t) EXPECT_EQ(out[0][50][t].item<float>(), 0.3337f) << t;   // the same value: one note
    EXPECT_EQ(out[0][50][8].item<float>(), 0.0f);
}

TEST(CellCoding, AHoldWithNothingToContinueStartsANoteAtItsFallbackVelocityAndSameValueOnsetsAreNudged) {
    const auto config = coding(fm::CellCoding::notes);
    auto unknown = torch::full({1, 128, 8}, -1.0);
    auto classes = torch::zeros({1, 128, 8});
    classes.index_put_({0, 10, Slice(0, 2)}, double(fm::kHoldClass));   // at the canvas start: nothing to hold
    classes.index_put_({0, 20, 0}, 101.0);                                 // onset at velocity 100 ...
    classes.index_put_({0, 20, 1}, 101.0);                                 // ... and again at once
    classes.index_put_({0, 30, 3}, -1.0);                                  // not drawn yet (live view) ...
    classes.index_put_({0, 30, 4}, double(fm::kHoldClass));                // ... so its hold shows pending
    // Holds drawn by the sampler carry a fallback onset (velocity 45 here: class 46): a note at 45 when orphaned.
    auto drawn = torch::zeros({1, 128, 8}, torch::kBool);
    drawn.index_put_({0, 40, Slice(2, 5)}, true);
    drawn.index_put_({0, 41, Slice(1, 3)}, true);
    classes.index_put_({0, 41, 0}, 71.0);                                  // onset at 70: its holds continue it
    classes = fm::holds_with_fallback(classes, drawn, torch::full({1, 128, 8}, 46.0));
    auto out = fm::decode_cells(classes, unknown, config);
    for (int t = 2; t < 5; ++t) EXPECT_FLOAT_EQ(out[0][40][t].item<float>(), 45 / 127.0f) << t;
    EXPECT_EQ(out[0][40][1].item<float>(), 0.0f);
    EXPECT_EQ(out[0][40][5].item<float>(), 0.0f);
    for (int t = 0; t < 3; ++t) EXPECT_FLOAT_EQ(out[0][41][t].item<float>(), 70 / 127.0f) << t;
    EXPECT_EQ(out[0][10][0].item<float>(), float(fm::kPendingVelocity / 127.0));
    EXPECT_EQ(out[0][10][1].item<float>(), float(fm::kPendingVelocity / 127.0));
    EXPECT_FLOAT_EQ(out[0][20][0].item<float>(), 100 / 127.0f);
    EXPECT_NE(out[0][20][1].item<float>(), out[0][20][0].item<float>());   // two notes on export, not one
    EXPECT_EQ(out[0][30][3].item<float>(), -1.0f);
    EXPECT_EQ(out[0][30][4].item<float>(), float(fm::kPendingVelocity / 127.0));
}

TEST(CellCoding, Pop909RollsRoundTripExactly) {
    FM_REQUIRE_SHARED_DATA("pop909");
    const auto config = coding(fm::CellCoding::notes);
    int files = 0;
    int64_t holds = 0, sounding = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(fmtest::shared_data_dir() + "/pop909")) {
        if (e.path().extension() != ".mid" || files >= 40) continue;
        const fm::Roll r = fm::load_midi(e.path().string()).roll;
        auto values = canvas_of(r);
        auto classes = fm::encode_cells(values, config);
        EXPECT_TRUE(torch::equal(fm::decode_cells(classes, torch::full_like(values, -1.0), config), values)) << e.path();
        holds += (classes == double(fm::kHoldClass)).sum().item<int64_t>();
        sounding += (values > 0).sum().item<int64_t>();
        ++files;
    }
    ASSERT_GT(files, 0);
    EXPECT_GT(double(holds) / double(sounding), 0.5);   // most sounding cells continue a note
}

TEST(CellCoding, ANoteCodedNetScoresAndSamplesWithKnownCellsKept) {
    fm::ModelConfig c = coding(fm::CellCoding::notes);
    torch::manual_seed(3);
    fm::FractalNet net(c);
    net->eval();
    torch::NoGradGuard no_grad;
    auto canvas = canvas_of(fm::pad(phrase(), 128));
    auto asked = canvas.clone();
    asked.index_put_({0, Slice(), Slice(16)}, -1.0);
    auto gen = at::detail::createCPUGenerator(5);
    fm::SampleOptions opt;
    opt.num_iter = {2, 2, 1};
    auto out = net->sample(asked, opt, gen, {}, nullptr);
    EXPECT_TRUE(torch::equal(out.index({0, Slice(), Slice(0, 16)}), canvas.index({0, Slice(), Slice(0, 16)})));
    EXPECT_TRUE((out >= 0).all().item<bool>());
    auto nll = net->nll(canvas, opt, gen);
    EXPECT_TRUE(std::isfinite(nll.item<double>()));
}
