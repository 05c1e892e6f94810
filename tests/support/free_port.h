#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace infobus::testing {

// A loopback port that was free a moment ago and has no listener now: for a server a test
// starts later on a fixed port, or for a peer that must not answer.
inline int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace infobus::testing
