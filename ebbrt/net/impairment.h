// SPDX-License-Identifier: Apache-2.0
// Network impairment for tests: loss, duplication, reordering and corruption of frames,
// decided by a seeded generator so a failing run can be replayed exactly. The host has no
// netem, so every lossy test gets its faults from here: the in-memory device pair feeds
// its frames through an ImpairedChannel, and so does the relay between QEMU and a tap.
//
//   ImpairedChannel<Frame> channel({.loss = 0.05, .duplicate = 0.01, .reorder = 0.02,
//                                   .seed = 7},
//                                  [](const Frame& f) { return f; });  // how to copy one
//   channel.Send(std::move(frame), [&](Frame f) { peer.Deliver(std::move(f)); });
//   channel.Flush(deliver);   // frames still held back for reordering
//
// Decisions are per frame, independent, in this order: lost (nothing else happens), then
// corrupted (one byte flipped), duplicated (delivered twice), held back (delivered after
// the next frame instead of before it). Counters say what was done.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <optional>
#include <utility>

#include "ebbrt/base/movable_function.h"
#include "ebbrt/base/xorshift.h"

namespace ebbrt::net {

struct ImpairmentConfig {
  double loss = 0;       // probability a frame is dropped
  double duplicate = 0;  // probability a frame is delivered twice
  double reorder = 0;    // probability a frame is held back behind the next one
  double corrupt = 0;    // probability one byte of a frame is flipped
  uint64_t seed = 1;
};

struct ImpairmentCounters {
  uint64_t frames_in = 0;
  uint64_t lost = 0;
  uint64_t duplicated = 0;
  uint64_t reordered = 0;
  uint64_t corrupted = 0;
  uint64_t delivered = 0;  // copies handed on, duplicates included
};

// What happens to one frame of `length` bytes.
struct ImpairmentDecision {
  bool lose = false;
  bool duplicate = false;
  bool hold = false;
  std::optional<size_t> corrupt_offset;  // the byte to flip
  uint8_t corrupt_mask = 0;              // non-zero
};

class ImpairmentDecider {
 public:
  explicit ImpairmentDecider(const ImpairmentConfig& config) : config_(config), rng_(config.seed) {}

  ImpairmentDecision Next(size_t length) {
    ImpairmentDecision d;
    d.lose = Chance(config_.loss);
    if (d.lose) return d;
    if (Chance(config_.corrupt) && length > 0) {
      d.corrupt_offset = rng_.Below(length);
      d.corrupt_mask = static_cast<uint8_t>(1u << rng_.Below(8));
    }
    d.duplicate = Chance(config_.duplicate);
    d.hold = Chance(config_.reorder);
    return d;
  }

  const ImpairmentConfig& config() const { return config_; }

 private:
  bool Chance(double probability) {
    if (probability <= 0) return false;
    // 53 random bits as a fraction in [0, 1).
    return static_cast<double>(rng_.Next() >> 11) * (1.0 / 9007199254740992.0) < probability;
  }

  ImpairmentConfig config_;
  XorShift64Star rng_;
};

// Applies an ImpairmentDecider to a stream of frames of type Frame (a byte vector, an
// IOBuf chain...). `copy` makes an independent copy of a frame (for duplicates);
// `flip(frame, offset, mask)` flips bits of one byte (for corruption); `length(frame)`
// is its size in bytes.
template <typename Frame>
class ImpairedChannel {
 public:
  struct Ops {
    MovableFunction<Frame(const Frame&)> copy;
    MovableFunction<size_t(const Frame&)> length;
    MovableFunction<void(Frame&, size_t, uint8_t)> flip;
  };

  ImpairedChannel(const ImpairmentConfig& config, Ops ops) : decider_(config), ops_(std::move(ops)) {}

  // Passes `frame` through; `deliver` is called for each frame to hand on now (none, one,
  // two, or a held-back frame after this one).
  template <typename Deliver>
  void Send(Frame frame, Deliver&& deliver) {
    ++counters_.frames_in;
    ImpairmentDecision d = decider_.Next(ops_.length(frame));
    if (d.lose) {
      ++counters_.lost;
      return;
    }
    if (d.corrupt_offset) {
      ops_.flip(frame, *d.corrupt_offset, d.corrupt_mask);
      ++counters_.corrupted;
    }
    std::optional<Frame> copy;
    if (d.duplicate) {
      copy.emplace(ops_.copy(frame));
      ++counters_.duplicated;
    }
    std::optional<Frame> released = std::move(held_);
    held_.reset();
    if (d.hold && !released) {
      // Behind the next frame; a frame already held goes first, so at most one waits.
      held_.emplace(std::move(frame));
      ++counters_.reordered;
    } else {
      Hand(std::move(frame), deliver);
    }
    if (copy) Hand(std::move(*copy), deliver);
    if (released) Hand(std::move(*released), deliver);
  }

  // Hands on a frame still held back (call when the stream pauses or ends).
  template <typename Deliver>
  void Flush(Deliver&& deliver) {
    if (!held_) return;
    Frame frame = std::move(*held_);
    held_.reset();
    Hand(std::move(frame), deliver);
  }

  const ImpairmentCounters& counters() const { return counters_; }

 private:
  template <typename Deliver>
  void Hand(Frame frame, Deliver& deliver) {
    ++counters_.delivered;
    deliver(std::move(frame));
  }

  ImpairmentDecider decider_;
  Ops ops_;
  std::optional<Frame> held_;
  ImpairmentCounters counters_;
};

}  // namespace ebbrt::net
