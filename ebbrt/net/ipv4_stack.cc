// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/net/ipv4_stack.h"

#include <stdio.h>
#include <time.h>

#include <utility>

#include "ebbrt/base/console.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/event/timer.h"
#include "ebbrt/net/wire/arp.h"
#include "ebbrt/net/wire/chain.h"
#include "ebbrt/net/wire/icmp.h"
#include "ebbrt/net/wire/ipv4.h"
#include "ebbrt/net/wire/udp.h"

namespace ebbrt::net {
namespace {

constexpr size_t kPorts = 65536;

uint64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(ts.tv_nsec);
}

// A chain whose head has room for every header in front of it: `payload` itself when it
// has the headroom (and is not shared: writing into a shared buffer's headroom would be
// seen by its other descriptors), else a new empty link in front.
std::unique_ptr<IOBuf> WithHeadroom(std::unique_ptr<IOBuf> payload) {
  if (payload != nullptr && payload->headroom() >= wire::kMaxHeaderRoom && !SharedIOBuf::IsShared(*payload)) {
    return payload;
  }
  auto head = UniqueIOBuf::Create(wire::kMaxHeaderRoom, wire::kMaxHeaderRoom);
  if (payload != nullptr) head->AppendChain(std::move(payload));
  return head;
}

}  // namespace

Ipv4StackCounters& Ipv4StackCounters::operator+=(const Ipv4StackCounters& o) {
  frames_in += o.frames_in;
  not_for_us += o.not_for_us;
  unknown_ethertype += o.unknown_ethertype;
  unknown_protocol += o.unknown_protocol;
  fragments += o.fragments;
  for (size_t i = 0; i < static_cast<size_t>(wire::DropReason::kCount); ++i) malformed[i] += o.malformed[i];
  arp_replies_sent += o.arp_replies_sent;
  echo_replies_sent += o.echo_replies_sent;
  echo_replies_received += o.echo_replies_received;
  udp_in += o.udp_in;
  udp_no_socket += o.udp_no_socket;
  udp_out += o.udp_out;
  no_route += o.no_route;
  arp_failed += o.arp_failed;
  tx_errors += o.tx_errors;
  return *this;
}

uint64_t Ipv4StackCounters::malformed_total() const {
  uint64_t total = 0;
  for (uint64_t n : malformed) total += n;
  return total;
}

Ipv4Stack::Ipv4Stack(EthernetDevice& device, const Ipv4StackConfig& config)
    : device_(device),
      config_(config),
      mac_(device.mac()),
      udp_ports_(new std::atomic<UdpHandler*>[kPorts]),
      arp_(config.arp) {
  for (size_t p = 0; p < kPorts; ++p) udp_ports_[p].store(nullptr, std::memory_order_relaxed);
  device_.SetReceiver(this);
}

Ipv4Stack::~Ipv4Stack() { device_.SetReceiver(nullptr); }

void Ipv4Stack::Start() {
  if (started_) return;
  started_ = true;
  timer_core_ = MyCore();
  timer_id_ = timer->Start(kTickNs, [this] { TickArp(); }, /*periodic=*/true);
  // RFC 5227 §2.3: announce the address (neighbours with a stale entry update it).
  Result<std::unique_ptr<IOBuf>> announcement =
      wire::BuildArpFrame(wire::GratuitousArp(mac_, config_.address.address), wire::MacAddress::Broadcast());
  if (announcement.ok() && !device_.Transmit(std::move(announcement).value(), {}).ok()) ++Mine().tx_errors;
}

void Ipv4Stack::Stop() {
  if (!started_) return;
  started_ = false;
  (void)timer->Cancel(timer_id_);
}

Status Ipv4Stack::BindUdp(uint16_t port, UdpHandler* handler) {
  if (port == 0 || handler == nullptr) return Status(StatusCode::kInvalidArgument, "BindUdp: port 0 or no handler");
  SpinLockGuard guard(bind_lock_);
  UdpHandler* expected = nullptr;
  if (!udp_ports_[port].compare_exchange_strong(expected, handler, std::memory_order_release)) {
    return Status(StatusCode::kAlreadyExists, "BindUdp: port in use");
  }
  return Status::Ok();
}

void Ipv4Stack::UnbindUdp(uint16_t port) {
  // A datagram being delivered on another core may still hold the handler: the caller
  // keeps it alive for a grace period (ebbrt::CallRcu) before destroying it.
  udp_ports_[port].store(nullptr, std::memory_order_release);
}

void Ipv4Stack::OnEchoReply(MovableFunction<void(wire::Ipv4Address, uint16_t, uint16_t)> on_reply) {
  on_echo_reply_ = std::move(on_reply);
}

void Ipv4Stack::Malformed(const Status& status) {
  ++Mine().malformed[static_cast<size_t>(wire::DropReasonOf(status))];
}

void Ipv4Stack::ReceiveFrame(std::unique_ptr<IOBuf> frame, const RxMetadata& rx) {
  Ipv4StackCounters& c = Mine();
  ++c.frames_in;
  Result<wire::EthernetFrame> eth = wire::ParseEthernet(*frame);
  if (!eth.ok()) return Malformed(eth.status());
  const wire::EthernetHeader& header = eth.value().header;
  if (!(header.dst == mac_) && !header.dst.IsBroadcast()) {
    ++c.not_for_us;
    return;
  }
  switch (header.ethertype) {
    case wire::kEtherTypeArp:
      return ReceiveArp(*frame, eth.value().payload_offset, eth.value().payload_length);
    case wire::kEtherTypeIpv4:
      return ReceiveIpv4(std::move(frame), eth.value().payload_offset, eth.value().payload_length, rx);
    default:
      ++c.unknown_ethertype;
  }
}

void Ipv4Stack::ReceiveArp(const IOBuf& frame, size_t offset, size_t length) {
  Result<wire::ArpPacket> arp = wire::ParseArp(frame, offset, length);
  if (!arp.ok()) return Malformed(arp.status());
  const wire::ArpPacket& packet = arp.value();
  const bool for_us = packet.target_ip == config_.address.address;
  // RFC 826 "Packet Reception": update a known sender; add it when the packet is for us.
  Vector<ArpCache::Packet> ready;
  {
    SpinLockGuard guard(arp_lock_);
    if (for_us || arp_.Peek(packet.sender_ip, NowNs()).has_value()) {
      ready = arp_.Learn(packet.sender_ip, packet.sender_mac, NowNs());
    }
  }
  for (ArpCache::Packet& waiting : ready) (void)TransmitTo(packet.sender_mac, wire::kEtherTypeIpv4, std::move(waiting));
  if (for_us && packet.operation == wire::ArpOperation::kRequest && !packet.IsGratuitous()) {
    Result<std::unique_ptr<IOBuf>> reply = wire::BuildArpFrame(wire::ArpReplyTo(packet, mac_), packet.sender_mac);
    if (reply.ok()) {
      if (device_.Transmit(std::move(reply).value(), {}).ok()) {
        ++Mine().arp_replies_sent;
      } else {
        ++Mine().tx_errors;
      }
    }
  }
}

void Ipv4Stack::ReceiveIpv4(std::unique_ptr<IOBuf> frame, size_t offset, size_t length, const RxMetadata& rx) {
  Ipv4StackCounters& c = Mine();
  Result<wire::Ipv4Packet> ip = wire::ParseIpv4(*frame, offset, length);
  if (!ip.ok()) return Malformed(ip.status());
  const wire::Ipv4Header& h = ip.value().header;
  if (!(h.dst == config_.address.address) && !h.dst.IsBroadcast() && !(h.dst == config_.address.Broadcast())) {
    ++c.not_for_us;
    return;
  }
  if (h.IsFragment()) {
    ++c.fragments;
    return;
  }
  const size_t at = ip.value().payload_offset;
  const size_t bytes = ip.value().payload_length;
  if (h.protocol == wire::kIpProtocolIcmp) {
    Result<wire::IcmpMessage> icmp = wire::ParseIcmp(*frame, at, bytes);
    if (!icmp.ok()) return Malformed(icmp.status());
    if (icmp.value().type == wire::kIcmpEchoRequest) {
      Result<std::unique_ptr<IOBuf>> reply = wire::BuildEchoReply(std::move(frame), icmp.value());
      if (reply.ok() && SendIpv4(h.src, wire::kIpProtocolIcmp, std::move(reply).value()).ok()) ++c.echo_replies_sent;
    } else if (icmp.value().type == wire::kIcmpEchoReply) {
      ++c.echo_replies_received;
      if (on_echo_reply_) on_echo_reply_(h.src, icmp.value().echo_id(), icmp.value().echo_sequence());
    }
    return;
  }
  if (h.protocol != wire::kIpProtocolUdp) {
    ++c.unknown_protocol;
    return;
  }
  Result<wire::UdpDatagram> udp = wire::ParseUdp(
      *frame, at, bytes, h.src, h.dst, rx.checksum_valid ? wire::UdpChecksumCheck::kTrusted : wire::UdpChecksumCheck::kVerify);
  if (!udp.ok()) return Malformed(udp.status());
  UdpHandler* handler = udp_ports_[udp.value().header.dst_port].load(std::memory_order_acquire);
  if (handler == nullptr) {
    ++c.udp_no_socket;
    // RFC 1122 §4.1.3.1: port unreachable, but never in answer to a broadcast.
    if (h.dst == config_.address.address) {
      Result<std::unique_ptr<IOBuf>> unreachable = wire::BuildPortUnreachable(*frame, ip.value());
      if (unreachable.ok()) (void)SendIpv4(h.src, wire::kIpProtocolIcmp, std::move(unreachable).value());
    }
    return;
  }
  ++c.udp_in;
  const uint16_t from_port = udp.value().header.src_port;
  handler->ReceiveUdp(h.src, from_port,
                      wire::TakeRange(std::move(frame), udp.value().payload_offset, udp.value().payload_length));
}

Status Ipv4Stack::SendUdp(wire::Ipv4Address to, uint16_t to_port, uint16_t from_port, std::unique_ptr<IOBuf> payload) {
  std::unique_ptr<IOBuf> packet = WithHeadroom(std::move(payload));
  EBBRT_TRY(wire::PrependUdp(*packet, {.src_port = from_port, .dst_port = to_port}, config_.address.address, to));
  EBBRT_TRY(SendIpv4(to, wire::kIpProtocolUdp, std::move(packet)));
  ++Mine().udp_out;
  return Status::Ok();
}

Status Ipv4Stack::SendPing(wire::Ipv4Address to, uint16_t id, uint16_t sequence, size_t payload_bytes) {
  std::unique_ptr<IOBuf> payload;
  if (payload_bytes > 0) {
    payload = UniqueIOBuf::Create(payload_bytes);
    for (size_t i = 0; i < payload_bytes; ++i) payload->MutableData()[i] = static_cast<uint8_t>(i);
    payload->Append(payload_bytes);
  }
  std::unique_ptr<IOBuf> request = EBBRT_TRY(wire::BuildEchoRequest(id, sequence, std::move(payload)));
  return SendIpv4(to, wire::kIpProtocolIcmp, std::move(request));
}

Status Ipv4Stack::SendIpv4(wire::Ipv4Address to, uint8_t protocol, std::unique_ptr<IOBuf> packet) {
  wire::Ipv4Address next_hop = to;
  if (!config_.address.Contains(to) && !to.IsBroadcast()) {
    if (config_.gateway.IsAny()) {
      ++Mine().no_route;
      return Status(StatusCode::kUnavailable, "IPv4: no route (off the network, no gateway)");
    }
    next_hop = config_.gateway;
  }
  packet = WithHeadroom(std::move(packet));
  wire::Ipv4Header header{.id = next_ip_id_.fetch_add(1, std::memory_order_relaxed),
                          .dont_fragment = true,
                          .protocol = protocol,
                          .src = config_.address.address,
                          .dst = to};
  EBBRT_TRY(wire::PrependIpv4(*packet, header));
  if (to.IsBroadcast() || to == config_.address.Broadcast()) {
    return TransmitTo(wire::MacAddress::Broadcast(), wire::kEtherTypeIpv4, std::move(packet));
  }
  ArpCache::Lookup found;
  {
    SpinLockGuard guard(arp_lock_);
    found = arp_.Resolve(next_hop, NowNs(), std::move(packet));
  }
  if (found.send_request) {
    Result<std::unique_ptr<IOBuf>> request =
        wire::BuildArpFrame(wire::ArpRequest(mac_, config_.address.address, next_hop), wire::MacAddress::Broadcast());
    if (request.ok() && !device_.Transmit(std::move(request).value(), {}).ok()) ++Mine().tx_errors;
  }
  if (found.refused) return Status(StatusCode::kResourceExhausted, "ARP: no room to resolve another neighbour");
  if (found.mac) return TransmitTo(*found.mac, wire::kEtherTypeIpv4, std::move(found.packet));
  return Status::Ok();  // queued until the neighbour answers
}

Status Ipv4Stack::TransmitTo(const wire::MacAddress& mac, uint16_t ethertype, std::unique_ptr<IOBuf> packet) {
  EBBRT_TRY(wire::PrependEthernet(*packet, {.dst = mac, .src = mac_, .ethertype = ethertype}));
  Status sent = device_.Transmit(std::move(packet), {});
  if (!sent.ok()) ++Mine().tx_errors;
  return sent;
}

void Ipv4Stack::TickArp() {
  Vector<wire::Ipv4Address> ask;
  uint64_t failed = 0;
  {
    SpinLockGuard guard(arp_lock_);
    const uint64_t failed_before = arp_.counters().dropped_failed;
    (void)arp_.Tick(NowNs(), [&ask](wire::Ipv4Address ip) { ask.PushBack(ip); });
    failed = arp_.counters().dropped_failed - failed_before;
  }
  for (wire::Ipv4Address ip : ask) {
    Result<std::unique_ptr<IOBuf>> request =
        wire::BuildArpFrame(wire::ArpRequest(mac_, config_.address.address, ip), wire::MacAddress::Broadcast());
    if (request.ok() && !device_.Transmit(std::move(request).value(), {}).ok()) ++Mine().tx_errors;
  }
  Mine().arp_failed += failed;
}

Ipv4StackCounters Ipv4Stack::counters() const {
  Ipv4StackCounters sum;
  for (size_t core = 0; core < kMaxCores; ++core) sum += counters_[core];
  return sum;
}

void Ipv4Stack::PrintCounters(const char* prefix) const {
  const Ipv4StackCounters c = counters();
  const ArpCacheCounters arp = arp_counters();
  const struct {
    const char* name;
    uint64_t value;
  } lines[] = {
      {"frames_in", c.frames_in},           {"not_for_us", c.not_for_us},
      {"unknown_ethertype", c.unknown_ethertype}, {"unknown_protocol", c.unknown_protocol},
      {"fragments_dropped", c.fragments},   {"arp_replies_sent", c.arp_replies_sent},
      {"echo_replies_sent", c.echo_replies_sent}, {"echo_replies_received", c.echo_replies_received},
      {"udp_in", c.udp_in},                 {"udp_no_socket", c.udp_no_socket},
      {"udp_out", c.udp_out},               {"no_route", c.no_route},
      {"arp_failed", c.arp_failed},         {"tx_errors", c.tx_errors},
      {"arp_requests", arp.requests},       {"arp_resolved", arp.resolved},
      {"arp_dropped_queue_full", arp.dropped_queue_full},
  };
  char line[96];
  for (const auto& l : lines) {
    if (l.value == 0) continue;
    snprintf(line, sizeof(line), "[%s] %s %llu\n", prefix, l.name, static_cast<unsigned long long>(l.value));
    ConsolePrint(line);
  }
  for (size_t r = 1; r < static_cast<size_t>(wire::DropReason::kCount); ++r) {
    if (c.malformed[r] == 0) continue;
    snprintf(line, sizeof(line), "[%s] drop %s %llu\n", prefix, wire::DropReasonName(static_cast<wire::DropReason>(r)),
             static_cast<unsigned long long>(c.malformed[r]));
    ConsolePrint(line);
  }
}

ArpCacheCounters Ipv4Stack::arp_counters() const {
  SpinLockGuard guard(arp_lock_);
  return arp_.counters();
}

}  // namespace ebbrt::net
