#include "common/grpc/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/impl/server_builder_plugin.h>
#include <grpcpp/impl/server_initializer.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/grpc/health_service.h"
#include "common/grpc/starting_service.h"
#include "common/metrics/grpc_interceptor.h"

namespace infobus {
namespace {

// Tells the health service the names of the services a server serves (ours, reflection,
// health) once they are registered and before the server takes calls: gRPC keeps that list
// and hands it only to builder plugins.
class HealthNamesPlugin final : public grpc::ServerBuilderPlugin {
 public:
  explicit HealthNamesPlugin(HealthService* health) : health_(health) {}
  std::string name() override { return "infobus_health_names"; }
  void InitServer(grpc::ServerInitializer* initializer) override {
    health_->AddServices(*initializer->GetServiceList());
  }
  void Finish(grpc::ServerInitializer*) override {}
  void ChangeArguments(const std::string&, void*) override {}

 private:
  HealthService* const health_;
};

// Adds a HealthNamesPlugin to one builder (plugin factories are process-wide).
class HealthNamesOption final : public grpc::ServerBuilderOption {
 public:
  explicit HealthNamesOption(HealthService* health) : health_(health) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->push_back(std::make_unique<HealthNamesPlugin>(health_));
  }

 private:
  HealthService* const health_;
};

}  // namespace

GrpcServer::GrpcServer() : health_(std::make_unique<HealthService>()) {}

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const std::string& listen_address, std::shared_ptr<grpc::ServerCredentials> credentials,
    const std::vector<grpc::Service*>& services, const std::vector<std::string>& health_names) {
  // gRPC's own health service knows only "" and cannot be told the service names; ours is
  // registered instead, from the standard health.proto, so reflection describes it too.
  grpc::EnableDefaultHealthCheckService(false);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  std::unique_ptr<GrpcServer> server(new GrpcServer());
  server->health_->AddServices(health_names);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen_address, std::move(credentials), &server->port_);
  for (grpc::Service* service : services) builder.RegisterService(service);
  builder.RegisterService(server->health_.get());
  if (!health_names.empty()) {
    server->starting_ = std::make_unique<StartingService>(
        absl::StrCat("the server is starting (", absl::StrJoin(health_names, ", "), ")"));
    builder.RegisterCallbackGenericService(server->starting_.get());
  }
  builder.SetOption(std::make_unique<HealthNamesOption>(server->health_.get()));
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<metrics::GrpcMetricsInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server->server_ = builder.BuildAndStart();
  if (!server->server_ || server->port_ == 0) {
    // Not transient: the address is taken or not ours; retrying would not help.
    return absl::FailedPreconditionError(absl::StrCat("cannot listen on ", listen_address));
  }
  return server;
}

GrpcServer::~GrpcServer() { Shutdown(absl::ZeroDuration()); }

void GrpcServer::SetServing(bool serving) {
  if (!server_) return;
  health_->SetServing(serving);
}

void GrpcServer::Shutdown(absl::Duration grace) {
  if (!server_) return;
  SetServing(false);
  health_->Shutdown();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  server_.reset();
}

absl::Status WritePortFile(const std::string& path, int port) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << port << "\n";
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", temp));
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot rename ", temp, " to ", path));
  }
  return absl::OkStatus();
}

}  // namespace infobus
