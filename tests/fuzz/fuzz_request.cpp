// libFuzzer target: the execute request parser (parse_request over the
// builtin language table and the default config). Any input must either
// parse or be refused with an ApiError whose message names a field; nothing
// else may escape, and ASan/UBSan must stay quiet.
#include "runner/request.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const sbx::languages::Registry registry = sbx::languages::Registry::builtin();
    static const sbx::Config config;
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    try {
        const sbx::runner::Request q = sbx::runner::parse_request(text, registry, config);
        // What was accepted keeps its promises.
        if (!q.language || q.code.size() > static_cast<uint64_t>(config.max.code_bytes) ||
            q.limits.time_s > config.max.limits.time_s || q.limits.memory_mb < 16)
            std::abort();
        for (const sbx::runner::InputFile &f : q.files) {
            if (f.path.empty() || f.path.front() == '/' || f.path.back() == '/')
                std::abort();
            const std::string p = "/" + f.path + "/";
            if (p.find("/../") != std::string::npos || p.find("/./") != std::string::npos ||
                p.find("//") != std::string::npos)
                std::abort();
        }
    } catch (const sbx::ApiError &e) {
        if (e.code >= 0 || std::string_view(e.what()).empty())
            std::abort();
    }
    return 0;
}
