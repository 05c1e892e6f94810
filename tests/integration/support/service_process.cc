#include "tests/integration/support/service_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace infobus::testing {

std::string BinaryPath(const std::string& service) {
  const char* dir = std::getenv("INFOBUS_BIN_DIR");
  return absl::StrCat(dir != nullptr ? dir : "build/bin", "/infobus-", service);
}

ServiceProcess::ServiceProcess(std::string service, std::string config_path, std::string work_dir,
                               std::string instance)
    : service_(std::move(service)),
      config_path_(std::move(config_path)),
      port_file_(absl::StrCat(work_dir, "/", instance.empty() ? service_ : instance, ".port")),
      log_path_(absl::StrCat(work_dir, "/", instance.empty() ? service_ : instance, ".log")),
      metrics_port_file_(
          absl::StrCat(work_dir, "/", instance.empty() ? service_ : instance, ".metrics.port")) {}

int ServiceProcess::metrics_port() const {
  std::ifstream in(metrics_port_file_);
  int port = 0;
  in >> port;
  return port;
}

ServiceProcess::~ServiceProcess() { Kill(); }

absl::Status ServiceProcess::Start(absl::Duration timeout) {
  if (absl::Status launched = Launch(absl::StrCat("127.0.0.1:", kept_port_)); !launched.ok()) {
    return launched;
  }
  const std::string binary = BinaryPath(service_);
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    std::ifstream in(port_file_);
    if (in >> port_) {
      if (keep_port_) kept_port_ = port_;
      return absl::OkStatus();
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::UnavailableError(
          absl::StrCat(service_, " exited during start-up (", binary, "); log:\n", Log()));
    }
    absl::SleepFor(absl::Milliseconds(20));  // polling a file written by another process
  }
  Kill();
  return absl::DeadlineExceededError(
      absl::StrCat(service_, " did not report its port in time; log:\n", Log()));
}

bool ServiceProcess::Exited() {
  if (!running()) return true;
  if (::waitpid(pid_, nullptr, WNOHANG) != pid_) return false;
  pid_ = -1;
  return true;
}

absl::Status ServiceProcess::Launch(const std::string& listen_address) {
  if (running()) return absl::FailedPreconditionError(service_ + " is already running");
  ::unlink(port_file_.c_str());
  port_ = 0;
  const std::string binary = BinaryPath(service_);
  const std::string listen = listen_section_ + ".listen=" + listen_address;
  const std::string port_file = listen_section_ + ".port_file=" + port_file_;
  pid_ = ::fork();
  if (pid_ < 0) return absl::InternalError("fork failed");
  if (pid_ == 0) {
    const int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) {
      ::dup2(log, STDOUT_FILENO);
      ::dup2(log, STDERR_FILENO);
    }
    ::execl(binary.c_str(), binary.c_str(), "--config", config_path_.c_str(), "--set",
            listen.c_str(), "--set", port_file.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  return absl::OkStatus();
}

void ServiceProcess::Kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

absl::Status ServiceProcess::Stop(absl::Duration timeout) {
  if (!running()) return absl::OkStatus();
  ::kill(pid_, SIGTERM);
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (absl::Now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
      return absl::InternalError(absl::StrCat(service_, " exited with status ", status));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  Kill();
  return absl::DeadlineExceededError(service_ + " did not stop on SIGTERM in time");
}

std::string ServiceProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace infobus::testing
