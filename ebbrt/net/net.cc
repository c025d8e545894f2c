// Platform-independent parts of the network API (net.h).
#include "ebbrt/net/net.h"

namespace ebbrt::net {

Result<Ipv4Address> Ipv4Address::Parse(const char* text) {
  uint32_t value = 0;
  const char* p = text;
  for (int part = 0; part < 4; ++part) {
    if (*p < '0' || *p > '9') {
      return Status(StatusCode::kInvalidArgument, "IPv4 address: expected a digit");
    }
    uint32_t octet = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
      octet = octet * 10 + static_cast<uint32_t>(*p - '0');
      if (++digits > 3 || octet > 255) {
        return Status(StatusCode::kInvalidArgument, "IPv4 address: octet out of range");
      }
      ++p;
    }
    value = (value << 8) | octet;
    if (part < 3) {
      if (*p != '.') return Status(StatusCode::kInvalidArgument, "IPv4 address: expected '.'");
      ++p;
    }
  }
  if (*p != '\0') return Status(StatusCode::kInvalidArgument, "IPv4 address: trailing text");
  return Ipv4Address{value};
}

void TcpHandler::PeerClosed() {
  if (connection_ != nullptr) connection_->Close();
}

}  // namespace ebbrt::net
