// libFuzzer target: the framed channel between the plugin and sbx-init, as
// sbx-init reads it (wire::FrameReader, then wire::decode_job) and as the
// plugin reads sbx-init's answers (decode_hello/_output/_report/_string/_clean/
// _files), and sbx-init's collect requests (decode_collect).
// Every frame the reader yields is decoded by its type; a body that decodes
// must encode back to the very same bytes.
#include "protocol/wire.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace sbx::wire;

void check(bool ok) {
    if (!ok)
        std::abort();
}

void decode(const Frame &frame) {
    try {
        switch (frame.type) {
        case MsgType::hello:
            check(encode_hello(decode_hello(frame.body)) == frame.body);
            break;
        case MsgType::job:
            check(encode_job(decode_job(frame.body)) == frame.body);
            break;
        case MsgType::output:
            check(encode_output(decode_output(frame.body)) == frame.body);
            break;
        case MsgType::stage_end:
            check(encode_report(decode_report(frame.body)) == frame.body);
            break;
        case MsgType::fatal:
            check(encode_string(decode_string(frame.body)) == frame.body);
            break;
        case MsgType::clean:
            check(encode_clean(decode_clean(frame.body)) == frame.body);
            break;
        case MsgType::collect:
            check(encode_collect(decode_collect(frame.body)) == frame.body);
            break;
        case MsgType::files:
            check(encode_files(decode_files(frame.body)) == frame.body);
            break;
        default: // no body: cancel, job_end, reset
            break;
        }
    } catch (const DecodeError &) {
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    // The whole input as one body of each kind: the decoders meet raw bytes
    // without having to find a valid frame header first.
    for (MsgType type : {MsgType::hello, MsgType::job, MsgType::output, MsgType::stage_end,
                         MsgType::fatal, MsgType::clean, MsgType::collect, MsgType::files})
        decode(Frame{type, std::string(input)});
    // The input as a byte stream, in reads of 7 bytes (frames split across
    // reads, several frames in one read), with a small frame limit.
    FrameReader reader(64 * 1024);
    try {
        for (size_t at = 0; at < input.size(); at += 7) {
            reader.feed(input.substr(at, 7));
            while (std::optional<Frame> frame = reader.next()) {
                // What comes out is exactly what encode_frame would send.
                const std::string again = encode_frame(frame->type, frame->body);
                check(input.find(again) != std::string_view::npos);
                decode(*frame);
            }
        }
    } catch (const DecodeError &) {
    }
    return 0;
}
