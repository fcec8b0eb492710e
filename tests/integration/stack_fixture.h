// A private stack (MariaDB, umkm-fcgi, nginx) for one integration test
// executable, driven through scripts/stack.
//
// Each executable gets its own port and its own state directory under
// <build>/test-stacks/<name>, wiped at start, so that ctest may run the
// executables in parallel. The stack is started once, by a Boost global
// fixture, and stopped when the executable ends (set UMKM_TEST_KEEP_STACK=1 to
// leave it running for a look at its logs and database).
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace umkm::test {

// The environment variable `name`, or `fallback` when it is unset or empty
// (the tests' UMKM_SOURCE_DIR and UMKM_BUILD_DIR win over the compiled-in).
std::string env_or(const char* name, const std::string& fallback);

struct StackConfig {
    std::string name;  // test-stacks/<name>
    int http_port = 0;
    int workers = 4;
    // Only 127.0.0.1 is exempt from nginx's rate limit, so that traffic from
    // 127.0.0.2 proves the limit works while the other tests run unthrottled.
    std::string rate_exempt = "127.0.0.1/32";
    std::string request_timeout;  // UMKM_REQUEST_TIMEOUT; empty: the stack's default
    int listen_backlog = 0;       // UMKM_LISTEN_BACKLOG; 0: the stack's default
    std::string db_datadir;       // UMKM_DB_DATADIR; empty: <state>/mysql
    std::string max_requests;     // UMKM_MAX_REQUESTS; empty: the stack's default
    // UMKM_MAX_QUEUE_WAIT: a suite's own, else the caller's (scripts/test's
    // sanitizer stage raises it for a slower pool); empty: the stack's default.
    std::string max_queue_wait = env_or("UMKM_MAX_QUEUE_WAIT", "");
};

struct CommandResult {
    int exit_code = -1;  // -1: did not exit by itself
    bool timed_out = false;
    std::string out;
    std::string err;
    std::string command;  // for messages
    std::string describe() const;
};

// Runs `program args...` in `working_dir` with this process's environment
// plus `environment` (an empty value unsets), output captured; killed with
// its process group after `timeout_seconds`.
CommandResult run_command(const std::string& program, const std::vector<std::string>& args,
                          const std::vector<std::pair<std::string, std::string>>& environment,
                          const std::string& working_dir, int timeout_seconds);

// A client's tab-separated output (mariadb --batch): rows of fields.
std::vector<std::vector<std::string>> parse_tsv(const std::string& text);

class Stack {
  public:
    explicit Stack(StackConfig config);

    // Stops whatever a previous run left in the state directory, wipes it and
    // starts a fresh stack; throws with the script's output when it fails.
    void start();
    void stop();

    // scripts/stack <args...> with this stack's environment.
    CommandResult run(const std::vector<std::string>& args, int timeout_seconds = 120) const;
    // The same, throwing when the command fails.
    CommandResult run_checked(const std::vector<std::string>& args,
                              int timeout_seconds = 120) const;

    // `scripts/stack sql`: the tab-separated result, without column names.
    std::string sql(const std::string& statements) const;
    std::vector<std::vector<std::string>> sql_rows(const std::string& statements) const;
    // The first column of the last row, as an integer (throws if NULL or empty).
    long long sql_int(const std::string& statements) const;

    // Inserts goods on sale and returns their id.
    long long create_goods(const std::string& name, long long stock, long long price) const;
    // "it <label> <n>": letters, digits and spaces only, unique in this run.
    std::string unique_name(const std::string& label) const;

    // `scripts/<name> <args...>` with this stack's environment (as
    // scripts/admin-token is run for the stack that scripts/run started).
    CommandResult script(const std::string& name, const std::vector<std::string>& args,
                         int timeout_seconds = 120) const;
    // `<build>/fcgi-app/umkm-fcgi -c <state>/etc/umkm.conf <args...>`: the
    // pool's own command line against this stack (token commands).
    CommandResult pool_command(const std::vector<std::string>& args,
                               int timeout_seconds = 60) const;
    // `umkm-fcgi token create NAME`: the token printed alone on the last line
    // of stdout (throws with the command's output when it fails).
    std::string create_token(const std::string& name) const;
    CommandResult revoke_token(const std::string& name) const;  // token revoke NAME
    CommandResult list_tokens() const;                          // token list

    pid_t master_pid() const;  // 0 when the pid file is missing
    // nginx's master, the pool's master and MariaDB, from their pid files in
    // <state>/run (0 for one whose file is missing).
    pid_t nginx_pid() const;
    pid_t database_pid() const;
    // Live workers of the pool's master (zombies and the dispatcher
    // excluded), sorted.
    std::vector<pid_t> worker_pids() const;
    // The events dispatcher: the master's child named kDispatcherName; 0
    // when there is none.
    pid_t dispatcher_pid() const;
    // Waits (up to `timeout_seconds`) for a dispatcher whose pid is not
    // `other_than`; 0 when none came.
    pid_t wait_for_dispatcher(pid_t other_than = 0, double timeout_seconds = 10) const;
    // Waits (up to `timeout_seconds`) until the master has exactly
    // config().workers live workers (worker_pids()), and returns them (or the
    // last set seen).
    std::vector<pid_t> wait_for_workers(double timeout_seconds = 10) const;
    // The same, until the full count runs with none of `gone` among them
    // (after workers were killed or a reload replaced them).
    std::vector<pid_t> wait_for_workers_other_than(const std::vector<pid_t>& gone,
                                                   double timeout_seconds = 15) const;

    std::string base_url() const;
    std::string state_dir() const { return state_dir_; }
    const StackConfig& config() const { return config_; }

    // The stack of this test executable (set by StackFixture).
    static Stack& current();

  private:
    pid_t pid_from(const char* file) const;  // <state>/run/<file>, 0 if missing
    // Runs `program args...` with this stack's environment, in the source
    // directory, output captured.
    CommandResult execute(const std::string& program, const std::vector<std::string>& args,
                          int timeout_seconds) const;

    StackConfig config_;
    std::string source_dir_;
    std::string build_dir_;
    std::string state_dir_;
    bool started_ = false;

    friend class StackFixture;
};

// Boost global fixture base: derive with a default constructor that passes
// this executable's config, then BOOST_TEST_GLOBAL_FIXTURE(Derived).
class StackFixture {
  public:
    explicit StackFixture(StackConfig config);
    ~StackFixture();
    StackFixture(const StackFixture&) = delete;
    StackFixture& operator=(const StackFixture&) = delete;

  private:
    Stack* stack_;
};

inline Stack& stack() {
    return Stack::current();
}

// /proc/<pid>/comm of the events dispatcher (the workers are "umkm-fcgi").
inline constexpr const char* kDispatcherName = "umkm-dispatcher";

// Helpers on processes, for the resilience tests.
bool process_alive(pid_t pid);        // exists and is not a zombie
std::string process_name(pid_t pid);  // /proc/<pid>/comm, "" when gone
std::vector<pid_t> children_of(pid_t parent);

}  // namespace umkm::test
