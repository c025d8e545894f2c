// SPDX-License-Identifier: Apache-2.0
// BinaryProtocol: memcached's binary protocol, one instance per connection.
//
// Requests are a 24-byte header (magic 0x80, opcode, key length, extras length, body
// length, opaque, CAS; big-endian), then extras, key and value. The header, extras and
// key (at most 24 + 255 + 250 bytes) are gathered in a fixed buffer; a value streams into
// its SharedIOBuf. Replies echo the opcode and opaque and carry the item's CAS; GET hits
// link the stored value's clone.
//
// Behaviour follows memcached 1.6.18 (proto_bin.c), checked against Debian's memcached:
//   * quiet opcodes (GetQ, GetKQ, SetQ, AddQ, ReplaceQ, DeleteQ, IncrementQ, DecrementQ,
//     QuitQ, FlushQ, AppendQ, PrependQ, GATQ, GATKQ) send no success reply (a GetQ/GATQ
//     hit is still sent, its miss is not); errors are always sent; Noop answers, so a
//     client knows the quiet ones before it are done;
//   * set/add/replace with a non-zero CAS are a compare-and-swap; a failed add says
//     KEY_EEXISTS, a failed replace KEY_ENOENT, a failed append/prepend NOT_STORED;
//   * an unknown opcode answers UNKNOWN_COMMAND and skips its body;
//   * a value over the item size limit answers E2BIG and skips the value; for SET/SETQ
//     (with or without a CAS) it also removes the key's old item, as a SET refused for
//     memory does;
//   * malformed requests close the connection: a bad magic silently; extras + key longer
//     than the body with UNKNOWN_COMMAND; a key over 250 bytes or lengths wrong for the
//     opcode with EINVAL.
// Deliberate differences: memcached skips <body length> bytes after an unknown command's
// key and extras (eating part of the next request); we skip only the rest of the body.
// Touch/GAT and Stat bodies longer than extras + key are EINVAL (memcached would read
// the surplus as the next header). Out of memory is decided after a CAS compare, so a SET
// with a CAS refused for memory keeps the old item (memcached fails the allocation first
// and drops it).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <memory>
#include <string_view>

#include "apps/memcached/reply_builder.h"
#include "apps/memcached/store.h"
#include "ebbrt/iobuf/iobuf.h"

namespace memcached {

namespace binary {

inline constexpr uint8_t kRequestMagic = 0x80;
inline constexpr uint8_t kResponseMagic = 0x81;
inline constexpr size_t kHeaderSize = 24;

enum Opcode : uint8_t {
  kGet = 0x00,
  kSet = 0x01,
  kAdd = 0x02,
  kReplace = 0x03,
  kDelete = 0x04,
  kIncrement = 0x05,
  kDecrement = 0x06,
  kQuit = 0x07,
  kFlush = 0x08,
  kGetQ = 0x09,
  kNoop = 0x0a,
  kVersion = 0x0b,
  kGetK = 0x0c,
  kGetKQ = 0x0d,
  kAppend = 0x0e,
  kPrepend = 0x0f,
  kStat = 0x10,
  kSetQ = 0x11,
  kAddQ = 0x12,
  kReplaceQ = 0x13,
  kDeleteQ = 0x14,
  kIncrementQ = 0x15,
  kDecrementQ = 0x16,
  kQuitQ = 0x17,
  kFlushQ = 0x18,
  kAppendQ = 0x19,
  kPrependQ = 0x1a,
  kTouch = 0x1c,
  kGat = 0x1d,
  kGatQ = 0x1e,
  kGatK = 0x23,
  kGatKQ = 0x24,
};

enum Status : uint16_t {
  kSuccess = 0x00,
  kKeyNotFound = 0x01,
  kKeyExists = 0x02,
  kTooLarge = 0x03,
  kInvalidArguments = 0x04,
  kNotStored = 0x05,
  kNonNumeric = 0x06,
  kUnknownCommand = 0x81,
  kOutOfMemory = 0x82,
};

}  // namespace binary

class BinaryProtocol {
 public:
  BinaryProtocol(ItemStore& store, ReplyBuilder& out);
  BinaryProtocol(const BinaryProtocol&) = delete;
  BinaryProtocol& operator=(const BinaryProtocol&) = delete;

  // Consumes `size` bytes of the connection. Returns false when the connection must be
  // closed (quit, malformed request); queued replies are still to be sent, and nothing
  // more may be fed.
  bool Feed(const uint8_t* data, size_t size);

 private:
  enum class State : uint8_t { kHeader, kValue, kSwallow };
  struct Header {
    uint8_t opcode = 0;
    uint8_t extras_length = 0;
    uint16_t key_length = 0;
    uint32_t body_length = 0;
    uint32_t opaque = 0;  // as received (echoed byte for byte)
    uint64_t cas = 0;
  };

  // Decodes the fixed header in buffer_; false to close.
  bool ParseHeader();
  // Runs the request whose header, extras and key are in buffer_; false to close.
  bool Dispatch();
  bool ProtocolError();
  void BeginUpdate(uint8_t command, const uint8_t* extras);
  void CompleteUpdate();
  void ProcessGet(uint8_t command, const uint8_t* extras);
  void ProcessDelta(uint8_t command, const uint8_t* extras);
  void ProcessStat();

  std::string_view Key() const;
  // A response to the current request: header, extras, key, then `body` bytes and the
  // `value` chain (if any). Success responses of quiet requests are dropped by callers.
  void Respond(uint16_t status, const void* extras, size_t extras_length, std::string_view key,
               std::string_view body, uint64_t cas,
               std::unique_ptr<ebbrt::IOBuf> value = nullptr);
  void Success(uint64_t cas = 0, std::string_view body = {});
  void Error(uint16_t status);
  void Skip(uint64_t bytes);

  ItemStore& store_;
  ReplyBuilder& out_;
  State state_ = State::kHeader;
  // Header, extras and key of the current request. The key stays here until the next
  // request's header overwrites buffer_, which is after this request's value.
  uint8_t buffer_[binary::kHeaderSize + 255 + kMaxKeyLength];
  size_t have_ = 0;
  size_t need_ = binary::kHeaderSize;
  Header header_;
  bool quiet_ = false;

  // The update whose value is arriving.
  uint8_t update_command_ = 0;
  StoreMode mode_ = StoreMode::kSet;
  uint32_t flags_ = 0;
  int64_t exptime_ = 0;
  std::unique_ptr<ebbrt::IOBuf> value_;
  size_t value_length_ = 0;

  uint64_t skip_ = 0;
};

}  // namespace memcached
