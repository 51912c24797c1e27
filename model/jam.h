// jam.h — playing along in real time. A session roll grows bar by bar while it plays: the musician's notes are
// quantised onto its 1/16 grid as they arrive, and the model makes its bars ahead of the playhead from a window of
// the model's width that slides with it (continuation, or inpainting around the musician's pitches).
//   answer:    the musician plays call_bars bars, the model answers the next call_bars, and so on (the answer's first
//              bar in a job of its own, made while the call ends; the rest in a second job that has heard all of it);
//   accompany: the musician's notes are kept as played; the model fills the other pitches of the coming bars;
//   endless:   no input; the model continues its own music, lookahead bars at a time, with no gap.
//
//   fm::JamSession jam(*engine, options);          // a loaded fm::Engine (the 8-bar default model)
//   jam.note_on(t, 60, 100);  jam.note_off(t2, 60); // MIDI in, seconds on the session clock (bar k starts at due_s(k))
//   fm::JamJob job;
//   while (jam.next_job(&job)) { wait until job.start_s; auto reports = jam.run_job(clock); }
//   fm::Roll recorded = jam.recording();
//
// run_jam() drives a whole session against the wall clock (the CLI's `jam`, tests and benchmarks); the studio
// drives a JamSession from its own worker with MIDI in. The clock starts with one bar of count-in: bar k is due at
// (k + 1) bars. A scheduler starts each job early enough by the times measured so far, and when the machine cannot
// keep up it degrades (fewer MAR iterations) and says so instead of falling behind.
// Thread-safety: one thread drives a session; note_on/note_off may come from another (they lock).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/notes.h"
#include "core/progress.h"
#include "core/roll.h"
#include "model/conditions.h"
#include "model/engine.h"

namespace fm {

enum class JamMode { answer, accompany, endless };
JamMode parse_jam_mode(const std::string& name);   // "answer" | "accompany" | "endless"; fm::Error otherwise
const char* jam_mode_name(JamMode m);

struct JamOptions {
    JamMode mode = JamMode::endless;
    double bpm = 120;
    int bars = 32;                         // the session's length, count-in not included
    int lookahead = 1;                     // bars made per job (endless, accompany)
    int call_bars = 4;                     // answer: bars of each call, and of each answer
    double temperature = 1.0;
    std::array<int, 3> num_iter{8, 2, 4};  // MAR iterations; the degraded schedules halve them
    uint64_t seed = 0;
    // answer and accompany: the model is asked for the key of the musician's last bars (with the scale lock of
    // conditions.h), so that it answers and accompanies in their key; off: it follows the window alone.
    bool follow_key = true;
    // answer: each bar of the answer is asked for the chord of the call's bar in the same place (a consequent phrase
    // over its antecedent's harmony). Off (the default): the answer's harmony is the plan's, in the call's key, opening
    // and closing on its tonic. On 20 POP909 training songs the answer kept the call's key 10 times with it, 14 without.
    bool answer_call_chords = false;
    // accompany: how busy the model's part is, 0 (sparse) .. 1 (busy), as conditions.h's density; negative: as the
    // window suggests (a lone melody then gets little under it).
    double density = 0.5;
};

// The timing of one bar the model made: due (its start on the session clock), ready (when its job finished), the
// margin between them (negative: late), and the schedule its job ran with.
struct JamBarReport {
    int bar = 0;
    double due_s = 0, ready_s = 0, margin_s = 0, job_s = 0;
    bool degraded = false;
    std::array<int, 3> num_iter{};
    int key = -1;   // key_code() of the key its job was asked for (follow_key); -1: none
};

struct JamJob {
    int first_bar = 0, bars = 0;   // the model makes bars [first_bar, first_bar + bars)
    double start_s = 0;            // when to start it on the session clock, by the times measured so far
};

// A note of the musician on the session clock.
struct JamEvent {
    double t_s = 0;
    int pitch = 0, velocity = 0;   // velocity 0: note off
};

class JamSession {
public:
    JamSession(Engine& engine, const JamOptions& options);

    const JamOptions& options() const { return opt_; }
    double bar_s() const { return 240.0 / opt_.bpm; }
    double step_s() const { return bar_s() / kStepsPerBar; }
    double due_s(int bar) const { return (bar + 1) * bar_s(); }   // one bar of count-in
    int width() const { return opt_.bars * kStepsPerBar; }

    // MIDI in, on the session clock; pitches 0..127, velocity 1..127. Quantised to the nearest step.
    void note_on(double t_s, int pitch, int velocity);
    void note_off(double t_s, int pitch);
    void play(const JamEvent& e);   // note_on, or note_off for velocity 0

    // A generation timed before the session (a warm-up): the first job's lead then comes from it, not a whole bar.
    void calibrate(double seconds_per_job);

    // The next job, or false when the model owes no more bars.
    bool next_job(JamJob* job) const;
    // Runs next_job() now; `clock` reads the session clock. One report per bar made.
    std::vector<JamBarReport> run_job(const std::function<double()>& clock);

    Roll recording() const;                     // model and musician, the musician's notes exactly as quantised
    std::vector<StepNote> input_notes() const;  // the musician's (notes still held end where the session does)
    const Roll& model_roll() const { return model_; }
    bool degraded() const { return degrade_level_ > 0; }
    std::string degrade_reason() const { return degrade_reason_; }
    std::array<int, 3> num_iter() const;        // the schedule jobs run with now

private:
    std::vector<StepNote> input_until(int step) const;
    void note_job_time(double seconds, int bars, double margin_s);
    int answer_start(int bar) const;           // answer: the first bar of the answer that `bar` is in
    void remember(double seconds_per_job);     // one job's time among the recent ones

    Engine& engine_;
    JamOptions opt_;
    Roll model_;                               // the model's notes over the session
    mutable std::mutex in_mutex_;
    std::vector<StepNote> input_;              // finished notes
    std::array<int, 128> open_start_{}, open_velocity_{};   // held notes: start step (-1: none)
    std::vector<int> jobs_;                    // first bar of each job
    std::vector<int> job_bars_;                // and its bars
    int next_ = 0;                             // index into jobs_
    std::vector<double> recent_s_;             // the last jobs' times (the slowest of them sets the lead)
    int degrade_level_ = 0;
    std::string degrade_reason_;
};

// The model's roll with the musician's notes laid over it exactly (the re-strike rule among theirs; the model's cells
// on a note's pitch from the step before it to the step after cleared first, so nothing merges into them).
Roll jam_merge(const Roll& model, const std::vector<StepNote>& input);


// The events that play `notes` (steps of a roll at the session tempo) as the musician: answer places the file's
// bars into the call bars one call after another; accompany and endless play it from bar 0.
std::vector<JamEvent> jam_input_events(const std::vector<StepNote>& notes, const JamOptions& options);

// Two generations of a whole window before a session starts: the first warms up, the second is timed (seconds; a
// session's calibrate() takes it).
double jam_warm_up(Engine& engine, const JamSession& jam);

struct JamResult {
    Roll recording;
    std::vector<StepNote> input;   // the musician's notes as quantised (JamSession::input_notes)
    std::vector<JamBarReport> bars;
    bool degraded = false;
    std::string degrade_reason;
    double worst_margin_s = 0, p99_margin_s = 0;
};

// A whole session: the events fed at their times, each job started when the scheduler says, against the wall clock.
// on_bar sees each bar as it is made; cancel stops between jobs (the result holds what was made).
JamResult run_jam(Engine& engine, const JamOptions& options, const std::vector<JamEvent>& input,
                  const std::function<void(const JamBarReport&)>& on_bar = {}, const CancelFlag* cancel = nullptr);

}  // namespace fm
