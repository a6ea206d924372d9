#include "run/client_process.hpp"

#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace ehlo::run {

namespace {

/// What a shell reads as plain text in a word.
bool plain(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-' || c == '/' || c == ':' || c == '[' || c == ']' || c == '@' || c == '%' || c == '+' || c == ',';
  });
}

std::string quoted(std::string_view s) {
  if (plain(s)) return std::string(s);
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string fill_command(std::string_view command, std::string_view host, std::uint16_t port, std::string_view probe) {
  std::string out;
  for (std::size_t i = 0; i < command.size();) {
    const std::string_view rest = command.substr(i);
    if (rest.starts_with("{host}")) {
      out += quoted(host);
      i += 6;
    } else if (rest.starts_with("{port}")) {
      out += std::to_string(port);
      i += 6;
    } else if (rest.starts_with("{probe}")) {
      out += quoted(probe);
      i += 7;
    } else {
      out += command[i++];
    }
  }
  return out;
}

std::unique_ptr<client_process> client_process::start(const std::string& command, std::string& error, int in,
                                                      int stdout_to) {
  char path[] = "/tmp/ehlo-client-XXXXXX";
  const int out = mkstemp(path);
  if (out < 0) {
    error = std::string("cannot make a file for the client's output: ") + std::strerror(errno);
    return nullptr;
  }
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  if (in >= 0 && stdout_to >= 0) {
    posix_spawn_file_actions_adddup2(&files, in, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&files, stdout_to, STDOUT_FILENO);
  } else {
    posix_spawn_file_actions_addopen(&files, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&files, out, STDOUT_FILENO);
  }
  posix_spawn_file_actions_adddup2(&files, out, STDERR_FILENO);
  posix_spawn_file_actions_addclose(&files, out);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attr, 0);  // a group of its own
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);  // the runner blocks SIGINT/SIGTERM late in a run; the client must not
  posix_spawnattr_setsigdefault(&attr, &all);
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, "/bin/sh", &files, &attr, const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  close(out);
  if (rc != 0) {
    unlink(path);
    error = std::string("cannot start /bin/sh: ") + std::strerror(rc);
    return nullptr;
  }
  return std::unique_ptr<client_process>(new client_process(pid, path));
}

client_process::~client_process() {
  if (!reaped()) {
    signal_group(SIGKILL);
    waitpid(pid_, &status_, 0);
  }
  unlink(output_.c_str());
}

void client_process::signal_group(int sig) const noexcept { ::kill(-pid_, sig); }

bool client_process::reaped() {
  if (status_ != -1) return true;
  int st = 0;
  const pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    status_ = r == pid_ ? st : 0;
    return true;
  }
  return false;
}

asio::awaitable<int> client_process::wait(std::chrono::milliseconds limit) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex);
  // A child's exit is polled: a SIGCHLD handler would be the process's, and
  // --jobs runs several clients at once; 20 ms is nothing beside a session.
  const auto poll = std::chrono::milliseconds(20);
  auto until = std::chrono::steady_clock::now() + limit;
  bool termed = false;
  while (!reaped()) {
    if (std::chrono::steady_clock::now() >= until) {
      if (termed) {
        signal_group(SIGKILL);
        until = std::chrono::steady_clock::time_point::max();
      } else {
        timed_out_ = termed = true;
        signal_group(SIGTERM);
        until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      }
    }
    timer.expires_after(poll);
    co_await timer.async_wait(asio::use_awaitable);
  }
  // The client is gone; what it started in its group goes with it.
  signal_group(SIGKILL);
  co_return *status();
}

std::optional<int> client_process::status() {
  if (!reaped()) return std::nullopt;
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : WIFSIGNALED(status_) ? 128 + WTERMSIG(status_) : 1;
}

std::string client_process::output_from(std::uint64_t& offset, std::size_t max) const {
  std::ifstream in(output_, std::ios::binary | std::ios::ate);
  if (!in) return {};
  const auto size = static_cast<std::uint64_t>(in.tellg());
  if (size <= offset) return {};
  const std::uint64_t from = size - offset > max ? size - max : offset;
  in.seekg(static_cast<std::streamoff>(from));
  std::string out(static_cast<std::size_t>(size - from), '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  offset = size;
  return out;
}

std::string client_process::output_tail(std::size_t max) const {
  std::ifstream in(output_, std::ios::binary | std::ios::ate);
  if (!in) return {};
  const std::streamoff size = in.tellg();
  const std::streamoff from = size > static_cast<std::streamoff>(max) ? size - static_cast<std::streamoff>(max) : 0;
  in.seekg(from);
  std::string out(static_cast<std::size_t>(size - from), '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  return out;
}

}  // namespace ehlo::run
