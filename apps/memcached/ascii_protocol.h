// SPDX-License-Identifier: Apache-2.0
// AsciiProtocol: memcached's text protocol (protocol.txt), one instance per connection.
//
// Feed() takes the connection's bytes in order, in pieces of any size; complete command
// lines are parsed in place when they arrive whole and otherwise gathered in a small
// buffer; a storage command's data block streams straight into the value's SharedIOBuf.
// Replies go to a ReplyBuilder (GET hits link the stored value, never copy it).
//
// Behaviour follows memcached 1.6.18, checked command by command against Debian's
// memcached: tokenizing on ' ' only, lines ending in "\n" or "\r\n", NUL truncating a
// line, number parsing (numbers.h), `noreply` suppressing every reply of its command
// (errors too), "CLIENT_ERROR bad data chunk" consuming exactly <bytes>+2 bytes and
// parsing what follows as commands, a too-large value answered with
// "SERVER_ERROR object too large for cache" and its <bytes>+2 swallowed (a `set` refused
// that way, or for memory, also removes the key's old item; add/replace/cas/append/
// prepend leave it), a line without '\n' past 2048 bytes closing the connection unless
// it is a get/gets (those may grow to the item size limit + 4 KiB, then
// "SERVER_ERROR out of memory reading request" and close). Deliberate differences:
// incr/decr store the new number without memcached's in-place space padding
// (protocol.txt allows either); meta commands
// (mg/ms/md/ma/mn/me) and admin commands (slabs, lru, watch, ...) answer ERROR.
//
//   ReplyBuilder out;
//   AsciiProtocol ascii(store, out);
//   bool keep_open = ascii.Feed(bytes, n);
//   sink.Send(out.Take());
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <memory>
#include <string_view>

#include "apps/memcached/byte_buffer.h"
#include "apps/memcached/reply_builder.h"
#include "apps/memcached/store.h"
#include "ebbrt/iobuf/iobuf.h"

namespace memcached {

class AsciiProtocol {
 public:
  // memcached: a line with no '\n' in this many bytes must be a multiget.
  static constexpr size_t kMaxPlainLine = 2048;
  // How far past the item size limit a multiget line may grow.
  static constexpr size_t kLineMargin = 4096;

  AsciiProtocol(ItemStore& store, ReplyBuilder& out);
  AsciiProtocol(const AsciiProtocol&) = delete;
  AsciiProtocol& operator=(const AsciiProtocol&) = delete;

  // Consumes `size` bytes of the connection. Returns false when the connection must be
  // closed (quit, or a request that may not grow further); the replies queued before
  // that are still to be sent, and nothing more may be fed.
  bool Feed(const uint8_t* data, size_t size);

 private:
  enum class State : uint8_t { kLine, kValue, kSwallow };
  struct Token {
    const char* value;  // null for the terminal token when the line was used up
    size_t length;
  };
  // memcached's MAX_TOKENS: the command and up to 22 arguments, then the rest.
  static constexpr size_t kMaxTokens = 24;

  static size_t Tokenize(const char* line, size_t length, Token* tokens);
  static std::string_view View(const Token& token) { return {token.value, token.length}; }

  bool CheckPartialLine();
  // Runs one command line (without its line ending); false to close.
  bool ProcessLine(const char* line, size_t length);
  size_t ReadValue(const uint8_t* data, size_t size);
  void CompleteStore();

  void ProcessGet(Token* tokens, const char* line_end, bool return_cas, bool touch);
  void ProcessUpdate(Token* tokens, size_t ntokens, StoreMode mode, bool handle_cas);
  void ProcessArithmetic(Token* tokens, size_t ntokens, bool incr);
  void ProcessDelete(Token* tokens, size_t ntokens);
  void ProcessTouch(Token* tokens, size_t ntokens);
  void ProcessFlushAll(Token* tokens, size_t ntokens);
  void ProcessVerbosity(Token* tokens, size_t ntokens);
  void ProcessStats(Token* tokens, size_t ntokens);

  bool SetNoreplyMaybe(const Token* tokens, size_t ntokens);
  // One reply line (without "\r\n"), unless the command said noreply (which it resets).
  void Reply(std::string_view line);

  ItemStore& store_;
  ReplyBuilder& out_;
  const size_t max_line_;
  State state_ = State::kLine;
  bool noreply_ = false;
  // A command line split across Feed calls.
  ByteBuffer line_;

  // The storage command whose data block is arriving.
  StoreMode mode_ = StoreMode::kSet;
  char key_[kMaxKeyLength];
  size_t key_length_ = 0;
  uint32_t flags_ = 0;
  int32_t exptime_ = 0;
  uint64_t cas_ = 0;
  std::unique_ptr<ebbrt::IOBuf> value_;
  size_t value_length_ = 0;
  uint8_t trailer_[2] = {};
  size_t trailer_length_ = 0;

  // Bytes of a refused data block still to skip.
  uint64_t swallow_ = 0;
};

}  // namespace memcached
