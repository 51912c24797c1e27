// Jam sessions with tiny random weights and a scripted clock: live notes quantised onto the grid, the jobs of each
// mode covering every bar the model owes once and in order, the musician's notes kept exactly, the degraded
// schedule when jobs are too slow, and a short session against the wall clock.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.h"
#include "core/harmony.h"
#include "core/notes.h"
#include "model/engine.h"
#include "model/jam.h"

namespace {

std::unique_ptr<fm::Engine> tiny() { return fm::Engine::create(fm::model_preset("tiny"), 3); }

fm::JamOptions options(fm::JamMode mode, int bars) {
    fm::JamOptions o;
    o.mode = mode, o.bars = bars, o.bpm = 120, o.num_iter = {2, 1, 1}, o.call_bars = 2, o.seed = 5;
    return o;
}

// Runs every job with a clock that moves `job_s` per job; returns the bars reported, in order.
std::vector<int> run_all(fm::JamSession& jam, double job_s) {
    std::vector<int> bars;
    double now = 0;
    fm::JamJob job;
    while (jam.next_job(&job)) {
        now = std::max(now, job.start_s);
        bool started = false;
        auto clock = [&] {
            if (started) return now + job_s;
            started = true;
            return now;
        };
        for (const auto& r : jam.run_job(clock)) bars.push_back(r.bar);
        now += job_s;
    }
    return bars;
}

}  // namespace

TEST(Jam, LiveNotesAreQuantisedOntoTheSessionGrid) {
    auto engine = tiny();
    fm::JamSession jam(*engine, options(fm::JamMode::accompany, 4));
    const double step = jam.step_s(), origin = jam.due_s(0);   // 0.125 s a step at 120 bpm; bar 0 after the count-in
    EXPECT_DOUBLE_EQ(step, 0.125);
    EXPECT_DOUBLE_EQ(origin, 2.0);
    jam.note_on(origin + 5 * step + 0.04, 60, 100);    // a little late: step 5
    jam.note_off(origin + 9 * step - 0.05, 60);        // a little early: ends at 9
    jam.note_on(origin + 16 * step - 0.02, 64, 80);    // struck again while held: the first ends where the second starts
    jam.note_on(origin + 18 * step, 64, 70);
    jam.note_off(origin + 20 * step, 64);
    jam.note_on(origin + 30 * step, 67, 90);           // still held when the session is read: ends at its end
    jam.note_on(origin + 40 * step, 200, 90);          // not a pitch: ignored
    const auto notes = jam.input_notes();
    ASSERT_EQ(notes.size(), 4u);
    EXPECT_EQ(notes[0], (fm::StepNote{60, 5, 9, 100}));
    EXPECT_EQ(notes[1].pitch, 64);
    EXPECT_EQ(notes[1].start, 16);
    EXPECT_EQ(notes[2], (fm::StepNote{64, 18, 20, 70}));
    EXPECT_EQ(notes[3], (fm::StepNote{67, 30, 64, 90}));
}

TEST(Jam, EndlessMakesEveryBarOnceInOrderWithNoGap) {
    auto engine = tiny();
    const int window = engine->config().crop_length / fm::kStepsPerBar;
    fm::JamSession jam(*engine, options(fm::JamMode::endless, window + 5));
    fm::JamJob first;
    ASSERT_TRUE(jam.next_job(&first));
    EXPECT_EQ(first.bars, window);   // the first window whole, during the count-in
    EXPECT_EQ(first.start_s, 0.0);
    std::vector<int> expected(size_t(window + 5));
    for (int b = 0; b < window + 5; ++b) expected[size_t(b)] = b;
    EXPECT_EQ(run_all(jam, 0.01), expected);
    const fm::Roll r = jam.recording();
    EXPECT_EQ(r.width, (window + 5) * fm::kStepsPerBar);
    for (float c : r.cells) ASSERT_GE(c, 0.0f);   // every cell made: nothing left unknown
    EXPECT_FALSE(jam.degraded());
}

TEST(Jam, AnswerMakesOnlyTheAnswerBarsAndLeavesTheCallsToTheMusician) {
    auto engine = tiny();
    fm::JamSession jam(*engine, options(fm::JamMode::answer, 8));   // calls at bars 0-1 and 4-5, answers at 2-3 and 6-7
    EXPECT_EQ(run_all(jam, 0.01), (std::vector<int>{2, 3, 6, 7}));
    const fm::Roll& m = jam.model_roll();
    for (int p = 0; p < fm::kPitches; ++p)
        for (int t = 0; t < 2 * fm::kStepsPerBar; ++t) ASSERT_EQ(m.at(p, t), 0.0f) << "the model played in the call";
}

TEST(Jam, AnAnswerIsAskedForTheCallsKeyAndOnRequestOverTheCallsChords) {
    auto engine = tiny();
    fm::JamOptions o = options(fm::JamMode::answer, 4);   // a call at bars 0-1, the answer at 2-3
    o.answer_call_chords = true;
    // The call: a bar of A minor broken chords, then a bar of E major ones (eight notes a bar, a key the estimator reads).
    std::vector<fm::StepNote> call;
    const int am[] = {57, 60, 64, 69}, e[] = {56, 59, 64, 68};
    for (int t = 0; t < 2 * fm::kStepsPerBar; t += 2) {
        const int* chord = t < fm::kStepsPerBar ? am : e;
        call.push_back(fm::StepNote{chord[(t / 2) % 4], t, t + 2, 90});
    }
    const auto events = fm::jam_input_events(call, o);
    fm::JamSession jam(*engine, o);
    size_t next = 0;
    fm::JamJob job;
    std::vector<fm::JamBarReport> reports;
    while (jam.next_job(&job)) {
        const double now = std::max(job.start_s, jam.due_s(2));   // this test's model waits for the whole call
        for (; next < events.size() && events[next].t_s <= now; ++next) jam.play(events[next]);
        for (const auto& r : jam.run_job([&] { return now; })) reports.push_back(r);
    }
    fm::Roll heard(jam.width());
    fm::paint_notes(heard, jam.input_notes());
    const fm::Key key = fm::estimate_key(heard, 0, 2 * fm::kStepsPerBar);
    ASSERT_EQ(reports.size(), 2u);
    for (const auto& r : reports) EXPECT_EQ(r.key, fm::key_code(key)) << fm::key_name(fm::key_of_code(r.key));
    // Locked to the call's chords (no passing tones): bar 2 holds only A minor's tones, bar 3 only E major's.
    const fm::Roll& m = jam.model_roll();
    ASSERT_GT(fm::roll_to_notes(m).size(), 4u);
    for (int bar = 2; bar < 4; ++bar) {
        const int tones = fm::chord_pitch_classes(fm::estimate_chord(heard, (bar - 2) * fm::kStepsPerBar, (bar - 1) * fm::kStepsPerBar));
        for (int p = 0; p < fm::kPitches; ++p)
            for (int t = bar * fm::kStepsPerBar; t < (bar + 1) * fm::kStepsPerBar; ++t)
                if (m.at(p, t) > 0) {
                    EXPECT_TRUE(tones >> (p % 12) & 1) << "pitch " << p << " in bar " << bar;
                }
    }
}

TEST(Jam, AnAnswersFirstBarIsAJobOfItsOwnAndTheRestHearsTheWholeCall) {
    auto engine = tiny();
    fm::JamOptions o = options(fm::JamMode::answer, 16);
    o.call_bars = 4;   // calls at bars 0-3 and 8-11; answers at 4-7 and 12-15
    fm::JamSession jam(*engine, o);
    std::vector<std::pair<int, int>> jobs;
    fm::JamJob job;
    while (jam.next_job(&job)) {
        jobs.push_back({job.first_bar, job.bars});
        if (job.bars > 1) {
            EXPECT_GE(job.start_s, jam.due_s(job.first_bar - 1)) << "starts before the call is over";
        }
        jam.run_job([&] { return job.start_s; });
    }
    EXPECT_EQ(jobs, (std::vector<std::pair<int, int>>{{4, 1}, {5, 3}, {12, 1}, {13, 3}}));
}

TEST(Jam, AccompanyKeepsEveryNoteTheMusicianPlays) {
    auto engine = tiny();
    fm::JamOptions o = options(fm::JamMode::accompany, 6);
    // A melody over all six bars, one note a beat, some of them touching on one pitch.
    std::vector<fm::StepNote> melody;
    for (int t = 0; t < 6 * fm::kStepsPerBar; t += 4) melody.push_back(fm::StepNote{72 + (t / 4) % 3, t, t + 4, 90 + (t / 4) % 2});
    const auto events = fm::jam_input_events(melody, o);
    fm::JamSession jam(*engine, o);
    double now = 0;
    size_t e = 0;
    fm::JamJob job;
    while (jam.next_job(&job)) {   // the musician plays up to each job's start, as in run_jam
        now = std::max(now, job.start_s);
        for (; e < events.size() && events[e].t_s <= now; ++e)
            jam.play(events[e]);
        jam.run_job([&] { return now; });
    }
    for (; e < events.size(); ++e) jam.play(events[e]);
    const auto played = jam.input_notes();
    ASSERT_EQ(played, fm::apply_strike_rule(melody));
    const auto out = fm::roll_to_notes(jam.recording());
    for (const fm::StepNote& n : played) EXPECT_NE(std::find(out.begin(), out.end(), n), out.end()) << n.pitch << "@" << n.start;
}

TEST(Jam, SlowJobsDegradeTheScheduleAndSaySo) {
    auto engine = tiny();
    fm::JamSession jam(*engine, options(fm::JamMode::endless, 12));
    run_all(jam, 5.0);   // every job "takes" 5 s where a bar lasts 2 s
    EXPECT_TRUE(jam.degraded());
    EXPECT_NE(jam.degrade_reason().find("MAR iterations"), std::string::npos) << jam.degrade_reason();
    const auto it = jam.num_iter();
    EXPECT_LT(it[0] + it[1] + it[2], 2 + 1 + 1 + 1);   // fewer iterations than asked
}

TEST(Jam, BadOptionsAreRefused) {
    auto engine = tiny();
    fm::JamOptions o = options(fm::JamMode::endless, 8);
    o.bpm = 5;
    EXPECT_THROW(fm::JamSession(*engine, o), fm::Error);
    o = options(fm::JamMode::answer, 8);
    o.call_bars = 8;   // call and answer must share one window
    EXPECT_THROW(fm::JamSession(*engine, o), fm::Error);
    EXPECT_THROW(fm::parse_jam_mode("solo"), fm::Error);
}

TEST(Jam, AShortSessionAgainstTheWallClockIsReadyInTime) {
    auto engine = tiny();
    fm::JamOptions o = options(fm::JamMode::endless, 6);
    o.bpm = 400;   // 0.6 s a bar: a short test
    const fm::JamResult r = fm::run_jam(*engine, o, {});
    ASSERT_EQ(r.bars.size(), 6u);
    for (const auto& b : r.bars) EXPECT_DOUBLE_EQ(b.margin_s, b.due_s - b.ready_s);
    EXPECT_EQ(r.recording.width, 6 * fm::kStepsPerBar);
    EXPECT_LE(r.worst_margin_s, r.p99_margin_s);
}
