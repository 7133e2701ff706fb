// Boxes made by a Docker engine: one locked-down container per box, sbx-init
// bind-mounted read-only as its PID 1, talked to over the attach stream.
#pragma once

#include "docker/engine.hpp"
#include "runner/box.hpp"

#include <boost/json/value.hpp>
#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace sbx::runner {

// Where sbx-init appears inside every container.
inline constexpr const char *init_mount_point = "/.sbx/init";
inline constexpr const char *workspace_dir = "/workspace";

// The body of POST /containers/create: every setting of DESIGN.md's "One
// execution", step 2.
boost::json::value container_spec(const BoxSpec &spec, const std::string &init_path);

class DockerBackend : public Backend {
public:
    DockerBackend(docker::Engine &engine, std::string init_path,
                  std::shared_ptr<spdlog::logger> log);
    std::unique_ptr<Box> start(const BoxSpec &spec, Clock::time_point deadline) override;

private:
    docker::Engine &engine_;
    std::string init_path_;
    std::shared_ptr<spdlog::logger> log_;
};

} // namespace sbx::runner
