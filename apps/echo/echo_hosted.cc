// SPDX-License-Identifier: Apache-2.0
// echo on Linux: the same UDP echo through ebbrt/net/net.h over Linux sockets (port from
// argv[1], default 7; ports below 1024 need root).
//   bazel run //apps/echo -- 17007
#include <stdio.h>
#include <stdlib.h>

#include <memory>

#include "ebbrt/base/status.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/net/net.h"

namespace {

// The socket, for the receive function (which runs on its core) to answer through.
std::unique_ptr<ebbrt::net::UdpSocket> g_socket;

}  // namespace

int main(int argc, char** argv) {
  const long port = argc > 1 ? strtol(argv[1], nullptr, 10) : 7;
  if (port <= 0 || port > 65535) {
    fprintf(stderr, "echo: port must be 1..65535\n");
    return 2;
  }
  return ebbrt::Run(1, [port] {
    auto bound = ebbrt::net::BindUdp(static_cast<uint16_t>(port),
                                     [](ebbrt::net::Ipv4Address from, uint16_t from_port,
                                        std::unique_ptr<ebbrt::IOBuf> datagram) {
                                       (void)g_socket->SendTo(from, from_port, std::move(datagram));
                                     });
    if (!bound.ok()) {
      fprintf(stderr, "echo: %s\n", ebbrt::StatusText(bound.status()).c_str());
      ebbrt::Stop(1);
      return;
    }
    g_socket = std::move(bound).value();
    printf("echo: UDP echo on port %ld\n", port);
    fflush(stdout);
  });
}
