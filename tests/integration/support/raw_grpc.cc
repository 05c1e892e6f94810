#include "tests/integration/support/raw_grpc.h"

#include <grpcpp/generic/generic_stub.h>

#include <chrono>
#include <vector>

#include "tests/integration/support/clients.h"

namespace infobus::testing {
namespace {

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  (void)buffer.Dump(&slices);
  std::string out;
  for (const grpc::Slice& slice : slices) {
    out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return out;
}

bool Await(grpc::CompletionQueue& queue) {
  void* tag = nullptr;
  bool ok = false;
  return queue.Next(&tag, &ok) && ok;
}

}  // namespace

std::string CallRaw(const std::string& address, const ClientSecurity& security,
                    const std::string& method, const std::string& request, grpc::Status* status) {
  grpc::GenericStub stub(Channel(address, security));
  grpc::CompletionQueue queue;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto call = stub.PrepareCall(&context, method, &queue);
  call->StartCall(nullptr);
  grpc::ByteBuffer response;
  if (Await(queue)) {
    call->Write(ToBuffer(request), nullptr);
    if (Await(queue)) {
      call->WritesDone(nullptr);
      Await(queue);
      call->Read(&response, nullptr);
      Await(queue);
    }
  }
  call->Finish(status, nullptr);
  Await(queue);
  return FromBuffer(response);
}

}  // namespace infobus::testing
