// The test's cluster (scripts/cluster): Galera nodes, pools and one nginx on
// loopback ports under <build>/test-stacks/cluster, wiped at start.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "ledger.h"
#include "stack_fixture.h"

namespace umkm::test {

class Cluster {
  public:
    // UMKM_CLUSTER_WRITERS=all: pool J writes through node J, so that both
    // pools write at once through different nodes.
    Cluster(int http_port, int nodes, int pools);

    // Stops what a previous run left, wipes the directory, starts afresh;
    // throws with the script's output when it fails.
    void start();
    void stop();

    // scripts/cluster <args...>; throws when it fails.
    CommandResult run(const std::vector<std::string>& args, int timeout_seconds = 120) const;

    // Runs SQL as the admin on node N (1-based).
    std::vector<std::vector<std::string>> sql_rows(int node, const std::string& query) const;
    long long sql_int(int node, const std::string& query) const;
    // For check_the_books and stock_of: the books as node N holds them.
    SqlRows books_on(int node) const;

    pid_t node_pid(int node) const;  // 0 when its pid file is missing
    pid_t pool_pid(int pool) const;  // the pool's master

    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(http_port_); }

  private:
    std::vector<std::pair<std::string, std::string>> environment() const;
    pid_t pid_in(const std::string& env_key) const;

    int http_port_;
    int nodes_;
    int pools_;
    std::string source_dir_;
    std::string build_dir_;
    std::string dir_;
    std::map<std::string, std::string> env_;  // scripts/cluster env, after start
};

}  // namespace umkm::test
