// player.h — plays events in real time on a thread of its own, into any sinks (the synth, a MIDI port).
//
//   fm::Player player;
//   player.play(events, [&](const fm::MidiEvent& e) { synth.send(e); out.send(e); }, /*loop=*/true);
//   int step = player.position_step();   // for the playhead; -1 when stopped
//   player.stop();                       // sends note-offs for every sounding note
//   player.play_live(sink);  player.append(more_events);   // a stream: events added while it plays (jam)
//
// Thread-safety: play/stop/position from the owning (UI) thread; the sink runs on the player's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/audio/events.h"

namespace fm {

class Player {
public:
    using Sink = std::function<void(const MidiEvent&)>;
    Player() = default;
    ~Player();
    Player(const Player&) = delete;
    Player& operator=(const Player&) = delete;

    // Starts from `start_seconds`; `end_seconds` > 0 ends (or loops) there instead of after the last event.
    void play(std::vector<MidiEvent> events, Sink sink, bool loop = false, double start_seconds = 0, double end_seconds = 0);
    // Live: starts an empty stream now (position 0) that plays whatever append() adds, at each event's time; events
    // already late are sent at once. It plays until stop().
    void play_live(Sink sink);
    void append(std::vector<MidiEvent> events);
    void stop();
    bool playing() const { return playing_.load(); }
    double position_seconds() const;   // -1 when stopped
    int position_step() const;         // the step of the last event sent; -1 when stopped

private:
    using Clock = std::chrono::steady_clock;
    void run(std::vector<MidiEvent> events, Sink sink, bool loop, double start, double end);
    void run_live(Sink sink);
    bool wait_until(Clock::time_point t);   // false when stopped meanwhile
    std::thread thread_;
    std::atomic<bool> stop_{false}, playing_{false};
    std::atomic<int> step_{-1};
    mutable std::mutex mutex_;             // guards the fields below; cv_ wakes the thread on stop()
    std::condition_variable cv_;
    Clock::time_point pass_begin_{};       // when the current pass (from start_ seconds) began
    double start_ = 0, end_ = 0;
    bool live_ = false;
    std::vector<MidiEvent> queue_;         // live: the events not sent yet, by time
    uint64_t appended_ = 0;                // live: counts append() calls (wakes the thread for an earlier event)
};

}  // namespace fm
