#include "model/jam.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include "core/error.h"
#include "core/harmony.h"

namespace fm {

namespace {

constexpr double kSafety = 1.5;      // a job starts this many times the slowest recent job before it is due
constexpr double kSlack = 0.05;      // s, on top
constexpr double kMinLeadBars = 0.25;   // and never later than a beat before
constexpr size_t kRecentJobs = 8;
constexpr int kMaxDegrade = 2;

}  // namespace

JamMode parse_jam_mode(const std::string& name) {
    if (name == "answer") return JamMode::answer;
    if (name == "accompany") return JamMode::accompany;
    if (name == "endless") return JamMode::endless;
    throw Error("jam mode '" + name + "' is not answer, accompany or endless");
}

const char* jam_mode_name(JamMode m) {
    return m == JamMode::answer ? "answer" : m == JamMode::accompany ? "accompany" : "endless";
}

JamSession::JamSession(Engine& engine, const JamOptions& options) : engine_(engine), opt_(options) {
    if (track_count(engine.config()) > 1)
        throw Error("jam plays one roll; this model writes " + std::to_string(track_count(engine.config())) +
                    " tracks (use fractalmidi generate --keep_tracks to write tracks around a melody)");
    const int window_bars = engine_.config().crop_length / kStepsPerBar;
    if (!(opt_.bpm >= 20 && opt_.bpm <= 400)) throw Error("jam: --tempo must be within 20..400 bpm");
    if (opt_.bars < 1 || opt_.bars > 4096) throw Error("jam: --bars must be within 1..4096");
    if (opt_.lookahead < 1 || opt_.lookahead >= window_bars)
        throw Error("jam: --lookahead must be within 1.." + std::to_string(window_bars - 1) + " bars (the model's window is " +
                    std::to_string(window_bars) + ")");
    if (opt_.mode == JamMode::answer && (opt_.call_bars < 1 || 2 * opt_.call_bars > window_bars))
        throw Error("jam: --call_bars must be within 1.." + std::to_string(window_bars / 2) + " (call and answer share one window)");
    model_ = Roll(width());
    open_start_.fill(-1);
    open_velocity_.fill(0);
    // The jobs: the first bar of each.
    if (opt_.mode == JamMode::endless) {
        jobs_.push_back(0);   // the first window whole, during the count-in
        for (int b = std::min(window_bars, opt_.bars); b < opt_.bars; b += opt_.lookahead) jobs_.push_back(b);
    } else if (opt_.mode == JamMode::accompany) {
        for (int b = 1; b < opt_.bars; b += opt_.lookahead) jobs_.push_back(b);   // after the musician's first bar
    } else {
        // Each answer in two jobs: its first bar, which must be ready as the call ends and so starts before the call's
        // last beats are heard, then the rest, which starts a bar later and hears the whole call.
        for (int b = opt_.call_bars; b < opt_.bars; b += 2 * opt_.call_bars) {
            const int end = std::min(b + opt_.call_bars, opt_.bars);
            jobs_.push_back(b), job_bars_.push_back(std::min(1, end - b));
            if (end > b + 1) jobs_.push_back(b + 1), job_bars_.push_back(end - b - 1);
        }
    }
    if (job_bars_.empty())
        for (size_t j = 0; j < jobs_.size(); ++j) job_bars_.push_back((j + 1 < jobs_.size() ? jobs_[j + 1] : opt_.bars) - jobs_[j]);
}

int JamSession::answer_start(int bar) const {
    return bar - (bar - opt_.call_bars) % (2 * opt_.call_bars);
}

std::array<int, 3> JamSession::num_iter() const {
    std::array<int, 3> it = opt_.num_iter;
    for (int& i : it) i = std::max(1, i >> degrade_level_);
    return it;
}

void JamSession::note_on(double t_s, int pitch, int velocity) {
    if (pitch < 0 || pitch >= kPitches || velocity <= 0) return note_off(t_s, pitch);
    const int step = std::clamp(int(std::lround((t_s - bar_s()) / step_s())), 0, width() - 1);
    std::lock_guard<std::mutex> lock(in_mutex_);
    const size_t p = size_t(pitch);
    if (open_start_[p] >= 0)   // struck again while held: the held note ends here
        input_.push_back(StepNote{pitch, open_start_[p], std::max(open_start_[p] + 1, step), open_velocity_[p]});
    open_start_[p] = step, open_velocity_[p] = std::min(velocity, 127);
}

void JamSession::note_off(double t_s, int pitch) {
    if (pitch < 0 || pitch >= kPitches) return;
    std::lock_guard<std::mutex> lock(in_mutex_);
    const size_t p = size_t(pitch);
    if (open_start_[p] < 0) return;
    const int end = std::clamp(int(std::lround((t_s - bar_s()) / step_s())), open_start_[p] + 1, width());
    input_.push_back(StepNote{pitch, open_start_[p], end, open_velocity_[p]});
    open_start_[p] = -1;
}

void JamSession::play(const JamEvent& e) {
    if (e.velocity > 0) note_on(e.t_s, e.pitch, e.velocity);
    else note_off(e.t_s, e.pitch);
}

std::vector<StepNote> JamSession::input_until(int step) const {
    std::lock_guard<std::mutex> lock(in_mutex_);
    std::vector<StepNote> out;
    for (const StepNote& n : input_)
        if (n.start < step) out.push_back(n);
    for (int p = 0; p < kPitches; ++p)
        if (open_start_[size_t(p)] >= 0 && open_start_[size_t(p)] < step)
            out.push_back(StepNote{p, open_start_[size_t(p)], std::min(width(), std::max(step, open_start_[size_t(p)] + 1)),
                                   open_velocity_[size_t(p)]});
    return out;
}

std::vector<StepNote> JamSession::input_notes() const { return apply_strike_rule(input_until(width())); }

Roll jam_merge(const Roll& model, const std::vector<StepNote>& input) {
    Roll r = model;
    const std::vector<StepNote> notes = apply_strike_rule(input);
    for (const StepNote& n : notes)
        for (int t = std::max(0, n.start - 1); t < std::min(r.width, n.end + 1); ++t) r.at(n.pitch, t) = 0.0f;
    paint_notes(r, notes);
    return r;
}

Roll JamSession::recording() const { return jam_merge(model_, input_until(width())); }

void JamSession::remember(double seconds_per_job) {
    recent_s_.push_back(seconds_per_job);
    if (recent_s_.size() > kRecentJobs) recent_s_.erase(recent_s_.begin());
}

void JamSession::calibrate(double seconds_per_job) {
    if (seconds_per_job > 0) remember(seconds_per_job);
}

bool JamSession::next_job(JamJob* job) const {
    if (size_t(next_) >= jobs_.size()) return false;
    job->first_bar = jobs_[size_t(next_)];
    job->bars = job_bars_[size_t(next_)];
    const double slowest = recent_s_.empty() ? bar_s() : *std::max_element(recent_s_.begin(), recent_s_.end());
    const double lead = std::max(kMinLeadBars * bar_s(), kSafety * slowest + kSlack);
    job->start_s = std::max(0.0, due_s(job->first_bar) - lead);
    return true;
}

std::vector<JamBarReport> JamSession::run_job(const std::function<double()>& clock) {
    JamJob job;
    if (!next_job(&job)) return {};
    const double t0 = clock();
    const std::array<int, 3> iters = num_iter();
    const int W = engine_.config().crop_length, window_bars = W / kStepsPerBar;
    const int end_bar = job.first_bar + job.bars, first = std::max(0, end_bar - window_bars);
    const int known = (job.first_bar - first) * kStepsPerBar;
    const int now_step = std::clamp(int(std::floor((t0 - bar_s()) / step_s())), 0, width());
    const std::vector<StepNote> heard = input_until(now_step);
    const Roll window = pad(crop(jam_merge(model_, heard), first * kStepsPerBar, std::min(W, width() - first * kStepsPerBar)), W);

    GenerateParams g;
    g.width = W, g.num_samples = 1, g.temperature = opt_.temperature, g.num_iter = iters;
    g.seed = opt_.seed * 1000003ULL + uint64_t(job.first_bar);
    g.input = window;
    if (opt_.mode == JamMode::accompany) {
        // The musician's pitches of the last two bars (and two semitones around them) stay theirs: silent for the
        // model. The rest of the coming bars is the model's to fill.
        int low = kPitches, high = -1;
        const int recent = std::max(0, job.first_bar - 2) * kStepsPerBar;
        for (const StepNote& n : heard)
            if (n.end > recent) low = std::min(low, n.pitch), high = std::max(high, n.pitch);
        g.mode = GenerateMode::inpainting;
        g.cell_mask.assign(size_t(kPitches) * size_t(W), 0);
        for (int p = 0; p < kPitches; ++p) {
            const bool theirs = high >= 0 && p >= low - 2 && p <= high + 2;
            for (int t = known; t < W; ++t) {
                if (theirs) g.input.at(p, t) = 0.0f;
                else g.cell_mask[size_t(p) * size_t(W) + size_t(t)] = 1;
            }
        }
    } else if (known > 0) {
        g.mode = GenerateMode::continuation;
        g.condition_length = known;
    } else {
        g.mode = GenerateMode::unconditional;
        g.input = Roll();
    }
    const bool follow_key = opt_.follow_key && opt_.mode != JamMode::endless && engine_.config().conditions;
    const bool call_chords = opt_.mode == JamMode::answer && opt_.answer_call_chords && engine_.config().conditions &&
                             job.first_bar >= opt_.call_bars;
    Roll theirs(follow_key || call_chords ? width() : 0);   // the musician's notes, for the key and chord estimates
    if (follow_key || call_chords) paint_notes(theirs, heard);
    if (follow_key) {
        // The key of what the musician played in the (up to) four bars before the job (answer: before the answer).
        const int last = opt_.mode == JamMode::answer ? answer_start(job.first_bar) : job.first_bar;
        const int from = std::max(0, last - 4) * kStepsPerBar, to = last * kStepsPerBar;
        const auto sounding = std::count_if(heard.begin(), heard.end(), [&](const StepNote& n) { return n.end > from && n.start < to; });
        if (sounding >= 6) {
            g.conditions.key = key_code(estimate_key(theirs, from, to));
            g.conditions.scale_lock = true;
        }
    }
    if (call_chords) {
        // Bar i of the answer over the chord of bar i of the call; the window's other bars are known or free.
        g.conditions.chords.assign(size_t(window_bars), no_chord());
        for (int b = job.first_bar; b < end_bar; ++b) {
            const int from = (b - opt_.call_bars) * kStepsPerBar;
            g.conditions.chords[size_t(b - first)] = estimate_chord(theirs, from, from + kStepsPerBar);
        }
    }
    if (opt_.mode == JamMode::accompany && opt_.density >= 0) g.conditions.density = {opt_.density};
    const Roll made = engine_.generate(g, {}, nullptr).front();
    for (int p = 0; p < kPitches; ++p)
        for (int t = known; t < known + job.bars * kStepsPerBar; ++t) {
            const int s = first * kStepsPerBar + t;
            if (s < width()) model_.at(p, s) = std::max(0.0f, made.at(p, t));
        }
    const double t1 = clock();
    std::vector<JamBarReport> out;
    double worst = 1e9;
    for (int b = job.first_bar; b < end_bar; ++b) {
        JamBarReport r;
        r.bar = b, r.due_s = due_s(b), r.ready_s = t1, r.margin_s = r.due_s - t1, r.job_s = t1 - t0;
        r.degraded = degrade_level_ > 0, r.num_iter = iters, r.key = g.conditions.key;
        worst = std::min(worst, r.margin_s);
        out.push_back(r);
    }
    ++next_;
    note_job_time(t1 - t0, job.bars, worst);
    return out;
}

void JamSession::note_job_time(double seconds, int bars, double margin_s) {
    remember(opt_.mode == JamMode::answer ? seconds : seconds / std::max(1, bars) * opt_.lookahead);
    const double slowest = *std::max_element(recent_s_.begin(), recent_s_.end());
    // Keeping up means a job takes well under the music it makes (lookahead bars in endless and accompany; the
    // answer's first bar, made in a job of its own), and no bar is late. Otherwise: fewer MAR iterations, and say so.
    const double budget = (opt_.mode == JamMode::answer ? 1 : opt_.lookahead) * bar_s();
    if (degrade_level_ < kMaxDegrade && (margin_s < 0 || kSafety * slowest + kSlack > budget)) {
        ++degrade_level_;
        const auto it = num_iter();
        char buf[256];
        std::snprintf(buf, sizeof buf, "a job of %d bar(s) took %.2f s where %d bar(s) last %.2f s%s: MAR iterations now %d,%d,%d",
                      bars, seconds, bars, bars * bar_s(), margin_s < 0 ? " and was late" : "", it[0], it[1], it[2]);
        degrade_reason_ = buf;
    }
}

std::vector<JamEvent> jam_input_events(const std::vector<StepNote>& notes, const JamOptions& o) {
    const double bar = 240.0 / o.bpm, step = bar / kStepsPerBar;
    const int width = o.bars * kStepsPerBar;
    std::vector<JamEvent> out;
    for (const StepNote& n : notes) {
        int start = n.start, end = n.end;
        if (o.mode == JamMode::answer) {   // the file's bars fill the calls, one call after another
            const int call = o.call_bars * kStepsPerBar, j = n.start / call;
            start = n.start + j * call, end = std::min(n.end + j * call, (2 * j + 1) * call);
        }
        if (start >= width || o.mode == JamMode::endless) continue;
        end = std::min(end, width);
        out.push_back(JamEvent{bar + start * step, n.pitch, n.velocity});
        out.push_back(JamEvent{bar + end * step, n.pitch, 0});
    }
    std::stable_sort(out.begin(), out.end(), [](const JamEvent& a, const JamEvent& b) {
        return a.t_s < b.t_s || (a.t_s == b.t_s && a.velocity == 0 && b.velocity > 0);   // offs before ons
    });
    return out;
}

double jam_warm_up(Engine& engine, const JamSession& jam) {
    GenerateParams g;
    g.width = engine.config().crop_length, g.num_iter = jam.num_iter(), g.seed = jam.options().seed;
    engine.generate(g, {}, nullptr);   // the first call pays for allocations: not timed
    const auto t0 = std::chrono::steady_clock::now();
    g.seed += 1;
    engine.generate(g, {}, nullptr);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

JamResult run_jam(Engine& engine, const JamOptions& options, const std::vector<JamEvent>& input,
                  const std::function<void(const JamBarReport&)>& on_bar, const CancelFlag* cancel) {
    JamSession jam(engine, options);
    using Clock = std::chrono::steady_clock;
    jam.calibrate(jam_warm_up(engine, jam));
    const Clock::time_point t0 = Clock::now();
    auto clock = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
    size_t next_event = 0;
    auto feed = [&](double until) {
        for (; next_event < input.size() && input[next_event].t_s <= until; ++next_event) jam.play(input[next_event]);
    };
    JamResult res;
    JamJob job;
    while (jam.next_job(&job)) {
        if (cancel && cancel->load()) break;
        for (double now = clock(); now < job.start_s; now = clock()) {   // play the input until the job is due to start
            feed(now);
            const double next = next_event < input.size() ? input[next_event].t_s : job.start_s;
            const double wait = std::clamp(std::min(next, job.start_s) - now, 0.0, 0.01);
            std::this_thread::sleep_for(std::chrono::duration<double>(wait));
        }
        feed(clock());
        for (const JamBarReport& r : jam.run_job(clock)) {
            res.bars.push_back(r);
            if (on_bar) on_bar(r);
        }
    }
    feed(1e300);   // the rest of the input, as played after the model's last bar
    res.recording = jam.recording();
    res.input = jam.input_notes();
    res.degraded = jam.degraded();
    res.degrade_reason = jam.degrade_reason();
    if (!res.bars.empty()) {
        std::vector<double> m;
        for (const JamBarReport& r : res.bars) m.push_back(r.margin_s);
        std::sort(m.begin(), m.end());
        res.worst_margin_s = m.front();
        res.p99_margin_s = m[size_t(std::floor(0.01 * double(m.size() - 1)))];
    }
    return res;
}

}  // namespace fm
