#include "stack_fixture.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "http_client.h"

extern char** environ;

namespace umkm::test {

namespace fs = std::filesystem;

namespace {

Stack* current_stack = nullptr;

// An unlinked temporary file: the command's output goes there rather than
// into a pipe, because the daemons that `scripts/stack start` launches may
// inherit the descriptor and would keep a pipe open (and us waiting) forever.
int anonymous_file() {
    char path[] = "/tmp/umkm-it-XXXXXX";
    // Close-on-exec: the child gets it as its stdout/stderr through dup2,
    // and the daemons it starts must not inherit a second copy.
    const int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0) throw std::runtime_error(std::string("mkstemp: ") + std::strerror(errno));
    unlink(path);
    return fd;
}

std::string read_all(int fd) {
    std::string text;
    if (lseek(fd, 0, SEEK_SET) < 0) return text;
    char buffer[8192];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
    return text;
}

std::string sql_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

bool port_is_free(int port) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return true;
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return free;
}

// /proc/<pid>/stat: "pid (comm) S ppid ..."; comm may hold spaces and parentheses.
bool read_stat(pid_t pid, char& state, pid_t& ppid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) return false;
    const auto close_paren = line.rfind(')');
    if (close_paren == std::string::npos) return false;
    std::istringstream rest(line.substr(close_paren + 1));
    long parent = 0;
    if (!(rest >> state >> parent)) return false;
    ppid = static_cast<pid_t>(parent);
    return true;
}

}  // namespace

std::string CommandResult::describe() const {
    std::ostringstream out;
    out << command << ": ";
    if (timed_out)
        out << "timed out";
    else
        out << "exit code " << exit_code;
    // The end of a long log is where the failure is.
    const auto tail = [](const std::string& text) {
        return text.size() > 6000 ? "..." + text.substr(text.size() - 6000) : text;
    };
    out << "\n--- stdout ---\n" << tail(this->out) << "\n--- stderr ---\n" << tail(err);
    return out.str();
}

bool process_alive(pid_t pid) {
    char state = 0;
    pid_t ppid = 0;
    if (!read_stat(pid, state, ppid)) return false;
    return state != 'Z' && state != 'X';
}

std::string process_name(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
    std::string name;
    std::getline(in, name);
    return name;
}

std::vector<pid_t> children_of(pid_t parent) {
    std::vector<pid_t> children;
    if (parent <= 0) return children;
    DIR* proc = opendir("/proc");
    if (!proc) return children;
    while (const dirent* entry = readdir(proc)) {
        const char* name = entry->d_name;
        if (!*name || !std::all_of(name, name + std::strlen(name),
                                   [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        const auto pid = static_cast<pid_t>(std::atol(name));
        char state = 0;
        pid_t ppid = 0;
        if (read_stat(pid, state, ppid) && ppid == parent && state != 'Z' && state != 'X')
            children.push_back(pid);
    }
    closedir(proc);
    std::sort(children.begin(), children.end());
    return children;
}

std::string env_or(const char* name, const std::string& fallback) {
    const char* value = std::getenv(name);
    return value && *value ? std::string(value) : fallback;
}

Stack::Stack(StackConfig config) : config_(std::move(config)) {
    // The environment wins over the compiled-in directories, so that the
    // tests can be pointed at another checkout or build.
    source_dir_ = env_or("UMKM_SOURCE_DIR", UMKM_SOURCE_DIR);
    build_dir_ = env_or("UMKM_BUILD_DIR", UMKM_BUILD_DIR);
    state_dir_ = build_dir_ + "/test-stacks/" + config_.name;
}

Stack& Stack::current() {
    if (!current_stack) throw std::logic_error("no stack: the test executable has no StackFixture");
    return *current_stack;
}

std::string Stack::base_url() const {
    return "http://127.0.0.1:" + std::to_string(config_.http_port);
}

namespace {

// This process's environment with `ours` replacing variables of the same
// name; an empty value removes the variable.
std::vector<std::string> merged_environment(
    const std::vector<std::pair<std::string, std::string>>& ours) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        const std::string entry(*e);
        const auto name = entry.substr(0, entry.find('='));
        const bool overridden =
            std::any_of(ours.begin(), ours.end(), [&](const auto& kv) { return kv.first == name; });
        if (!overridden) env.push_back(entry);
    }
    for (const auto& [name, value] : ours)
        if (!value.empty()) env.push_back(name + "=" + value);
    return env;
}

}  // namespace

CommandResult Stack::run(const std::vector<std::string>& args, int timeout_seconds) const {
    return execute(source_dir_ + "/scripts/stack", args, timeout_seconds);
}

CommandResult Stack::execute(const std::string& program, const std::vector<std::string>& args,
                             int timeout_seconds) const {
    const std::vector<std::pair<std::string, std::string>> ours = {
        {"UMKM_STATE_DIR", state_dir_},
        {"UMKM_HTTP_PORT", std::to_string(config_.http_port)},
        {"UMKM_BUILD_DIR", build_dir_},
        {"UMKM_WORKERS", std::to_string(config_.workers)},
        {"UMKM_RATE_EXEMPT", config_.rate_exempt},
        {"UMKM_REQUEST_TIMEOUT", config_.request_timeout},
        {"UMKM_LISTEN_BACKLOG",
         config_.listen_backlog > 0 ? std::to_string(config_.listen_backlog) : ""},
        {"UMKM_DB_DATADIR", config_.db_datadir},
        {"UMKM_MAX_REQUESTS", config_.max_requests},
        {"UMKM_MAX_QUEUE_WAIT", config_.max_queue_wait},
    };
    return run_command(program, args, ours, source_dir_, timeout_seconds);
}

CommandResult run_command(const std::string& program, const std::vector<std::string>& args,
                          const std::vector<std::pair<std::string, std::string>>& environment,
                          const std::string& working_dir, int timeout_seconds) {
    CommandResult result;
    const std::string& script = program;
    for (const auto& [name, value] : environment)
        if (name == "UMKM_STATE_DIR" || name == "UMKM_HTTP_PORT" || name == "UMKM_CLUSTER_DIR")
            result.command += name + "=" + value + " ";
    result.command += script;
    for (const auto& a : args) result.command += " '" + a + "'";

    // Everything the child needs is built before fork: after it, only
    // async-signal-safe calls (the test process has threads).
    std::vector<std::string> argv_strings = {script};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings = merged_environment(environment);
    std::vector<char*> envp;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);

    const int out_fd = anonymous_file();
    const int err_fd = anonymous_file();
    const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    const pid_t pid = fork();
    if (pid < 0) {
        close(out_fd);
        close(err_fd);
        close(null_fd);
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }
    if (pid == 0) {
        setpgid(0, 0);
        dup2(null_fd, 0);
        dup2(out_fd, 1);
        dup2(err_fd, 2);
        (void)!chdir(working_dir.c_str());
        execve(script.c_str(), argv.data(), envp.data());
        const char message[] = "exec failed\n";
        (void)!write(2, message, sizeof message - 1);
        _exit(127);
    }
    close(null_fd);

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    int status = 0;
    for (;;) {
        const pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (done < 0 && errno != EINTR) break;
        if (std::chrono::steady_clock::now() > deadline) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            result.timed_out = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!result.timed_out && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    result.out = read_all(out_fd);
    result.err = read_all(err_fd);
    close(out_fd);
    close(err_fd);
    return result;
}

CommandResult Stack::run_checked(const std::vector<std::string>& args, int timeout_seconds) const {
    CommandResult result = run(args, timeout_seconds);
    if (result.timed_out || result.exit_code != 0) throw std::runtime_error(result.describe());
    return result;
}

std::string Stack::sql(const std::string& statements) const {
    return run_checked({"sql", statements}, 60).out;
}

std::vector<std::vector<std::string>> parse_tsv(const std::string& text) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::vector<std::string> fields;
        std::string::size_type start = 0;
        for (;;) {
            const auto tab = line.find('\t', start);
            fields.push_back(
                line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
            if (tab == std::string::npos) break;
            start = tab + 1;
        }
        rows.push_back(std::move(fields));
    }
    return rows;
}

std::vector<std::vector<std::string>> Stack::sql_rows(const std::string& statements) const {
    return parse_tsv(sql(statements));
}

long long Stack::sql_int(const std::string& statements) const {
    const auto rows = sql_rows(statements);
    if (rows.empty() || rows.back().empty() || rows.back()[0].empty() || rows.back()[0] == "NULL")
        throw std::runtime_error("no integer from SQL: " + statements);
    try {
        return std::stoll(rows.back()[0]);
    } catch (const std::exception&) {
        throw std::runtime_error("not an integer from SQL (" + rows.back()[0] + "): " + statements);
    }
}

long long Stack::create_goods(const std::string& name, long long stock, long long price) const {
    return sql_int("INSERT INTO goods (name, stock, price) VALUES (" + sql_quote(name) + ", " +
                   std::to_string(stock) + ", " + std::to_string(price) +
                   "); SELECT LAST_INSERT_ID();");
}

std::string Stack::unique_name(const std::string& label) const {
    static std::atomic<int> counter{0};
    return "it " + label + " " + std::to_string(++counter);
}

pid_t Stack::pid_from(const char* file) const {
    std::ifstream in(state_dir_ + "/run/" + file);
    long pid = 0;
    if (!(in >> pid)) return 0;
    return static_cast<pid_t>(pid);
}

pid_t Stack::master_pid() const {
    return pid_from("umkm-fcgi.pid");
}

pid_t Stack::nginx_pid() const {
    return pid_from("nginx.pid");
}

pid_t Stack::database_pid() const {
    return pid_from("mysqld.pid");
}

// The dispatcher is a child of the master too, but not a worker: it is told
// apart by its process name.
std::vector<pid_t> Stack::worker_pids() const {
    std::vector<pid_t> workers;
    for (pid_t pid : children_of(master_pid()))
        if (process_name(pid) != kDispatcherName) workers.push_back(pid);
    return workers;
}

pid_t Stack::dispatcher_pid() const {
    for (pid_t pid : children_of(master_pid()))
        if (process_name(pid) == kDispatcherName) return pid;
    return 0;
}

pid_t Stack::wait_for_dispatcher(pid_t other_than, double timeout_seconds) const {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(static_cast<long>(timeout_seconds * 1000));
    for (;;) {
        const pid_t pid = dispatcher_pid();
        if (pid != 0 && pid != other_than) return pid;
        if (std::chrono::steady_clock::now() >= deadline) return 0;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

CommandResult Stack::script(const std::string& name, const std::vector<std::string>& args,
                            int timeout_seconds) const {
    return execute(source_dir_ + "/scripts/" + name, args, timeout_seconds);
}

CommandResult Stack::pool_command(const std::vector<std::string>& args, int timeout_seconds) const {
    std::vector<std::string> full = {"-c", state_dir_ + "/etc/umkm.conf"};
    full.insert(full.end(), args.begin(), args.end());
    return execute(build_dir_ + "/fcgi-app/umkm-fcgi", full, timeout_seconds);
}

std::string Stack::create_token(const std::string& name) const {
    const CommandResult created = pool_command({"token", "create", name});
    if (created.timed_out || created.exit_code != 0)
        throw std::runtime_error("token create failed: " + created.describe());
    // The token alone on the last line of stdout.
    std::istringstream lines(created.out);
    std::string line;
    std::string last;
    while (std::getline(lines, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (!line.empty()) last = line;
    }
    if (last.empty())
        throw std::runtime_error("token create printed no token: " + created.describe());
    return last;
}

CommandResult Stack::revoke_token(const std::string& name) const {
    return pool_command({"token", "revoke", name});
}

CommandResult Stack::list_tokens() const {
    return pool_command({"token", "list"});
}

std::vector<pid_t> Stack::wait_for_workers(double timeout_seconds) const {
    return wait_for_workers_other_than({}, timeout_seconds);
}

std::vector<pid_t> Stack::wait_for_workers_other_than(const std::vector<pid_t>& gone,
                                                      double timeout_seconds) const {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(static_cast<long>(timeout_seconds * 1000));
    const auto ready = [&](const std::vector<pid_t>& pids) {
        return static_cast<int>(pids.size()) == config_.workers &&
               std::none_of(pids.begin(), pids.end(), [&](pid_t p) {
                   return std::find(gone.begin(), gone.end(), p) != gone.end();
               });
    };
    std::vector<pid_t> pids = worker_pids();
    while (!ready(pids) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        pids = worker_pids();
    }
    return pids;
}

void Stack::start() {
    std::cerr << "integration stack '" << config_.name << "': " << base_url() << ", state in "
              << state_dir_ << std::endl;
    // A previous run killed by a timeout may have left its stack running.
    if (fs::exists(state_dir_)) {
        run({"stop"}, 120);
        std::error_code ignored;
        fs::remove_all(state_dir_, ignored);
        if (fs::exists(state_dir_))
            throw std::runtime_error("cannot wipe the old state directory " + state_dir_);
    }
    if (!port_is_free(config_.http_port)) {
        throw std::runtime_error(
            "port " + std::to_string(config_.http_port) +
            " is busy: another stack or service listens there (choose another base "
            "port with cmake -DUMKM_TEST_PORT_BASE=...)");
    }
    fs::create_directories(fs::path(state_dir_).parent_path());

    const CommandResult started = run({"start"}, 300);
    if (started.timed_out || started.exit_code != 0) {
        run({"stop"}, 120);
        throw std::runtime_error("the private stack did not start (logs in " + state_dir_ + ")\n" +
                                 started.describe());
    }
    started_ = true;

    HttpClient http(base_url());
    const Response health = http.get("/api/small/health");
    if (health.status != 200)
        throw std::runtime_error("the stack started but /api/small/health is not 200:" +
                                 health.describe());
}

void Stack::stop() {
    if (!started_) return;
    started_ = false;
    if (std::getenv("UMKM_TEST_KEEP_STACK")) {
        std::cerr << "UMKM_TEST_KEEP_STACK is set: leaving the stack running; stop it with\n  "
                  << "UMKM_STATE_DIR=" << state_dir_ << " " << source_dir_ << "/scripts/stack stop"
                  << std::endl;
        return;
    }
    const CommandResult stopped = run({"stop"}, 120);
    if (stopped.timed_out || stopped.exit_code != 0)
        std::cerr << "warning: the stack did not stop cleanly\n" << stopped.describe() << std::endl;
}

StackFixture::StackFixture(StackConfig config) : stack_(new Stack(std::move(config))) {
    global_http_init();
    // A test writing to a connection the server closed must fail, not die.
    signal(SIGPIPE, SIG_IGN);
    current_stack = stack_;
    try {
        stack_->start();
    } catch (...) {
        current_stack = nullptr;
        delete stack_;
        throw;
    }
}

StackFixture::~StackFixture() {
    try {
        stack_->stop();
    } catch (const std::exception& e) {
        std::cerr << "warning: stopping the stack: " << e.what() << std::endl;
    }
    current_stack = nullptr;
    delete stack_;
}

}  // namespace umkm::test
