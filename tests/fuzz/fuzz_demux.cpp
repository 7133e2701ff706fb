// libFuzzer target: the demultiplexer of the engine's attach stream
// (docker::Demuxer). The input is cut into reads at places the input itself
// chooses; whatever the cuts, the payload delivered must be the same as when
// the whole input arrives at once, up to the first bad header.
#include "docker/engine.hpp"

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace {

struct Delivered {
    std::string bytes[3];
    bool failed = false;
};

// Feeds `input` in pieces whose sizes come from `cuts` (one byte each, 0
// meaning 1); the rest in one piece.
Delivered run(std::string_view input, std::string_view cuts) {
    Delivered out;
    sbx::docker::Demuxer demux;
    auto sink = [&](uint8_t stream, std::string_view bytes) {
        if (stream > 2)
            std::abort();
        out.bytes[stream].append(bytes);
    };
    try {
        for (char c : cuts) {
            if (input.empty())
                break;
            const size_t n = std::min<size_t>(input.size(), static_cast<uint8_t>(c) % 32 + 1);
            demux.feed(input.substr(0, n), sink);
            input.remove_prefix(n);
        }
        demux.feed(input, sink);
    } catch (const std::runtime_error &) {
        out.failed = true;
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    // First byte: how many cut bytes follow; then the stream itself.
    const std::string_view all(reinterpret_cast<const char *>(data), size);
    const size_t ncuts = std::min<size_t>(static_cast<uint8_t>(all[0]), all.size() - 1);
    const std::string_view cuts = all.substr(1, ncuts);
    const std::string_view stream = all.substr(1 + ncuts);
    const Delivered whole = run(stream, {});
    const Delivered pieces = run(stream, cuts);
    if (whole.failed != pieces.failed)
        std::abort();
    size_t total = 0;
    for (int s = 0; s < 3; ++s) {
        if (whole.bytes[s] != pieces.bytes[s])
            std::abort();
        total += whole.bytes[s].size();
    }
    if (total > stream.size())
        std::abort();
    return 0;
}
