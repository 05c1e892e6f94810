#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace infobus::testing {

// One infobus service binary run as a child process for a test: its output goes to a log file,
// it is told to bind port 0 and write the port to a file, and Start() returns once that file
// exists (the service is serving). Kill() is kill -9; Stop() is SIGTERM and a clean exit.
// Not thread-safe; the destructor kills a process still running.
class ServiceProcess {
 public:
  // `service` is collection, judgment, dispatch, supervision or gateway; the binary comes from
  // $INFOBUS_BIN_DIR. Its port, metrics port and log files in `work_dir` are named after `instance`
  // (default: the service), so several instances of one service can share a directory.
  ServiceProcess(std::string service, std::string config_path, std::string work_dir,
                 std::string instance = "");
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  absl::Status Start(absl::Duration timeout = absl::Seconds(60));
  // Starts the binary listening on `listen` ("127.0.0.1:PORT") and returns at once, without
  // waiting for it to serve (port() is 0 until Start); for tests of start-up itself.
  absl::Status Launch(const std::string& listen);
  void Kill();
  absl::Status Stop(absl::Duration timeout = absl::Seconds(30));
  // From the next Start() on, the service listens on the port its first start got, so clients
  // keep one address across kill -9 and restart, as against a deployment's fixed port.
  void KeepPortAcrossRestarts() { keep_port_ = true; }
  // Listens on `port` from its first start on (e.g. a FreeLoopbackPort() that its peers' config
  // names before it runs), across restarts too.
  void ListenOn(int port) {
    keep_port_ = true;
    kept_port_ = port;
  }
  // The section of the listen and port-file keys it is started with: "grpc" (grpc.listen,
  // grpc.port_file) for a service, "gateway" for the gateway.
  void set_listen_section(std::string section) { listen_section_ = std::move(section); }

  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // Whether the process has exited (reaping it); false while it runs.
  bool Exited();
  std::string Log() const;  // the whole log so far, for failure messages
  // The Prometheus port the service wrote to <work_dir>/<service>.metrics.port, or 0.
  int metrics_port() const;

 private:
  std::string service_;
  std::string config_path_;
  std::string port_file_;
  std::string log_path_;
  std::string metrics_port_file_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string listen_section_ = "grpc";
  bool keep_port_ = false;
  int kept_port_ = 0;  // with keep_port_: the port of the first start
};

// The path of a service binary: $INFOBUS_BIN_DIR/infobus-<service>.
std::string BinaryPath(const std::string& service);

}  // namespace infobus::testing
