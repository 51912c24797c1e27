// midi_out.h — live MIDI out through RtMidi: a port list, or a virtual port other programs connect to.
//
//   std::string why;
//   auto ports = fm::MidiOut::ports(&why);        // empty + a reason when there is no MIDI system
//   fm::MidiOut out;  out.open_virtual("FractalMIDI Studio");   // or out.open(index); fm::Error on failure
//   out.send(event);  out.all_notes_off();
//
// RtMidi throws when there is no ALSA sequencer, and its JACK API segfaults opening a port without a server:
// every call here catches, and a port is only opened when one was listed or ALSA is present.
// Thread-safety: one MidiOut per thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/audio/events.h"

namespace fm {

class MidiOut {
public:
    MidiOut();
    ~MidiOut();
    MidiOut(const MidiOut&) = delete;
    MidiOut& operator=(const MidiOut&) = delete;

    static std::vector<std::string> ports(std::string* why_none = nullptr);
    static bool virtual_ports_supported(std::string* why_not = nullptr);   // ALSA sequencer present

    void open(int port);                      // throws fm::Error
    void open_virtual(const std::string& name);
    void close();
    bool is_open() const;
    std::string port_name() const;

    void send(const MidiEvent& e);            // no-op when closed
    void all_notes_off();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace fm
