#include "tests/faults/kafka_broker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace infobus::faults {
namespace {

// Waits until `pid` is gone, reaping it when it is a child of ours (else watching its pid);
// after `timeout`, kill -9s it and waits once more.
void AwaitExit(pid_t pid, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  bool killed = false;
  // A zombie that is not our child stays a pid until its parent reaps it: give up on it then.
  while (absl::Now() < deadline + absl::Seconds(10)) {
    const pid_t reaped = ::waitpid(pid, nullptr, WNOHANG);
    if (reaped == pid || (reaped < 0 && ::kill(pid, 0) != 0)) return;
    if (!killed && absl::Now() >= deadline) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
    absl::SleepFor(absl::Milliseconds(50));  // a process's exit cannot be awaited with a timeout
  }
}

bool CanBind(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

KafkaBroker::KafkaBroker(std::string script, std::string run_dir, int port)
    : script_(std::move(script)), run_dir_(std::move(run_dir)), port_(port) {
  static const bool subreaper = ::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0;
  (void)subreaper;
  std::filesystem::create_directories(run_dir_);
}

KafkaBroker::~KafkaBroker() {
  if (running()) (void)Stop();
}

void KafkaBroker::Reset() {
  (void)RunScript("stop");  // nothing to do unless its pid file names a live process
  std::error_code ignored;
  std::filesystem::remove_all(run_dir_ + "/kafka/data", ignored);
}

absl::Status KafkaBroker::RunScript(const std::string& verb) {
  const std::string command =
      absl::StrCat("INFOBUS_RUN_DIR='", run_dir_, "' INFOBUS_KAFKA_PORT=", port_,
                   " INFOBUS_KAFKA_SECURITY=tls INFOBUS_PKI_DIR='", pki_dir(), "' '", script_, "' ",
                   verb, " >>'", log_path(), "' 2>&1 </dev/null");
  const int status = std::system(command.c_str());
  if (status != 0) {
    return absl::InternalError(
        absl::StrCat("scripts/kafka.sh ", verb, " failed (status ", status, "); see ", log_path()));
  }
  return absl::OkStatus();
}

absl::Status KafkaBroker::Start() {
  if (running()) return absl::FailedPreconditionError("the broker is running");
  if (absl::Status status = RunScript("start"); !status.ok()) return status;
  std::ifstream in(run_dir_ + "/kafka/broker.pid");
  pid_t pid = -1;
  if (!(in >> pid) || pid <= 0) return absl::InternalError("kafka.sh start wrote no pid file");
  pid_ = pid;
  return absl::OkStatus();
}

absl::Status KafkaBroker::Stop() {
  if (!running()) return absl::OkStatus();
  // The script sends SIGTERM and waits for the pid to vanish, which happens once it is reaped.
  absl::Status script;
  std::thread stopper([this, &script] { script = RunScript("stop"); });
  AwaitExit(pid_, absl::Seconds(45));  // the script itself kill -9s it after 30 s
  stopper.join();
  pid_ = -1;
  return script;
}

absl::Status KafkaBroker::Kill() {
  if (!running()) return absl::OkStatus();
  if (::kill(pid_, SIGKILL) != 0 && errno != ESRCH) {
    return absl::InternalError(absl::StrCat("kill -9 ", pid_, " failed"));
  }
  AwaitExit(pid_, absl::Seconds(30));
  pid_ = -1;
  std::error_code ignored;
  std::filesystem::remove(run_dir_ + "/kafka/broker.pid", ignored);
  return absl::OkStatus();
}

absl::StatusOr<int> FreePorts(int count, uint32_t seed) {
  std::mt19937 random(seed);
  for (int attempt = 0; attempt < 500; ++attempt) {
    const int port = 20000 + static_cast<int>(random() % 12000);
    bool free = true;
    for (int i = 0; i < count && free; ++i) free = CanBind(port + i);
    if (free) return port;
  }
  return absl::UnavailableError(
      absl::StrCat("no ", count, " free consecutive ports in 20000-32000 on 127.0.0.1"));
}

}  // namespace infobus::faults
