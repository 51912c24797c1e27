// midi_in.h — live MIDI in through RtMidi: a port list, or a virtual port other programs (a keyboard's driver, a DAW)
// connect to. Note messages and the MIDI clock's start and stop reach a callback on RtMidi's thread, stamped with
// the steady clock; the clock's tempo is measured from its ticks (24 a quarter note).
//
//   std::string why;
//   auto ports = fm::MidiIn::ports(&why);                    // empty + a reason when there is no MIDI system
//   fm::MidiIn in;  in.open_virtual("FractalMIDI Studio", [](const fm::MidiIn::Message& m) { ... });
//   double bpm = in.clock_bpm();                             // 0 until a sender's clock was heard
//
// Like midi_out.h: ALSA only, every RtMidi call caught. Thread-safety: open/close from one thread; the callback runs
// on RtMidi's; clock_bpm() from any.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

class RtMidiIn;

namespace fm {

class MidiIn {
public:
    struct Message {
        std::chrono::steady_clock::time_point at;
        uint8_t status = 0, data1 = 0, data2 = 0;   // 0x90/0x80 notes (any channel), 0xFA start, 0xFC stop
        bool note_on() const { return (status & 0xF0) == 0x90 && data2 > 0; }
        bool note_off() const { return (status & 0xF0) == 0x80 || ((status & 0xF0) == 0x90 && data2 == 0); }
    };
    using Callback = std::function<void(const Message&)>;

    MidiIn();
    ~MidiIn();
    MidiIn(const MidiIn&) = delete;
    MidiIn& operator=(const MidiIn&) = delete;

    static std::vector<std::string> ports(std::string* why_none = nullptr);
    static bool virtual_ports_supported(std::string* why_not = nullptr);

    void open(int port, Callback callback);                 // throws fm::Error
    void open_virtual(const std::string& name, Callback callback);
    void close();
    bool is_open() const;
    std::string port_name() const;
    double clock_bpm() const { return clock_bpm_.load(); }

    // What RtMidi's callback does with one message, to the callback open() was given or this one (tests: a message
    // as if it had arrived).
    void set_callback(Callback callback);
    void deliver(const std::vector<unsigned char>& bytes);

private:
    void open_with(Callback callback, const std::function<std::string(::RtMidiIn&)>& open_port);
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::atomic<double> clock_bpm_{0};
};

}  // namespace fm
