#include "core/audio/midi_out.h"

#include "core/audio/rtmidi_alsa.h"

#include <algorithm>
#include <bitset>

#include "core/error.h"
#include "core/log.h"

namespace fm {

namespace {

constexpr const char* kClientName = "FractalMIDI Studio";

std::unique_ptr<RtMidiOut> make_alsa_out(std::string* why) {
    return detail::make_alsa_port<RtMidiOut>(kClientName, "MIDI out", why);
}

}  // namespace

struct MidiOut::Impl {
    std::unique_ptr<RtMidiOut> out;
    std::string name;
    std::string error;                   // set by RtMidi's error callback during the current call
    std::bitset<16 * 128> sounding;      // (channel, pitch) with a note-on sent and no note-off yet

    // With a callback set RtMidi reports instead of throwing (or printing warnings to the console).
    static void on_error(RtMidiError::Type type, const std::string& text, void* self) {
        if (type == RtMidiError::WARNING || type == RtMidiError::DEBUG_WARNING) log_warning("MIDI out: %s", text.c_str());
        else static_cast<Impl*>(self)->error = text;
    }

    void create() {
        std::string why;
        out = make_alsa_out(&why);
        if (!out) throw Error(why);
        out->setErrorCallback(&Impl::on_error, this);
        error.clear();
    }
    void throw_if_failed() {
        if (error.empty()) return;
        const std::string why = error;
        out.reset();
        throw Error(why);
    }
    void raw(uint8_t status, uint8_t a, uint8_t b) {
        const unsigned char msg[3] = {status, uint8_t(a & 0x7F), uint8_t(b & 0x7F)};
        error.clear();
        out->sendMessage(msg, 3);
        if (!error.empty()) log_warning("MIDI out: %s", error.c_str());
    }
};

MidiOut::MidiOut() : impl_(std::make_unique<Impl>()) {}
MidiOut::~MidiOut() { close(); }

std::vector<std::string> MidiOut::ports(std::string* why_none) {
    return detail::port_names<RtMidiOut>(kClientName, "MIDI out", "no MIDI output ports (connect a device or start a software synth)", why_none);
}

bool MidiOut::virtual_ports_supported(std::string* why_not) {
    std::string why;
    const bool ok = make_alsa_out(&why) != nullptr;
    if (why_not) *why_not = ok ? "" : why;
    return ok;
}

void MidiOut::open(int port) {
    close();
    impl_->create();
    const unsigned n = impl_->out->getPortCount();
    if (port < 0 || unsigned(port) >= n) {
        impl_->out.reset();
        throw Error("MIDI port " + std::to_string(port) + " does not exist (" + std::to_string(n) + " ports)");
    }
    const std::string name = impl_->out->getPortName(unsigned(port));
    impl_->out->openPort(unsigned(port), kClientName);
    impl_->throw_if_failed();
    impl_->name = name;
}

void MidiOut::open_virtual(const std::string& name) {
    close();
    impl_->create();
    impl_->out->openVirtualPort(name);
    impl_->throw_if_failed();
    impl_->name = name;
}

void MidiOut::close() {
    if (!impl_->out) return;
    all_notes_off();   // nothing left hanging on the other end
    impl_->out->closePort();
    impl_->out.reset();
    impl_->name.clear();
}

bool MidiOut::is_open() const { return impl_->out != nullptr; }

std::string MidiOut::port_name() const { return impl_->name; }

void MidiOut::send(const MidiEvent& e) {
    if (!impl_->out) return;
    const int key = (e.status & 0x0F) * 128 + (e.data1 & 0x7F);
    const int kind = e.status & 0xF0;
    if (kind == 0x90 && e.data2 > 0) impl_->sounding.set(size_t(key));
    else if (kind == 0x80 || kind == 0x90) impl_->sounding.reset(size_t(key));
    impl_->raw(e.status, e.data1, e.data2);
}

void MidiOut::all_notes_off() {
    if (!impl_->out) return;
    bool channel_used[16] = {true};   // channel 1 always
    for (int key = 0; key < 16 * 128; ++key) {
        if (!impl_->sounding.test(size_t(key))) continue;
        channel_used[key / 128] = true;
        impl_->raw(uint8_t(0x80 | (key / 128)), uint8_t(key % 128), 0);
    }
    impl_->sounding.reset();
    for (int ch = 0; ch < 16; ++ch)
        if (channel_used[ch]) impl_->raw(uint8_t(0xB0 | ch), 123, 0);   // CC 123: all notes off
}

}  // namespace fm
