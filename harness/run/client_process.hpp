// A client program `ehlo check --listen --client-cmd` runs for each probe
// (and `ehlo fuzz --client-cmd` for each case), or the server under test
// `ehlo fuzz --exec` starts: `/bin/sh -c COMMAND`, in a process group of its
// own (so the program and whatever it starts are stopped together), stdin
// from /dev/null, stdout and stderr into a temporary file whose end the
// report shows.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace ehlo::run {

class client_process {
 public:
  /// Starts `command`; nullptr with `error` set when it cannot be started.
  /// With `in` and `out` (the ends of two pipes), those are its stdin and
  /// stdout, and only stderr goes to the file (`ehlo fuzz --pipe`: SMTP on
  /// stdin and stdout).
  static std::unique_ptr<client_process> start(const std::string& command, std::string& error, int in = -1,
                                               int out = -1);
  client_process(const client_process&) = delete;
  client_process& operator=(const client_process&) = delete;
  /// Stops the process group if it still runs, and removes the output file.
  ~client_process();

  /// Waits until the client exits, or `limit` has passed: then the group gets
  /// SIGTERM, and SIGKILL a second later. Returns the exit status, 128 + N
  /// when a signal N ended it (as a shell says it).
  asio::awaitable<int> wait(std::chrono::milliseconds limit);
  /// Whether it has exited (reaped without blocking).
  bool exited() { return reaped(); }
  /// Whether it was stopped by wait()'s limit.
  bool timed_out() const noexcept { return timed_out_; }
  /// The last `max` bytes the client printed.
  std::string output_tail(std::size_t max = 4096) const;
  /// What it printed from byte `offset` on, at most `max` bytes; `offset`
  /// moves past what was read (and past what was left out beyond `max`).
  std::string output_from(std::uint64_t& offset, std::size_t max = 65536) const;
  /// How it ended, as wait() gives it, once it has (reaped without blocking).
  std::optional<int> status();
  pid_t pid() const noexcept { return pid_; }

 private:
  client_process(pid_t pid, std::string output_file) : pid_(pid), output_(std::move(output_file)) {}
  /// waitpid without blocking: true once it was reaped (status_ set).
  bool reaped();
  void signal_group(int sig) const noexcept;

  pid_t pid_;
  std::string output_;
  int status_ = -1;
  bool timed_out_ = false;
};

/// `command` with {host}, {port} and {probe} (the probe's file) filled in;
/// a value with characters a shell would read is put in single quotes.
std::string fill_command(std::string_view command, std::string_view host, std::uint16_t port, std::string_view probe);

}  // namespace ehlo::run
