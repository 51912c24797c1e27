// rtmidi_alsa.h — (internal to core/audio) an RtMidiIn or RtMidiOut on the ALSA API, or null and the reason.
// Never the JACK API (it segfaults opening a port without a server), and no construction without /dev/snd/seq
// (alsa-lib would print to the console). `what` names the direction in the reason ("MIDI in", "MIDI out").
#pragma once

#include <sys/stat.h>

#include <RtMidi.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace fm::detail {

template <class Port>
std::unique_ptr<Port> make_alsa_port(const char* client, const std::string& what, std::string* why) {
    struct stat st {};
    if (::stat("/dev/snd/seq", &st) != 0) {
        if (why) *why = "no ALSA sequencer (/dev/snd/seq): " + what + " is unavailable";
        return nullptr;
    }
    std::vector<RtMidi::Api> apis;
    RtMidi::getCompiledApi(apis);
    if (std::find(apis.begin(), apis.end(), RtMidi::LINUX_ALSA) == apis.end()) {
        if (why) *why = "RtMidi was built without ALSA: " + what + " is unavailable";
        return nullptr;
    }
    try {
        return std::make_unique<Port>(RtMidi::LINUX_ALSA, client);
    } catch (const RtMidiError& e) {
        if (why) *why = e.getMessage();
    } catch (const std::exception& e) {
        if (why) *why = e.what();
    }
    return nullptr;
}

// The names of the ports to open in this direction, or none and the reason (`none_left`: when the system has none).
template <class Port>
std::vector<std::string> port_names(const char* client, const std::string& what, const std::string& none_left, std::string* why_none) {
    std::string why;
    std::vector<std::string> names;
    if (std::unique_ptr<Port> port = make_alsa_port<Port>(client, what, &why)) {
        try {
            const unsigned n = port->getPortCount();
            for (unsigned i = 0; i < n; ++i) names.push_back(port->getPortName(i));
            if (names.empty()) why = none_left;
        } catch (const RtMidiError& e) {
            why = e.getMessage();
        }
    }
    if (why_none) *why_none = names.empty() ? why : "";
    return names;
}

}  // namespace fm::detail
