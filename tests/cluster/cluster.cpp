#include "cluster.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace umkm::test {

Cluster::Cluster(int http_port, int nodes, int pools)
    : http_port_(http_port),
      nodes_(nodes),
      pools_(pools),
      source_dir_(env_or("UMKM_SOURCE_DIR", UMKM_SOURCE_DIR)),
      build_dir_(env_or("UMKM_BUILD_DIR", UMKM_BUILD_DIR)),
      dir_(build_dir_ + "/test-stacks/cluster") {}

std::vector<std::pair<std::string, std::string>> Cluster::environment() const {
    return {
        {"UMKM_CLUSTER_DIR", dir_},
        {"UMKM_CLUSTER_PORT", std::to_string(http_port_)},
        {"UMKM_CLUSTER_NODES", std::to_string(nodes_)},
        {"UMKM_CLUSTER_POOLS", std::to_string(pools_)},
        {"UMKM_CLUSTER_WRITERS", "all"},
        {"UMKM_BUILD_DIR", build_dir_},
        {"UMKM_WORKERS", "4"},
    };
}

CommandResult Cluster::run(const std::vector<std::string>& args, int timeout_seconds) const {
    CommandResult result = run_command(source_dir_ + "/scripts/cluster", args, environment(),
                                       source_dir_, timeout_seconds);
    if (result.timed_out || result.exit_code != 0) throw std::runtime_error(result.describe());
    return result;
}

void Cluster::start() {
    if (std::filesystem::exists(dir_ + "/cluster.env")) run({"stop"}, 180);
    std::filesystem::remove_all(dir_);
    run({"start"}, 300);
    env_.clear();
    std::istringstream lines(run({"env"}).out);
    std::string line;
    while (std::getline(lines, line)) {
        const auto eq = line.find('=');
        if (eq != std::string::npos) env_[line.substr(0, eq)] = line.substr(eq + 1);
    }
}

void Cluster::stop() {
    if (std::getenv("UMKM_TEST_KEEP_STACK")) return;
    run({"stop"}, 180);
}

std::vector<std::vector<std::string>> Cluster::sql_rows(int node, const std::string& query) const {
    return parse_tsv(run({"sql", std::to_string(node), query}, 60).out);
}

long long Cluster::sql_int(int node, const std::string& query) const {
    const auto rows = sql_rows(node, query);
    if (rows.empty() || rows.back().empty()) throw std::runtime_error("no result: " + query);
    return std::stoll(rows.back().front());
}

SqlRows Cluster::books_on(int node) const {
    // After every commit acknowledged anywhere in the cluster has been
    // applied on this node (a rejoined node may still be catching up).
    return [this, node](const std::string& query) {
        return sql_rows(node, "SET SESSION wsrep_sync_wait = 1; " + query);
    };
}

pid_t Cluster::pid_in(const std::string& env_key) const {
    const auto found = env_.find(env_key);
    if (found == env_.end()) return 0;
    std::ifstream in(found->second);
    long pid = 0;
    return in >> pid ? static_cast<pid_t>(pid) : 0;
}

pid_t Cluster::node_pid(int node) const {
    return pid_in("UMKM_NODE" + std::to_string(node) + "_PID_FILE");
}

pid_t Cluster::pool_pid(int pool) const {
    return pid_in("UMKM_POOL" + std::to_string(pool) + "_PID_FILE");
}

}  // namespace umkm::test
