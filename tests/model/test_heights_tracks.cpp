// Heights and tracks: an 88-key model's canvas and its samples (never a note outside A0-C8), a multi-track model
// trained on named tracks that keeps a given track and writes the others, and the config fields that say so.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/notes.h"
#include "core/track_rolls.h"
#include "model/canvas.h"
#include "model/checkpoint.h"
#include "model/engine.h"
#include "model/jam.h"
#include "model/fractal_net.h"
#include "model/generator.h"
#include "model/trainer.h"
#include "support/test_support.h"

namespace {

// Notes of a roll (rows a multiple of 128) outside [low, high].
int notes_outside(const fm::Roll& r, int low, int high) {
    int n = 0;
    for (const fm::StepNote& note : fm::roll_to_notes(fm::flatten_tracks(r))) n += note.pitch < low || note.pitch > high;
    return n;
}

fm::GenerateParams noisy(int samples) {
    fm::GenerateParams g;
    g.width = 64, g.num_samples = samples, g.seed = 5, g.temperature = 1.5;
    g.gate = false;   // every patch down to the cells: random weights then sound everywhere
    return g;
}

}  // namespace

TEST(ModelConfig, PitchRangesAndTracksRoundTripAndBadOnesAreRefused) {
    fm::ModelConfig c = fm::model_preset("tiny");
    fm::parse_pitch_range("piano", &c.pitch_low, &c.pitch_high);
    EXPECT_EQ(c.pitch_low, 21);
    EXPECT_EQ(c.pitch_high, 108);
    EXPECT_EQ(fm::canvas_low(c), 16);
    EXPECT_EQ(fm::pitch_rows(c), 96);   // the patches that hold 21-108: pitches 16-111
    c.track_names = {"melody", "piano"};
    EXPECT_EQ(fm::roll_rows(c), 256);
    int rows = 0, cols = 0;
    fm::canvas_shape(c, 128, &rows, &cols);
    EXPECT_EQ(rows, 192);
    const fm::ModelConfig back = fm::config_from_json(fm::config_to_json(c));
    EXPECT_EQ(back.pitch_low, 21);
    EXPECT_EQ(back.pitch_high, 108);
    EXPECT_EQ(back.track_names, c.track_names);
    EXPECT_EQ(fm::config_from_json(fm::config_to_json(fm::model_preset("tiny"))).pitch_high, 127);   // absent: all

    int lo = 0, hi = 0;
    fm::parse_pitch_range("36-96", &lo, &hi);
    EXPECT_EQ(lo, 36);
    EXPECT_EQ(hi, 96);
    for (const char* bad : {"88", "40-20", "0-128", "a-b", "10-20-30"}) EXPECT_THROW(fm::parse_pitch_range(bad, &lo, &hi), fm::Error) << bad;
    fm::ModelConfig narrow = fm::model_preset("tiny");
    narrow.pitch_low = 60, narrow.pitch_high = 70;   // less than one patch
    EXPECT_THROW(fm::check_heights_and_tracks(narrow), fm::Error);
    narrow.pitch_low = 100, narrow.pitch_high = 127;   // the patches of 96-127
    EXPECT_NO_THROW(fm::check_heights_and_tracks(narrow));
    EXPECT_EQ(fm::pitch_rows(narrow), 32);
    fm::ModelConfig folded = c;
    folded.layout = fm::CanvasLayout::folded;
    EXPECT_THROW(fm::check_heights_and_tracks(folded), fm::Error);
}

// The canvas of an 88-key model holds pitches 16-111 of each track (whole patches of the 128-pitch canvas), those
// outside 21-108 known silent; back on the roll, every pitch outside the range is silent.
TEST(Heights, TheCanvasHoldsTheRangeAndThePaddingIsKnownSilent) {
    fm::ModelConfig c = fm::model_preset("tiny");
    fm::parse_pitch_range("piano", &c.pitch_low, &c.pitch_high);
    fm::Roll r(64, fm::kUnknown);
    const auto canvas = fm::rolls_to_canvas({r}, c, torch::kCPU, fm::kUnknown);
    ASSERT_EQ(canvas.size(1), 96);
    EXPECT_TRUE(torch::all(canvas[0].slice(0, 0, 5) == 0.0f).item<bool>());     // 16..20: padding, known silent
    EXPECT_TRUE(torch::all(canvas[0].slice(0, 5, 93) == -1.0f).item<bool>());   // 21..108: to be generated
    EXPECT_TRUE(torch::all(canvas[0].slice(0, 93, 96) == 0.0f).item<bool>());   // 109..111: padding
    fm::Roll loud(64);
    for (int p = 0; p < 128; ++p) loud.at(p, 3) = 0.5f;
    const fm::Roll back = fm::canvas_to_roll(fm::rolls_to_canvas({loud}, c, torch::kCPU, 0.0f)[0], c);
    for (int p = 0; p < 128; ++p) EXPECT_EQ(back.at(p, 3), p >= 21 && p <= 108 ? 0.5f : 0.0f) << p;
}

// Random weights sound everywhere they may: the 128-pitch model strikes notes outside the keys, the 88-key one never.
TEST(Heights, AnEightyEightKeyModelNeverPlaysOutsideTheKeys) {
    fm::ModelConfig full = fm::model_preset("tiny");
    fm::ModelConfig keys = full;
    fm::parse_pitch_range("piano", &keys.pitch_low, &keys.pitch_high);
    fm::FractalNet a = fm::seeded_net(full, 3), b = fm::seeded_net(keys, 3);
    const auto wide = fm::generate(a, noisy(2), {}, nullptr), piano = fm::generate(b, noisy(2), {}, nullptr);
    int outside_wide = 0, notes = 0;
    for (const auto& r : wide) outside_wide += notes_outside(r, 21, 108);
    for (const auto& r : piano) {
        EXPECT_EQ(r.rows, 128);
        EXPECT_EQ(notes_outside(r, 21, 108), 0);
        notes += fm::count_notes(r);
    }
    EXPECT_GT(outside_wide, 0) << "the test could not fail: the full-range model made no note outside the keys";
    EXPECT_GT(notes, 0);
}

// A two-track model trained on files with a lead and a pad: its checkpoint names the tracks, a sample has both, and
// given the lead it writes the pad and keeps the lead cell for cell.
TEST(Tracks, AMultiTrackModelTrainsAndWritesTheOtherTracksAroundAKeptOne) {
    const std::string data = fmtest::temp_dir("corpus");
    fmtest::write_lead_pad_songs(data);
    fm::TrainParams p;
    p.train_data = data, p.output_dir = fmtest::temp_dir("run"), p.model = "tiny", p.crop_length = 64, p.train_batch_size = 2;
    p.plan_batch = 2, p.max_steps = 4, p.warmup_steps = 1, p.eval_every = 4, p.val_crops = 1, p.threads = 1, p.device = "cpu";
    p.tracks = "Lead=melody,Pad=pad", p.pitch_range = "piano";
    fm::train(p, {}, nullptr);
    auto net = fm::load_net(p.output_dir + "/last.safetensors", torch::kCPU);
    ASSERT_EQ(net->config().track_names, (std::vector<std::string>{"melody", "pad"}));
    EXPECT_EQ(net->config().pitch_low, 21);

    const fm::TrackRolls song = fm::load_midi_tracks(data + "/song1.mid", fm::parse_track_map("Lead=melody,Pad=pad"));
    fm::GenerateParams g = noisy(2);
    g.mode = fm::GenerateMode::inpainting;
    g.input = fm::stack_tracks([&] {
        fm::TrackRolls t = song;
        for (auto& r : t.tracks) r = fm::crop(r, 0, 64);
        t.tracks[1] = fm::Roll(64);   // the pad to be written
        return t;
    }());
    g.cell_mask.assign(size_t(256) * 64, 0);
    std::fill(g.cell_mask.begin() + 128 * 64, g.cell_mask.end(), 1);   // track 1: every cell
    const auto out = fm::generate(net, g, {}, nullptr);
    int pad_notes = 0;
    for (const fm::Roll& r : out) {
        ASSERT_EQ(r.rows, 256);
        const fm::TrackRolls t = fm::split_tracks(r, net->config().track_names);
        EXPECT_EQ(t.tracks[0], fm::crop(song.tracks[0], 0, 64)) << "the kept melody changed";
        pad_notes += fm::count_notes(t.tracks[1]);
        EXPECT_EQ(notes_outside(r, 21, 108), 0);
    }
    EXPECT_GT(pad_notes, 0);

    fm::GenerateParams wrong = noisy(1);   // a one-track input for a two-track model: refused
    wrong.mode = fm::GenerateMode::inpainting, wrong.input = fm::Roll(64), wrong.mask_start = 0, wrong.mask_end = 64;
    EXPECT_THROW(fm::generate(net, wrong, {}, nullptr), fm::Error);
}

// Jam plays one roll: a multi-track model is refused with a message that says where tracks are written.
TEST(Tracks, JamRefusesAMultiTrackModel) {
    fm::ModelConfig c = fm::model_preset("tiny");
    c.track_names = {"melody", "piano"};
    auto engine = fm::Engine::create(c, 1, "cpu");
    try {
        fm::JamSession session(*engine, fm::JamOptions{});
        ADD_FAILURE() << "a multi-track model started a jam";
    } catch (const fm::Error& e) {
        EXPECT_NE(std::string(e.what()).find("--keep_tracks"), std::string::npos) << e.what();
    }
}
