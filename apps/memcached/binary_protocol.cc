// SPDX-License-Identifier: Apache-2.0
#include "apps/memcached/binary_protocol.h"

#include <string.h>

#include <utility>

#include "apps/memcached/stats_text.h"

namespace memcached {

using ebbrt::IOBuf;
using ebbrt::SharedIOBuf;
using namespace binary;  // NOLINT: the opcode and status names

namespace {

uint16_t LoadBe16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t LoadBe32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint64_t LoadBe64(const uint8_t* p) {
  return (uint64_t{LoadBe32(p)} << 32) | LoadBe32(p + 4);
}
void StoreBe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void StoreBe32(uint8_t* p, uint32_t v) {
  for (int i = 3; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}
void StoreBe64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}

// memcached's write_bin_error texts.
std::string_view ErrorText(uint16_t status) {
  switch (status) {
    case kKeyNotFound:
      return "Not found";
    case kKeyExists:
      return "Data exists for key.";
    case kTooLarge:
      return "Too large.";
    case kInvalidArguments:
      return "Invalid arguments";
    case kNotStored:
      return "Not stored.";
    case kNonNumeric:
      return "Non-numeric server-side value for incr or decr";
    case kUnknownCommand:
      return "Unknown command";
    case kOutOfMemory:
      return "Out of memory";
    default:
      return "UNHANDLED ERROR";
  }
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

}  // namespace

BinaryProtocol::BinaryProtocol(ItemStore& store, ReplyBuilder& out) : store_(store), out_(out) {}

bool BinaryProtocol::Feed(const uint8_t* data, size_t size) {
  while (size > 0) {
    switch (state_) {
      case State::kHeader: {
        size_t take = need_ - have_ < size ? need_ - have_ : size;
        memcpy(buffer_ + have_, data, take);
        have_ += take;
        data += take;
        size -= take;
        if (have_ < need_) break;
        if (need_ == kHeaderSize) {
          if (!ParseHeader()) return false;
          if (have_ < need_) break;  // extras and key still to come
        }
        if (!Dispatch()) return false;
        break;
      }
      case State::kValue: {
        size_t want = value_length_ - value_->length();
        size_t take = want < size ? want : size;
        memcpy(value_->MutableData() + value_->length(), data, take);
        value_->Append(take);
        data += take;
        size -= take;
        if (value_->length() == value_length_) CompleteUpdate();
        break;
      }
      case State::kSwallow: {
        size_t take = skip_ < size ? static_cast<size_t>(skip_) : size;
        skip_ -= take;
        data += take;
        size -= take;
        if (skip_ == 0) state_ = State::kHeader;
        break;
      }
    }
  }
  return true;
}

bool BinaryProtocol::ParseHeader() {
  const uint8_t* h = buffer_;
  header_.opcode = h[1];
  header_.key_length = LoadBe16(h + 2);
  header_.extras_length = h[4];
  header_.body_length = LoadBe32(h + 8);
  memcpy(&header_.opaque, h + 12, 4);
  header_.cas = LoadBe64(h + 16);
  // memcached closes on a bad magic without a reply.
  if (h[0] != kRequestMagic) return false;
  uint32_t key_and_extras = uint32_t{header_.key_length} + header_.extras_length;
  if (header_.key_length > header_.body_length || key_and_extras > header_.body_length) {
    Error(kUnknownCommand);
    return false;
  }
  if (header_.key_length > kMaxKeyLength) return ProtocolError();
  need_ = kHeaderSize + key_and_extras;
  return true;
}

bool BinaryProtocol::ProtocolError() {
  Error(kInvalidArguments);
  return false;
}

std::string_view BinaryProtocol::Key() const {
  return {reinterpret_cast<const char*>(buffer_ + kHeaderSize + header_.extras_length),
          header_.key_length};
}

void BinaryProtocol::Respond(uint16_t status, const void* extras, size_t extras_length,
                             std::string_view key, std::string_view body, uint64_t cas,
                             std::unique_ptr<IOBuf> value) {
  size_t value_length = value != nullptr ? value->ComputeChainDataLength() : 0;
  size_t inline_length = kHeaderSize + extras_length + key.size() + body.size();
  auto* p = reinterpret_cast<uint8_t*>(out_.Reserve(inline_length));
  p[0] = kResponseMagic;
  p[1] = header_.opcode;
  StoreBe16(p + 2, static_cast<uint16_t>(key.size()));
  p[4] = static_cast<uint8_t>(extras_length);
  p[5] = 0;  // raw bytes
  StoreBe16(p + 6, status);
  StoreBe32(p + 8, static_cast<uint32_t>(extras_length + key.size() + body.size() + value_length));
  memcpy(p + 12, &header_.opaque, 4);
  StoreBe64(p + 16, cas);
  uint8_t* q = p + kHeaderSize;
  if (extras_length > 0) memcpy(q, extras, extras_length);
  q += extras_length;
  if (!key.empty()) memcpy(q, key.data(), key.size());
  q += key.size();
  if (!body.empty()) memcpy(q, body.data(), body.size());
  out_.Commit(inline_length);
  if (value != nullptr) out_.AppendChain(std::move(value));
}

void BinaryProtocol::Success(uint64_t cas, std::string_view body) {
  if (quiet_) return;
  Respond(kSuccess, nullptr, 0, {}, body, cas);
}

void BinaryProtocol::Error(uint16_t status) { Respond(status, nullptr, 0, {}, ErrorText(status), 0); }

void BinaryProtocol::Skip(uint64_t bytes) {
  if (bytes == 0) return;
  skip_ = bytes;
  state_ = State::kSwallow;
}

bool BinaryProtocol::Dispatch() {
  // The next request's header goes to the start of buffer_; this request's extras and
  // key stay valid until then.
  have_ = 0;
  need_ = kHeaderSize;
  state_ = State::kHeader;

  const uint8_t* extras = buffer_ + kHeaderSize;
  const uint32_t extras_length = header_.extras_length;
  const uint32_t key_length = header_.key_length;
  const uint32_t body = header_.body_length;

  uint8_t command = header_.opcode;
  quiet_ = true;
  switch (command) {
    case kGetQ:
      command = kGet;
      break;
    case kGetKQ:
      command = kGetK;
      break;
    case kSetQ:
      command = kSet;
      break;
    case kAddQ:
      command = kAdd;
      break;
    case kReplaceQ:
      command = kReplace;
      break;
    case kDeleteQ:
      command = kDelete;
      break;
    case kIncrementQ:
      command = kIncrement;
      break;
    case kDecrementQ:
      command = kDecrement;
      break;
    case kQuitQ:
      command = kQuit;
      break;
    case kFlushQ:
      command = kFlush;
      break;
    case kAppendQ:
      command = kAppend;
      break;
    case kPrependQ:
      command = kPrepend;
      break;
    case kGatQ:
      command = kGat;
      break;
    case kGatKQ:
      command = kGatK;
      break;
    default:
      quiet_ = false;
  }

  switch (command) {
    case kVersion:
      if (extras_length != 0 || key_length != 0 || body != 0) return ProtocolError();
      Success(0, kVersionString);
      return true;
    case kFlush:
      if (key_length != 0 || body != extras_length || (extras_length != 0 && extras_length != 4)) {
        return ProtocolError();
      }
      store_.FlushAll(extras_length == 4 ? static_cast<int64_t>(LoadBe32(extras)) : 0);
      Success();
      return true;
    case kNoop:
      if (extras_length != 0 || key_length != 0 || body != 0) return ProtocolError();
      Success();
      return true;
    case kSet:
    case kAdd:
    case kReplace:
      if (extras_length != 8 || key_length == 0 || body < key_length + 8) return ProtocolError();
      BeginUpdate(command, extras);
      return true;
    case kAppend:
    case kPrepend:
      if (extras_length != 0 || key_length == 0) return ProtocolError();
      BeginUpdate(command, extras);
      return true;
    case kGet:
    case kGetK:
      if (extras_length != 0 || key_length == 0 || body != key_length) return ProtocolError();
      ProcessGet(command, extras);
      return true;
    case kTouch:
    case kGat:
    case kGatK:
      if (extras_length != 4 || key_length == 0 || body != key_length + 4) return ProtocolError();
      ProcessGet(command, extras);
      return true;
    case kDelete:
      if (extras_length != 0 || key_length == 0 || body != key_length) return ProtocolError();
      switch (store_.Delete(Key(), header_.cas)) {
        case DeleteResult::kDeleted:
          Success();
          break;
        case DeleteResult::kNotFound:
          Error(kKeyNotFound);
          break;
        case DeleteResult::kExists:
          Error(kKeyExists);
          break;
      }
      return true;
    case kIncrement:
    case kDecrement:
      if (extras_length != 20 || key_length == 0 || body != key_length + 20) {
        return ProtocolError();
      }
      ProcessDelta(command, extras);
      return true;
    case kStat:
      if (extras_length != 0 || body != key_length) return ProtocolError();
      ProcessStat();
      return true;
    case kQuit:
      if (extras_length != 0 || key_length != 0 || body != 0) return ProtocolError();
      Success();
      return false;
    default:
      Error(kUnknownCommand);
      Skip(body - extras_length - key_length);
      return true;
  }
}

void BinaryProtocol::BeginUpdate(uint8_t command, const uint8_t* extras) {
  uint32_t flags = 0;
  int64_t exptime = 0;
  if (command == kSet || command == kAdd || command == kReplace) {
    flags = LoadBe32(extras);
    exptime = static_cast<int64_t>(LoadBe32(extras + 4));
  }
  size_t value_length = header_.body_length - header_.key_length - header_.extras_length;
  switch (command) {
    case kSet:
      mode_ = StoreMode::kSet;
      break;
    case kAdd:
      mode_ = StoreMode::kAdd;
      break;
    case kReplace:
      mode_ = StoreMode::kReplace;
      break;
    case kAppend:
      mode_ = StoreMode::kAppend;
      break;
    default:
      mode_ = StoreMode::kPrepend;
      break;
  }
  // Before the CAS turns a set into kCas: memcached drops the old item of a too-large
  // SET whether or not it carries a CAS.
  if (store_.RefuseIfTooLarge(mode_, Key(), value_length, flags)) {
    Error(kTooLarge);
    Skip(value_length);
    return;
  }
  // memcached: set/add/replace carrying a CAS are a compare-and-swap.
  if (header_.cas != 0 && (command == kSet || command == kAdd || command == kReplace)) {
    mode_ = StoreMode::kCas;
  }
  update_command_ = command;
  flags_ = flags;
  exptime_ = exptime;
  value_ = SharedIOBuf::Create(value_length);
  value_length_ = value_length;
  state_ = State::kValue;
  if (value_length == 0) CompleteUpdate();
}

void BinaryProtocol::CompleteUpdate() {
  state_ = State::kHeader;
  uint64_t cas = 0;
  StoreResult result = store_.Store(mode_, Key(), flags_, exptime_, std::move(value_),
                                    header_.cas, &cas);
  switch (result) {
    case StoreResult::kStored:
      Success(cas);
      break;
    case StoreResult::kExists:
      Error(kKeyExists);
      break;
    case StoreResult::kNotFound:
      Error(kKeyNotFound);
      break;
    case StoreResult::kNoMemory:
      Error(kOutOfMemory);
      break;
    case StoreResult::kNotStored:
    case StoreResult::kTooLarge:
      Error(update_command_ == kAdd       ? kKeyExists
            : update_command_ == kReplace ? kKeyNotFound
                                          : kNotStored);
      break;
  }
}

void BinaryProtocol::ProcessGet(uint8_t command, const uint8_t* extras) {
  bool touch = command == kTouch || command == kGat || command == kGatK;
  bool return_key = command == kGetK || command == kGatK;
  bool return_value = command != kTouch;
  std::string_view key = Key();
  GetResult hit;
  bool found = touch ? store_.GetAndTouch(key, static_cast<int64_t>(LoadBe32(extras)), &hit)
                     : store_.Get(key, &hit);
  if (found) {
    // Hits are answered even for GetQ/GetKQ/GATQ/GATKQ.
    uint8_t flags[4];
    StoreBe32(flags, hit.flags);
    Respond(kSuccess, flags, sizeof(flags), return_key ? key : std::string_view(), {},
            hit.cas, return_value ? std::move(hit.value) : nullptr);
    return;
  }
  if (quiet_) return;
  if (return_key) {
    Respond(kKeyNotFound, nullptr, 0, key, {}, 0);  // GetK: the key, no text
  } else {
    Error(kKeyNotFound);
  }
}

void BinaryProtocol::ProcessDelta(uint8_t command, const uint8_t* extras) {
  uint64_t delta = LoadBe64(extras);
  uint32_t expiration = LoadBe32(extras + 16);
  DeltaCreate create{LoadBe64(extras + 8), static_cast<int64_t>(expiration)};
  uint64_t value = 0;
  uint64_t cas = 0;
  DeltaResult result = store_.Delta(Key(), command == kIncrement, delta, header_.cas,
                                    expiration != 0xffffffffu ? &create : nullptr, &value, &cas);
  switch (result) {
    case DeltaResult::kOk: {
      if (quiet_) return;
      uint8_t body[8];
      StoreBe64(body, value);
      Respond(kSuccess, nullptr, 0, {},
              std::string_view(reinterpret_cast<const char*>(body), sizeof(body)), cas);
      break;
    }
    case DeltaResult::kNotFound:
      Error(kKeyNotFound);
      break;
    case DeltaResult::kNonNumeric:
      Error(kNonNumeric);
      break;
    case DeltaResult::kExists:
      Error(kKeyExists);
      break;
    case DeltaResult::kNoMemory:
      Error(kOutOfMemory);
      break;
  }
}

void BinaryProtocol::ProcessStat() {
  // One response per statistic (key = name, value = value), then an empty one.
  auto emit = [this](const char* name, const char* value) {
    Respond(kSuccess, nullptr, 0, name, value, 0);
  };
  std::string_view sub = Key();
  if (sub.empty()) {
    ForEachGeneralStat(store_.Stats(), emit);
  } else if (StartsWith(sub, "reset")) {
    store_.ResetStats();
  } else if (StartsWith(sub, "settings")) {
    ForEachSettingsStat(store_.config(), emit);
  } else if (StartsWith(sub, "detail")) {
    std::string_view arg = sub.substr(6);
    if (!StartsWith(arg, " on") && !StartsWith(arg, " off") && !StartsWith(arg, " dump")) {
      Error(kKeyNotFound);
      return;
    }
  } else if (sub == "items" || sub == "slabs" || sub == "sizes" || sub == "conns") {
    // Nothing to list (no slab classes here): just the terminator.
  } else {
    Error(kKeyNotFound);
    return;
  }
  Respond(kSuccess, nullptr, 0, {}, {}, 0);
}

}  // namespace memcached
