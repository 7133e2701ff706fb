// The language table files compiled into the plugin (generated at build time).
#pragma once

#include <span>
#include <string_view>

namespace sbx::languages {

struct EmbeddedFile {
    std::string_view name;    // "python.json"
    std::string_view content; // the file's bytes
};

std::span<const EmbeddedFile> embedded_files();

} // namespace sbx::languages
