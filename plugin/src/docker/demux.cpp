// Demuxer::start_frame: decodes one 8-byte header of the engine's
// multiplexed stream ([stream, 0, 0, 0, size u32 big-endian]).
#include "docker/engine.hpp"

#include <stdexcept>

namespace sbx::docker {

void Demuxer::start_frame() {
    unsigned char h[8];
    for (size_t i = 0; i < 8; ++i)
        h[i] = static_cast<unsigned char>(header_[i]);
    const unsigned stream = h[0];
    const bool padding_ok = h[1] == 0 && h[2] == 0 && h[3] == 0;
    const uint64_t size = (uint64_t{h[4]} << 24) | (uint64_t{h[5]} << 16) |
                          (uint64_t{h[6]} << 8) | uint64_t{h[7]};
    header_.clear();
    header_len_ = 0;
    if (stream > 2 || !padding_ok) {
        static const char hex[] = "0123456789abcdef";
        std::string bytes;
        for (int i = 0; i < 4; ++i) {
            bytes += hex[h[i] >> 4];
            bytes += hex[h[i] & 15];
        }
        remaining_ = 0;
        throw std::runtime_error("bad frame header from the Docker engine (" + bytes +
                                 "...): stream byte must be 0, 1 or 2 followed by three "
                                 "zero bytes; is the container running with a TTY?");
    }
    stream_ = static_cast<uint8_t>(stream);
    remaining_ = size;
}

} // namespace sbx::docker
