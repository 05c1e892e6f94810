#pragma once

#include <sys/types.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace infobus::bench {

// A process the benchmark starts and measures: `/bin/sh -c "exec <command>"`, so its pid is the
// command's own (its /proc/<pid>/stat is the measured program's, not a shell's). Its stdout and
// stderr go to `log_path`, or with kPipe its stdout to a pipe the caller reads (stdout_fd).
// Destroying it stops the process (Stop). Not thread-safe.
class ChildProcess {
 public:
  enum class Output { kLogFile, kPipe };

  static absl::StatusOr<ChildProcess> Start(const std::string& command, const std::string& log_path,
                                            Output output = Output::kLogFile);
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  int stdout_fd() const { return stdout_fd_; }  // kPipe only; -1 otherwise

  // Whether it is still running (reaps it when it has exited).
  bool Running();
  // Waits for it to exit; returns its exit status (as waitpid's), or -1.
  int Wait();
  // SIGTERM, then SIGKILL after `grace`; reaps it. Idempotent.
  void Stop(absl::Duration grace = absl::Seconds(60));

 private:
  ChildProcess(pid_t pid, int stdout_fd) : pid_(pid), stdout_fd_(stdout_fd) {}
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int status_ = -1;
};

}  // namespace infobus::bench
