#include "sandbox/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

namespace sbx {
namespace {

int32_t to_sbx_level(spdlog::level::level_enum level) {
    switch (level) {
    case spdlog::level::trace: return SBX_LOG_TRACE;
    case spdlog::level::debug: return SBX_LOG_DEBUG;
    case spdlog::level::info: return SBX_LOG_INFO;
    case spdlog::level::warn: return SBX_LOG_WARN;
    default: return SBX_LOG_ERROR;
    }
}

// Hands each formatted line to the host. The callback may be called from
// several threads; the host was told so in sbx.h, so no lock is held.
class HostSink : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
public:
    HostSink(void (*log)(void *, int32_t, const char *), void *user_data)
        : log_(log), user_data_(user_data) {}

protected:
    void sink_it_(const spdlog::details::log_msg &msg) override {
        std::string text(msg.payload.data(), msg.payload.size());
        log_(user_data_, to_sbx_level(msg.level), text.c_str());
    }
    void flush_() override {}

private:
    void (*log_)(void *, int32_t, const char *);
    void *user_data_;
};

bool has_log_callback(const sbx_host *host) {
    return host && host->struct_size >= offsetof(sbx_host, user_data) + sizeof(void *) &&
           host->log;
}

} // namespace

std::shared_ptr<spdlog::logger> make_logger(const sbx_host *host, std::string_view level) {
    spdlog::sink_ptr sink;
    if (has_log_callback(host))
        sink = std::make_shared<HostSink>(host->log, host->user_data);
    else
        sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    // Not registered globally: the host may use spdlog for itself.
    auto logger = std::make_shared<spdlog::logger>("sbx", std::move(sink));
    logger->set_level(spdlog::level::from_str(std::string(level)));
    logger->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [sbx] [%l] %v");
    return logger;
}

} // namespace sbx
