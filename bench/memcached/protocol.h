// SPDX-License-Identifier: Apache-2.0
// The client side of the memcached protocols the load generator speaks: request encoders
// that append to an output buffer and a reply parser that checks each reply against the
// request it answers (replies come back in request order on a connection).
//
// ASCII: memcached's doc/protocol.txt ("get", "set", and the VALUE/END/STORED replies).
// Binary: the memcached binary protocol (24-byte headers; GET opcode 0x00, SET 0x01;
// https://github.com/memcached/memcached/wiki/BinaryProtocolRevamped).
//
// The parser is stateless: it is handed the unparsed bytes and the oldest outstanding
// request, and either consumes one whole reply or asks for more bytes. A reply is checked
// completely: the key echoed in VALUE, the length, every value byte, the terminators.
//
//   std::vector<char> out;
//   AppendGet(Protocol::kAscii, key, /*opaque=*/1, &out);
//   ...
//   Reply r = ParseReply(Protocol::kAscii, data, len, expected);
//   if (r.outcome == Outcome::kNeedMore) read more; else consume r.consumed bytes.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <string>
#include <string_view>
#include <vector>

namespace mcbench {

enum class Protocol { kAscii, kBinary };
enum class Op : uint8_t { kGet, kSet };

void AppendGet(Protocol protocol, std::string_view key, uint32_t opaque, std::vector<char>* out);
void AppendSet(Protocol protocol, std::string_view key, std::string_view value, uint32_t opaque,
               std::vector<char>* out);

// What the reply to a request should look like.
struct Expected {
  Op op;
  std::string_view key;
  std::string_view value;  // for a GET: the bytes a hit must return
  uint32_t opaque;         // binary only: echoed by the server
};

enum class Outcome {
  kNeedMore,       // no complete reply yet; nothing consumed
  kHit,            // GET returned exactly the expected value
  kMiss,           // GET: not found
  kStored,         // SET: stored
  kServerError,    // a well-formed error reply (ERROR, CLIENT_ERROR, SERVER_ERROR,
                   // NOT_STORED, a binary non-success status): the stream stays in step
  kBadValue,       // a well-framed reply with the wrong key, length or bytes
  kProtocolError,  // bytes that are not a valid reply to this request: the connection
                   // cannot be trusted any more and must be closed
};

const char* OutcomeName(Outcome outcome);

struct Reply {
  Outcome outcome = Outcome::kNeedMore;
  size_t consumed = 0;
  std::string detail;  // for errors: what was wrong, with the offending line if any
};

// Longest ASCII reply line we accept before calling the stream broken (a VALUE line is
// at most ~290 bytes; error lines are short).
inline constexpr size_t kMaxReplyLine = 4096;

Reply ParseReply(Protocol protocol, const char* data, size_t len, const Expected& expected);

}  // namespace mcbench
