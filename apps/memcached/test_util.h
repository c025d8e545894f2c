// SPDX-License-Identifier: Apache-2.0
// Test helpers for the memcached store and protocols (hosted tests only, std:: allowed).
// Code runs on a core through ebbrt/testing/on_cores.h, included here:
//
//   InFreshRun(1, [] {
//     ItemStore store;
//     Client client(store);
//     EXPECT_EQ(client.Send("set k 0 0 1\r\nx\r\n"), "STORED\r\n");
//   });
#pragma once

#include <stdint.h>
#include <string.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "apps/memcached/session.h"
#include "apps/memcached/store.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/testing/on_cores.h"
#include "gtest/gtest.h"

namespace memcached::testing {

// A clock tests move by hand.
inline std::atomic<int64_t> fake_now{1'700'000'000};
inline int64_t FakeClock() { return fake_now.load(); }

// Runs `body` as the first event of a fresh runtime; the test calls ebbrt::Stop itself.
inline void RunUntilStopped(std::function<void()> body, size_t cores = 1) {
  ebbrt::Run(cores, [&body] { body(); });
}

// Runs `then` once every core has moved on from the events running now: by then every
// item unlinked so far has been freed.
inline void AfterGracePeriod(std::function<void()> then) {
  ebbrt::CallRcu([then = std::move(then)] { then(); });
}

inline std::unique_ptr<ebbrt::IOBuf> Bytes(std::string_view text) {
  return ebbrt::UniqueIOBuf::CopyOf(text.data(), text.size());
}

inline std::string ChainText(const ebbrt::IOBuf& chain) {
  std::string text;
  for (const ebbrt::IOBuf& link : chain) {
    text.append(reinterpret_cast<const char*>(link.data()), link.length());
  }
  return text;
}

// A value for ItemStore::Store.
inline std::unique_ptr<ebbrt::IOBuf> Value(std::string_view text) {
  auto value = ebbrt::SharedIOBuf::Create(text.size());
  if (!text.empty()) memcpy(value->MutableData(), text.data(), text.size());
  value->Append(text.size());
  return value;
}

// Records what a session sends.
class FakeSink : public ReplySink {
 public:
  void Send(std::unique_ptr<ebbrt::IOBuf> reply) override {
    EXPECT_FALSE(closed) << "Send after Close";
    EXPECT_NE(reply, nullptr);
    text += ChainText(*reply);
    ++sends;
    chains.push_back(std::move(reply));
  }
  void Close() override {
    EXPECT_FALSE(closed) << "Close twice";
    closed = true;
  }
  std::string TakeText() {
    std::string taken;
    taken.swap(text);
    return taken;
  }

  std::string text;
  std::vector<std::unique_ptr<ebbrt::IOBuf>> chains;
  bool closed = false;
  int sends = 0;
};

// A connection: a Session with a FakeSink. Must live on an EbbRT core.
struct Client {
  explicit Client(ItemStore& store) : session(store, sink) {}

  // Sends `request` in one Receive; returns what came back.
  std::string Send(std::string_view request) {
    session.Receive(Bytes(request));
    return sink.TakeText();
  }
  // Sends `request` one byte per Receive.
  std::string SendBytewise(std::string_view request) {
    for (char c : request) session.Receive(Bytes(std::string_view(&c, 1)));
    return sink.TakeText();
  }
  // Sends `request` as one chain of `pieces` links.
  std::string SendChained(std::string_view request, size_t pieces) {
    std::unique_ptr<ebbrt::IOBuf> head;
    size_t step = request.size() / pieces + 1;
    for (size_t at = 0; at < request.size(); at += step) {
      auto link = Bytes(request.substr(at, step));
      if (head == nullptr) {
        head = std::move(link);
      } else {
        head->AppendChain(std::move(link));
      }
    }
    session.Receive(std::move(head));
    return sink.TakeText();
  }

  FakeSink sink;
  Session session;
};

// --- Binary protocol -----------------------------------------------------------------------

inline std::string Be16(uint16_t v) { return {static_cast<char>(v >> 8), static_cast<char>(v)}; }
inline std::string Be32(uint32_t v) { return Be16(static_cast<uint16_t>(v >> 16)) + Be16(static_cast<uint16_t>(v)); }
inline std::string Be64(uint64_t v) { return Be32(static_cast<uint32_t>(v >> 32)) + Be32(static_cast<uint32_t>(v)); }

struct BinRequest {
  BinRequest(uint8_t opcode_, std::string key_ = "", std::string extras_ = "",
             std::string value_ = "", uint32_t opaque_ = 0, uint64_t cas_ = 0)
      : opcode(opcode_),
        key(std::move(key_)),
        extras(std::move(extras_)),
        value(std::move(value_)),
        opaque(opaque_),
        cas(cas_) {}

  uint8_t opcode = 0;
  std::string key;
  std::string extras;
  std::string value;
  uint32_t opaque = 0;
  uint64_t cas = 0;
  uint8_t magic = 0x80;

  std::string Encode() const {
    std::string out;
    out += static_cast<char>(magic);
    out += static_cast<char>(opcode);
    out += Be16(static_cast<uint16_t>(key.size()));
    out += static_cast<char>(extras.size());
    out += '\0';
    out += Be16(0);
    out += Be32(static_cast<uint32_t>(extras.size() + key.size() + value.size()));
    out += Be32(opaque);
    out += Be64(cas);
    return out + extras + key + value;
  }
};

inline std::string SetExtras(uint32_t flags, uint32_t exptime) { return Be32(flags) + Be32(exptime); }
inline std::string DeltaExtras(uint64_t delta, uint64_t initial, uint32_t exptime) {
  return Be64(delta) + Be64(initial) + Be32(exptime);
}

struct BinResponse {
  uint8_t magic = 0;
  uint8_t opcode = 0;
  uint16_t status = 0;
  uint32_t opaque = 0;
  uint64_t cas = 0;
  std::string extras;
  std::string key;
  std::string value;
};

inline uint64_t LoadBe(std::string_view bytes) {
  uint64_t v = 0;
  for (char c : bytes) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

// Splits `bytes` into responses; a trailing partial response is an error.
inline std::vector<BinResponse> ParseResponses(std::string_view bytes) {
  std::vector<BinResponse> out;
  while (!bytes.empty()) {
    EXPECT_GE(bytes.size(), 24u) << "truncated response header";
    if (bytes.size() < 24) break;
    BinResponse r;
    r.magic = static_cast<uint8_t>(bytes[0]);
    r.opcode = static_cast<uint8_t>(bytes[1]);
    size_t key_length = LoadBe(bytes.substr(2, 2));
    size_t extras_length = static_cast<uint8_t>(bytes[4]);
    r.status = static_cast<uint16_t>(LoadBe(bytes.substr(6, 2)));
    size_t body = LoadBe(bytes.substr(8, 4));
    r.opaque = static_cast<uint32_t>(LoadBe(bytes.substr(12, 4)));
    r.cas = LoadBe(bytes.substr(16, 8));
    EXPECT_GE(bytes.size(), 24 + body) << "truncated response body";
    if (bytes.size() < 24 + body) break;
    r.extras = std::string(bytes.substr(24, extras_length));
    r.key = std::string(bytes.substr(24 + extras_length, key_length));
    r.value = std::string(bytes.substr(24 + extras_length + key_length,
                                       body - extras_length - key_length));
    out.push_back(std::move(r));
    bytes.remove_prefix(24 + body);
  }
  return out;
}

}  // namespace memcached::testing
