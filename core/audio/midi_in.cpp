#include "core/audio/midi_in.h"

#include "core/audio/rtmidi_alsa.h"

#include "core/error.h"
#include "core/log.h"

namespace fm {

namespace {

constexpr const char* kClientName = "FractalMIDI Studio";

std::unique_ptr<RtMidiIn> make_alsa_in(std::string* why) {
    return detail::make_alsa_port<RtMidiIn>(kClientName, "MIDI in", why);
}

}  // namespace

struct MidiIn::Impl {
    std::unique_ptr<RtMidiIn> in;
    std::string name, error;
    Callback callback;
    std::chrono::steady_clock::time_point last_tick{};
    double tick_s = 0;   // the clock's tick interval, averaged

    static void on_error(RtMidiError::Type type, const std::string& text, void* self) {
        if (type == RtMidiError::WARNING || type == RtMidiError::DEBUG_WARNING) log_warning("MIDI in: %s", text.c_str());
        else static_cast<Impl*>(self)->error = text;
    }
    static void on_message(double, std::vector<unsigned char>* bytes, void* owner) {
        if (bytes) static_cast<MidiIn*>(owner)->deliver(*bytes);
    }
};

MidiIn::MidiIn() : impl_(std::make_unique<Impl>()) {}
MidiIn::~MidiIn() { close(); }

void MidiIn::set_callback(Callback callback) { impl_->callback = std::move(callback); }

void MidiIn::deliver(const std::vector<unsigned char>& bytes) {
    if (bytes.empty()) return;
    const auto now = std::chrono::steady_clock::now();
    Message m;
    m.at = now, m.status = bytes[0];
    if (bytes.size() > 1) m.data1 = bytes[1] & 0x7F;
    if (bytes.size() > 2) m.data2 = bytes[2] & 0x7F;
    if (m.status == 0xF8) {   // clock: 24 a quarter note
        if (impl_->last_tick.time_since_epoch().count() != 0) {
            const double dt = std::chrono::duration<double>(now - impl_->last_tick).count();
            if (dt > 0 && dt < 0.25) {
                impl_->tick_s = impl_->tick_s <= 0 ? dt : 0.9 * impl_->tick_s + 0.1 * dt;
                clock_bpm_ = 60.0 / (24.0 * impl_->tick_s);
            }
        }
        impl_->last_tick = now;
        return;
    }
    const int kind = m.status & 0xF0;
    if (kind != 0x90 && kind != 0x80 && m.status != 0xFA && m.status != 0xFC) return;   // notes, start and stop only
    if (impl_->callback) impl_->callback(m);
}

std::vector<std::string> MidiIn::ports(std::string* why_none) {
    return detail::port_names<RtMidiIn>(kClientName, "MIDI in", "no MIDI input ports (connect a keyboard, or use the virtual port)", why_none);
}

bool MidiIn::virtual_ports_supported(std::string* why_not) {
    std::string why;
    const bool ok = make_alsa_in(&why) != nullptr;
    if (why_not) *why_not = ok ? "" : why;
    return ok;
}

void MidiIn::open(int port, Callback callback) {
    open_with(std::move(callback), [port](RtMidiIn& in) {
        const unsigned n = in.getPortCount();
        if (port < 0 || unsigned(port) >= n)
            throw Error("MIDI input port " + std::to_string(port) + " does not exist (" + std::to_string(n) + " ports)");
        const std::string name = in.getPortName(unsigned(port));
        in.openPort(unsigned(port), kClientName);
        return name;
    });
}

void MidiIn::open_virtual(const std::string& name, Callback callback) {
    open_with(std::move(callback), [&name](RtMidiIn& in) {
        in.openVirtualPort(name);
        return name;
    });
}

// A fresh RtMidiIn, opened by `open_port` (which returns the port's name); RtMidi's errors become fm::Error.
void MidiIn::open_with(Callback callback, const std::function<std::string(RtMidiIn&)>& open_port) {
    close();
    std::string why;
    impl_->in = make_alsa_in(&why);
    if (!impl_->in) throw Error(why);
    impl_->in->setErrorCallback(&Impl::on_error, impl_.get());
    impl_->callback = std::move(callback);
    impl_->error.clear();
    std::string name;
    try {
        name = open_port(*impl_->in);
    } catch (...) {
        impl_->in.reset();
        throw;
    }
    if (!impl_->error.empty()) {
        impl_->in.reset();
        throw Error(impl_->error);
    }
    impl_->in->ignoreTypes(true, false, true);   // no SysEx or active sensing; keep the clock
    impl_->in->setCallback(&Impl::on_message, this);
    impl_->name = name;
}

void MidiIn::close() {
    if (!impl_->in) return;
    try {
        impl_->in->cancelCallback();
        impl_->in->closePort();
    } catch (const RtMidiError&) {
    }
    impl_->in.reset();
    impl_->name.clear();
    impl_->callback = nullptr;
}

bool MidiIn::is_open() const { return impl_->in != nullptr; }

std::string MidiIn::port_name() const { return impl_->name; }

}  // namespace fm
