// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/net/dhcp_client.h"

#include <utility>

#include "ebbrt/base/result.h"

namespace ebbrt::net {
namespace {

constexpr uint64_t kNsPerSecond = 1'000'000'000;
constexpr uint32_t kInfiniteLease = 0xffffffff;

}  // namespace

const char* DhcpClient::StateName(State state) {
  switch (state) {
    case State::kInit: return "INIT";
    case State::kSelecting: return "SELECTING";
    case State::kRequesting: return "REQUESTING";
    case State::kBound: return "BOUND";
    case State::kRenewing: return "RENEWING";
    case State::kRebinding: return "REBINDING";
  }
  return "?";
}

uint32_t DhcpClient::NextXid() {
  // xorshift32: distinct transaction ids per attempt, replayable from the seed.
  xid_state_ ^= xid_state_ << 13;
  xid_state_ ^= xid_state_ >> 17;
  xid_state_ ^= xid_state_ << 5;
  return xid_state_;
}

Vector<DhcpSend> DhcpClient::One(DhcpSend send) {
  ++counters_.sent;
  Vector<DhcpSend> out;
  out.PushBack(std::move(send));
  return out;
}

Vector<DhcpSend> DhcpClient::Discover(uint64_t now_ns) {
  state_ = State::kSelecting;
  lease_.reset();
  xid_ = NextXid();
  retries_left_ = config_.max_retries;
  backoff_ns_ = config_.first_retry_ns;
  Arm(now_ns, backoff_ns_);
  return One({.message = wire::DhcpDiscover(mac_, xid_), .broadcast = true});
}

Vector<DhcpSend> DhcpClient::Start(uint64_t now_ns) { return Discover(now_ns); }

uint64_t DhcpClient::RenewRetryDelay(uint64_t now_ns, uint64_t until_ns) const {
  // RFC 2131 §4.4.5: wait half the time left, but not less than 60 s.
  const uint64_t left = until_ns > now_ns ? until_ns - now_ns : 0;
  const uint64_t half = left / 2;
  return half > config_.min_renew_retry_ns ? half : config_.min_renew_retry_ns;
}

void DhcpClient::Bind(const wire::DhcpMessage& ack, uint64_t now_ns) {
  DhcpLease lease;
  const wire::Ipv4Address mask = ack.subnet_mask.value_or(wire::Ipv4Address::FromOctets(255, 255, 255, 0));
  Result<wire::Ipv4Prefix> prefix = wire::Ipv4Prefix::FromMask(ack.yiaddr, mask);
  lease.address = prefix.ok() ? prefix.value() : wire::Ipv4Prefix{.address = ack.yiaddr, .length = 24};
  if (ack.routers.count > 0) lease.router = ack.routers.items[0];
  lease.server = ack.server_id.value_or(lease_ ? lease_->server : offer_server_);
  lease.bound_at_ns = now_ns;
  const uint32_t seconds = ack.lease_time.value_or(3600);
  if (seconds == kInfiniteLease) {
    lease.t1_ns = lease.t2_ns = lease.expiry_ns = UINT64_MAX;
  } else {
    const uint64_t length = uint64_t{seconds} * kNsPerSecond;
    // RFC 2131 §4.4.5: T1 defaults to 0.5 x lease, T2 to 0.875 x lease.
    const uint64_t t1 = ack.renewal_time ? uint64_t{*ack.renewal_time} * kNsPerSecond : length / 2;
    const uint64_t t2 = ack.rebinding_time ? uint64_t{*ack.rebinding_time} * kNsPerSecond : length / 8 * 7;
    lease.expiry_ns = now_ns + length;
    lease.t2_ns = now_ns + (t2 < length ? t2 : length);
    lease.t1_ns = now_ns + (t1 < t2 ? t1 : t2);
  }
  lease_ = lease;
  state_ = State::kBound;
  if (lease.t1_ns == UINT64_MAX) {
    deadline_.reset();
  } else {
    deadline_ = lease.t1_ns;
  }
}

Vector<DhcpSend> DhcpClient::Receive(const wire::DhcpMessage& message, uint64_t now_ns) {
  Vector<DhcpSend> none;
  if (message.op != wire::DhcpOp::kBootReply || message.xid != xid_ || !(message.chaddr == mac_) ||
      !message.message_type) {
    ++counters_.ignored;
    return none;
  }
  const wire::DhcpMessageType type = *message.message_type;
  switch (state_) {
    case State::kSelecting:
      if (type != wire::DhcpMessageType::kOffer || !message.server_id || message.yiaddr.IsAny()) break;
      // The first offer wins (RFC 2131 §4.4.1 lets the client choose).
      ++counters_.offers;
      offered_ = message.yiaddr;
      offer_server_ = *message.server_id;
      state_ = State::kRequesting;
      retries_left_ = config_.max_retries;
      backoff_ns_ = config_.first_retry_ns;
      Arm(now_ns, backoff_ns_);
      return One({.message = wire::DhcpRequestSelecting(mac_, xid_, offer_server_, offered_), .broadcast = true});
    case State::kRequesting:
    case State::kRenewing:
    case State::kRebinding:
      if (type == wire::DhcpMessageType::kAck) {
        ++counters_.acks;
        if (state_ != State::kRequesting) ++counters_.renewals;
        Bind(message, now_ns);
        return none;
      }
      if (type == wire::DhcpMessageType::kNak) {
        ++counters_.naks;
        return Discover(now_ns);  // RFC 2131 §4.4.1: back to INIT
      }
      break;
    case State::kInit:
    case State::kBound:
      break;
  }
  ++counters_.ignored;
  return none;
}

Vector<DhcpSend> DhcpClient::Tick(uint64_t now_ns) {
  Vector<DhcpSend> none;
  if (!deadline_ || now_ns < *deadline_) return none;
  switch (state_) {
    case State::kInit:
      return Discover(now_ns);
    case State::kSelecting:
    case State::kRequesting: {
      if (retries_left_ == 0) {
        // This attempt failed: start over a while later.
        ++counters_.failed_attempts;
        state_ = State::kInit;
        Arm(now_ns, config_.restart_ns);
        return none;
      }
      --retries_left_;
      ++counters_.retransmissions;
      backoff_ns_ = backoff_ns_ * 2 > config_.max_retry_ns ? config_.max_retry_ns : backoff_ns_ * 2;
      Arm(now_ns, backoff_ns_);
      if (state_ == State::kSelecting) return One({.message = wire::DhcpDiscover(mac_, xid_), .broadcast = true});
      return One({.message = wire::DhcpRequestSelecting(mac_, xid_, offer_server_, offered_), .broadcast = true});
    }
    case State::kBound:
    case State::kRenewing:
    case State::kRebinding:
      break;
  }
  // A lease: renew at T1, rebind at T2, give it up at expiry.
  const DhcpLease& lease = *lease_;
  if (now_ns >= lease.expiry_ns) {
    ++counters_.expired;
    return Discover(now_ns);
  }
  if (now_ns >= lease.t2_ns) {
    if (state_ != State::kRebinding) xid_ = NextXid();
    state_ = State::kRebinding;
    const uint64_t delay = RenewRetryDelay(now_ns, lease.expiry_ns);
    deadline_ = now_ns + delay < lease.expiry_ns ? now_ns + delay : lease.expiry_ns;
    return One({.message = wire::DhcpRequestRenewing(mac_, xid_, lease.address.address), .broadcast = true});
  }
  if (state_ != State::kRenewing) xid_ = NextXid();
  state_ = State::kRenewing;
  const uint64_t delay = RenewRetryDelay(now_ns, lease.t2_ns);
  deadline_ = now_ns + delay < lease.t2_ns ? now_ns + delay : lease.t2_ns;
  return One({.message = wire::DhcpRequestRenewing(mac_, xid_, lease.address.address), .broadcast = false,
              .to = lease.server});
}

}  // namespace ebbrt::net
