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

}  // namespace fm::detail
