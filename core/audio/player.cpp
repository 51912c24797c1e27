#include "core/audio/player.h"

#include <algorithm>
#include <bitset>
#include <exception>

#include "core/log.h"

namespace fm {

namespace {

std::chrono::steady_clock::duration from_seconds(double s) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
}

bool is_note_off(const MidiEvent& e) { return (e.status & 0xF0) == 0x80 || ((e.status & 0xF0) == 0x90 && e.data2 == 0); }
bool is_note_on(const MidiEvent& e) { return (e.status & 0xF0) == 0x90 && e.data2 > 0; }
size_t note_key(const MidiEvent& e) { return size_t(e.status & 0x0F) * 128 + (e.data1 & 0x7F); }

}  // namespace

Player::~Player() { stop(); }

void Player::play(std::vector<MidiEvent> events, Sink sink, bool loop, double start_seconds, double end_seconds) {
    stop();
    std::stable_sort(events.begin(), events.end(), [](const MidiEvent& a, const MidiEvent& b) { return a.seconds < b.seconds; });
    const double start = std::max(0.0, start_seconds);
    double end = end_seconds > 0 ? end_seconds : (events.empty() ? 0.0 : events.back().seconds);
    end = std::max(end, start);
    if (!sink) sink = [](const MidiEvent&) {};
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = false;
        start_ = start;
        end_ = end;
        pass_begin_ = Clock::now();
    }
    step_ = -1;
    playing_ = true;
    thread_ = std::thread(&Player::run, this, std::move(events), std::move(sink), loop, start, end);
}

void Player::stop() {
    if (thread_.joinable()) {
        if (thread_.get_id() == std::this_thread::get_id()) {   // called from the sink: the thread ends itself
            stop_ = true;
            return;
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
        thread_.join();
    }
    playing_ = false;
    step_ = -1;
}

double Player::position_seconds() const {
    if (!playing_) return -1;
    std::lock_guard<std::mutex> lock(mutex_);
    const double elapsed = std::chrono::duration<double>(Clock::now() - pass_begin_).count();
    return live_ ? elapsed : std::min(start_ + elapsed, end_);
}

void Player::play_live(Sink sink) {
    stop();
    if (!sink) sink = [](const MidiEvent&) {};
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = false;
        live_ = true;
        queue_.clear();
        start_ = 0, end_ = 0;
        pass_begin_ = Clock::now();
    }
    step_ = -1;
    playing_ = true;
    thread_ = std::thread(&Player::run_live, this, std::move(sink));
}

void Player::append(std::vector<MidiEvent> events) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!live_) return;
        queue_.insert(queue_.end(), events.begin(), events.end());
        ++appended_;
        std::stable_sort(queue_.begin(), queue_.end(), [](const MidiEvent& a, const MidiEvent& b) {
            return a.seconds < b.seconds || (a.seconds == b.seconds && is_note_off(a) && !is_note_off(b));
        });
    }
    cv_.notify_all();
}

// The live stream: waits for the next queued event (or for append() to bring an earlier one, or for stop()).
void Player::run_live(Sink sink) {
    std::bitset<16 * 128> sounding;
    Clock::time_point begin;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        begin = pass_begin_;
    }
    for (;;) {
        MidiEvent e;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            if (queue_.empty()) {
                cv_.wait(lock, [this] { return stop_.load() || !queue_.empty(); });
                if (stop_) break;
            }
            const Clock::time_point due = begin + from_seconds(queue_.front().seconds);
            const uint64_t seen = appended_;
            if (cv_.wait_until(lock, due, [&] { return stop_.load() || appended_ != seen; })) {
                if (stop_) break;
                continue;   // an append: the front may be earlier now
            }
            e = queue_.front();
            queue_.erase(queue_.begin());
        }
        if (is_note_off(e)) {
            if (!sounding.test(note_key(e))) continue;
            sounding.reset(note_key(e));
        } else if (is_note_on(e)) {
            sounding.set(note_key(e));
        }
        try {
            sink(e);
        } catch (const std::exception& ex) {
            log_warning("playback: %s", ex.what());
        }
        step_ = e.step;
    }
    for (size_t key = 0; key < sounding.size(); ++key)
        if (sounding.test(key)) {
            try {
                sink({0, uint8_t(0x80 | (key / 128)), uint8_t(key % 128), 0, step_.load()});
            } catch (const std::exception&) {
            }
        }
    std::lock_guard<std::mutex> lock(mutex_);
    live_ = false;
    queue_.clear();
    playing_ = false;
}

int Player::position_step() const { return playing_ ? step_.load() : -1; }

bool Player::wait_until(Clock::time_point t) {
    std::unique_lock<std::mutex> lock(mutex_);
    return !cv_.wait_until(lock, t, [this] { return stop_.load(); });
}

// One pass plays the events in [start, end] against the steady clock (note-offs at `end` included, note-ons
// there not); notes still sounding at the end of a pass, or on stop, get their note-offs.
void Player::run(std::vector<MidiEvent> events, Sink sink, bool loop, double start, double end) {
    // A sink that throws must not end the process (this is a thread of its own): log it and go on.
    auto send = [&sink](const MidiEvent& e) {
        try {
            sink(e);
        } catch (const std::exception& ex) {
            log_warning("playback: %s", ex.what());
        }
    };
    std::bitset<16 * 128> sounding;
    auto release = [&](double seconds) {
        for (size_t key = 0; key < sounding.size(); ++key)
            if (sounding.test(key)) send({seconds, uint8_t(0x80 | (key / 128)), uint8_t(key % 128), 0, step_.load()});
        sounding.reset();
    };
    const bool looping = loop && end > start;
    const Clock::duration pass = from_seconds(end - start);
    Clock::time_point begin = Clock::now();
    bool stopped = false;
    do {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            pass_begin_ = begin;
        }
        for (const MidiEvent& e : events) {
            if (e.seconds < start) continue;
            if (e.seconds > end) break;
            if (e.seconds == end && !is_note_off(e)) continue;
            if (!wait_until(begin + from_seconds(e.seconds - start))) { stopped = true; break; }
            if (is_note_off(e)) {
                if (!sounding.test(note_key(e))) continue;   // its note-on was before `start`
                sounding.reset(note_key(e));
            } else if (is_note_on(e)) {
                sounding.set(note_key(e));
            }
            send(e);
            step_ = e.step;
        }
        if (!stopped && !wait_until(begin + pass)) stopped = true;
        release(std::min(end, start + std::chrono::duration<double>(Clock::now() - begin).count()));
        // The next pass starts where this one should have ended (no drift), unless it is a whole pass late.
        begin += pass;
        if (Clock::now() - begin > pass) begin = Clock::now();
    } while (looping && !stopped && !stop_);
    playing_ = false;
}

}  // namespace fm
