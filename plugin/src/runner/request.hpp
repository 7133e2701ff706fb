// The sbx.execute.request document, validated against the language table and
// the limits the config allows. Every error names the field and the reason.
#pragma once

#include "languages/registry.hpp"
#include "runner/limits.hpp"
#include "sandbox/config.hpp"

#include <boost/json/value.hpp>

#include <map>
#include <string>
#include <vector>

namespace sbx::runner {

struct InputFile {
    std::string path; // relative, normalised, checked
    std::string content;
};

struct Request {
    const languages::Language *language = nullptr;
    std::string code;
    std::vector<InputFile> files;
    std::string stdin_data;
    std::vector<std::string> args;
    std::map<std::string, std::string> env;
    Limits limits;
    bool network = false;
    std::string session_id;           // empty: a container of its own
    std::vector<std::string> collect; // globs of workspace files to return
};

inline constexpr size_t max_stdin_bytes = 64u << 20;
// code + files + stdin: what one job message to sbx-init may carry.
inline constexpr size_t max_payload_bytes = 100u << 20;
inline constexpr size_t max_files = 10000;
inline constexpr size_t max_args = 1024;
inline constexpr size_t max_env = 256;
inline constexpr size_t max_arg_bytes = 32768;
inline constexpr size_t max_collect_patterns = 64;

// Throws ApiError (SBX_E_INVALID_JSON, SBX_E_INVALID_REQUEST,
// SBX_E_UNKNOWN_LANGUAGE, SBX_E_LIMIT_EXCEEDED). Limits the request leaves
// out come from `base` (a session's) when given, else the config defaults.
Request parse_request(std::string_view json_text, const languages::Registry &registry,
                      const Config &config);
Request parse_request(const boost::json::value &doc, const languages::Registry &registry,
                      const Config &config, const Limits *base = nullptr);

// The limits part of a request or of session options (`doc` holds a
// "limits" object or not), with the language's floors applied.
Limits parse_limits(const boost::json::object &doc, const languages::Language &language,
                    const Config &config, const Limits *base = nullptr);

// The language named `name` (or an alias). Throws
// ApiError(SBX_E_UNKNOWN_LANGUAGE) listing the known ones.
const languages::Language *find_language(const languages::Registry &registry,
                                         const std::string &name);

// Base64 text to bytes; throws ApiError naming `field`.
std::string decode_base64(std::string_view text, const std::string &field);

// A glob of files to collect from the workspace; throws ApiError naming `field`.
std::string check_collect_pattern(std::string_view pattern, const std::string &field);

// Checks one workspace-relative path; throws ApiError naming `field`.
std::string check_relative_path(std::string_view path, const std::string &field);

} // namespace sbx::runner
