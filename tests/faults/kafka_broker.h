#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace infobus::faults {

// The fault suite's own single-node Kafka broker, run with scripts/kafka.sh in a directory of
// its own on 127.0.0.1:<port> (the controller on port + 1), so that stopping it disturbs no
// other test. Start and Stop (graceful: SIGTERM, a controlled shutdown) go through the script;
// Kill is kill -9 of the broker process. The data survive Stop and Kill.
//
// The broker outlives the script that starts it, so it would become a child of init, which on
// some machines never reaps it (the script then sees a zombie as a running broker). The first
// KafkaBroker makes this process a child subreaper so that the broker becomes its child and is
// reaped here. Not thread-safe; the destructor stops a broker still running.
class KafkaBroker {
 public:
  KafkaBroker(std::string script, std::string run_dir, int port);
  ~KafkaBroker();
  KafkaBroker(const KafkaBroker&) = delete;
  KafkaBroker& operator=(const KafkaBroker&) = delete;

  // Before a first start: stops a broker an earlier run left running in this directory (one
  // killed mid-run leaves its broker behind) and removes the data, so that every run begins
  // with an empty broker.
  void Reset();
  // Starts the broker and returns once it answers clients (formats the storage the first time).
  absl::Status Start();
  // Controlled shutdown; returns once the process is gone.
  absl::Status Stop();
  // kill -9; returns once the process is gone.
  absl::Status Kill();

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string bootstrap_servers() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string log_path() const { return run_dir_ + "/kafka-script.log"; }
  // The broker speaks mutual TLS (scripts/kafka.sh's default) with the certificates here
  // (scripts/pki.sh's layout; kafka.sh makes them on the first start).
  std::string pki_dir() const { return run_dir_ + "/pki"; }

 private:
  absl::Status RunScript(const std::string& verb);

  std::string script_;
  std::string run_dir_;
  int port_;
  pid_t pid_ = -1;
};

// A port P where P, ..., P + count - 1 can all be bound on 127.0.0.1, below the ephemeral
// range (so no outgoing connection takes one while its server is down).
absl::StatusOr<int> FreePorts(int count, uint32_t seed);

}  // namespace infobus::faults
