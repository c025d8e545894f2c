// SPDX-License-Identifier: Apache-2.0
// Platform-independent parts of the network API (net.h).
#include "ebbrt/net/net.h"

namespace ebbrt::net {

void TcpHandler::PeerClosed() {
  if (connection_ != nullptr) connection_->Close();
}

}  // namespace ebbrt::net
