// SPDX-License-Identifier: Apache-2.0
#include "bench/memcached/protocol.h"

#include <stdio.h>
#include <string.h>

namespace mcbench {
namespace {

// Binary protocol constants (memcached binary protocol: header layout and opcodes).
constexpr uint8_t kRequestMagic = 0x80;
constexpr uint8_t kResponseMagic = 0x81;
constexpr uint8_t kOpGet = 0x00;
constexpr uint8_t kOpSet = 0x01;
constexpr uint16_t kStatusOk = 0x0000;
constexpr uint16_t kStatusKeyNotFound = 0x0001;
constexpr size_t kBinaryHeader = 24;
// Larger than any value we store (memcached's default item limit is 1 MiB; -I can raise
// it to 1 GiB); a length beyond this means the stream is corrupt, not a big value.
constexpr uint64_t kMaxBody = uint64_t{1} << 30;

void Append(std::vector<char>* out, std::string_view s) {
  out->insert(out->end(), s.begin(), s.end());
}

void AppendU32Decimal(std::vector<char>* out, uint32_t v) {
  char buf[16];
  int n = snprintf(buf, sizeof(buf), "%u", v);
  out->insert(out->end(), buf, buf + n);
}

void PutBe16(char* p, uint16_t v) {
  p[0] = static_cast<char>(v >> 8);
  p[1] = static_cast<char>(v);
}

void PutBe32(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (24 - 8 * i));
}

uint16_t GetBe16(const char* p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}

uint32_t GetBe32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

void AppendBinaryHeader(std::vector<char>* out, uint8_t opcode, uint16_t key_len,
                        uint8_t extras_len, uint32_t body_len, uint32_t opaque) {
  char h[kBinaryHeader] = {};
  h[0] = static_cast<char>(kRequestMagic);
  h[1] = static_cast<char>(opcode);
  PutBe16(h + 2, key_len);
  h[4] = static_cast<char>(extras_len);
  // h[5] data type 0 (raw bytes), h[6..7] vbucket 0.
  PutBe32(h + 8, body_len);
  PutBe32(h + 12, opaque);
  // h[16..23] CAS 0: unconditional.
  out->insert(out->end(), h, h + kBinaryHeader);
}

// The bytes as a quoted, escaped, bounded string for error messages.
std::string Printable(const char* p, size_t n) {
  constexpr size_t kLimit = 120;
  std::string s = "\"";
  for (size_t i = 0; i < n && i < kLimit; ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c == '\r') {
      s += "\\r";
    } else if (c == '\n') {
      s += "\\n";
    } else if (c == '"' || c == '\\') {
      s += '\\';
      s += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      s += static_cast<char>(c);
    } else {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\x%02x", c);
      s += buf;
    }
  }
  if (n > kLimit) s += "...";
  s += "\"";
  return s;
}

Reply Make(Outcome outcome, size_t consumed, std::string detail = {}) {
  Reply r;
  r.outcome = outcome;
  r.consumed = consumed;
  r.detail = std::move(detail);
  return r;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// A decimal number of at most 20 digits that fits in uint64_t; false otherwise.
bool ParseDecimal(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t next = v * 10 + static_cast<uint64_t>(c - '0');
    if (next / 10 != v) return false;  // overflow
    v = next;
  }
  *out = v;
  return true;
}

// Splits off the next space-separated token.
std::string_view NextToken(std::string_view* rest) {
  size_t space = rest->find(' ');
  std::string_view token = rest->substr(0, space);
  *rest = space == std::string_view::npos ? std::string_view() : rest->substr(space + 1);
  return token;
}

Reply ParseAscii(const char* data, size_t len, const Expected& expected) {
  size_t scan = len < kMaxReplyLine ? len : kMaxReplyLine;
  const char* nl = static_cast<const char*>(memchr(data, '\n', scan));
  if (nl == nullptr) {
    if (len >= kMaxReplyLine) {
      return Make(Outcome::kProtocolError, 0,
                  "no end of line in the first " + std::to_string(kMaxReplyLine) +
                      " bytes of a reply: " + Printable(data, len));
    }
    return Make(Outcome::kNeedMore, 0);
  }
  size_t line_len = static_cast<size_t>(nl - data) + 1;
  if (line_len < 2 || data[line_len - 2] != '\r') {
    return Make(Outcome::kProtocolError, 0,
                "reply line not terminated by \\r\\n: " + Printable(data, line_len));
  }
  std::string_view line(data, line_len - 2);

  // Errors any command can get (protocol.txt "Error strings"); the server stays in step.
  if (line == "ERROR" || StartsWith(line, "CLIENT_ERROR") || StartsWith(line, "SERVER_ERROR")) {
    return Make(Outcome::kServerError, line_len, Printable(line.data(), line.size()));
  }

  if (expected.op == Op::kSet) {
    if (line == "STORED") return Make(Outcome::kStored, line_len);
    if (line == "NOT_STORED" || line == "EXISTS" || line == "NOT_FOUND") {
      return Make(Outcome::kServerError, line_len,
                  "set answered " + Printable(line.data(), line.size()));
    }
    return Make(Outcome::kProtocolError, 0,
                "unexpected reply to set: " + Printable(data, line_len));
  }

  // GET: "END" (miss) or "VALUE <key> <flags> <bytes> [<cas>]\r\n<data>\r\nEND\r\n".
  if (line == "END") return Make(Outcome::kMiss, line_len);
  if (!StartsWith(line, "VALUE ")) {
    return Make(Outcome::kProtocolError, 0,
                "unexpected reply to get: " + Printable(data, line_len));
  }
  std::string_view rest = line.substr(6);
  std::string_view key = NextToken(&rest);
  std::string_view flags = NextToken(&rest);
  std::string_view bytes_token = NextToken(&rest);
  std::string_view cas = NextToken(&rest);
  uint64_t flags_value = 0;
  uint64_t bytes = 0;
  uint64_t cas_value = 0;
  if (key.empty() || !ParseDecimal(flags, &flags_value) || !ParseDecimal(bytes_token, &bytes) ||
      bytes > kMaxBody || (!cas.empty() && !ParseDecimal(cas, &cas_value)) || !rest.empty()) {
    return Make(Outcome::kProtocolError, 0, "malformed VALUE line: " + Printable(data, line_len));
  }
  static constexpr std::string_view kEnd = "\r\nEND\r\n";
  size_t total = line_len + static_cast<size_t>(bytes) + kEnd.size();
  if (len < total) return Make(Outcome::kNeedMore, 0);
  if (std::string_view(data + line_len + bytes, kEnd.size()) != kEnd) {
    return Make(Outcome::kProtocolError, 0,
                "value of " + std::to_string(bytes) + " bytes not followed by \\r\\nEND\\r\\n: " +
                    Printable(data + line_len + bytes, kEnd.size()));
  }
  if (key != expected.key) {
    return Make(Outcome::kBadValue, total,
                "get " + Printable(expected.key.data(), expected.key.size()) +
                    " answered for key " + Printable(key.data(), key.size()));
  }
  if (bytes != expected.value.size()) {
    return Make(Outcome::kBadValue, total,
                "get " + Printable(expected.key.data(), expected.key.size()) + " returned " +
                    std::to_string(bytes) + " bytes, expected " +
                    std::to_string(expected.value.size()));
  }
  if (memcmp(data + line_len, expected.value.data(), bytes) != 0) {
    return Make(Outcome::kBadValue, total,
                "get " + Printable(expected.key.data(), expected.key.size()) +
                    " returned the right length but the wrong bytes");
  }
  return Make(Outcome::kHit, total);
}

Reply ParseBinary(const char* data, size_t len, const Expected& expected) {
  if (len < kBinaryHeader) return Make(Outcome::kNeedMore, 0);
  uint8_t magic = static_cast<uint8_t>(data[0]);
  uint8_t opcode = static_cast<uint8_t>(data[1]);
  uint16_t key_len = GetBe16(data + 2);
  uint8_t extras_len = static_cast<uint8_t>(data[4]);
  uint16_t status = GetBe16(data + 6);
  uint32_t body_len = GetBe32(data + 8);
  uint32_t opaque = GetBe32(data + 12);
  if (magic != kResponseMagic) {
    return Make(Outcome::kProtocolError, 0,
                "binary reply with magic " + Printable(data, 1) + ", expected 0x81");
  }
  if (body_len > kMaxBody || static_cast<uint32_t>(key_len) + extras_len > body_len) {
    return Make(Outcome::kProtocolError, 0,
                "binary reply with inconsistent lengths: " + Printable(data, kBinaryHeader));
  }
  size_t total = kBinaryHeader + body_len;
  if (len < total) return Make(Outcome::kNeedMore, 0);
  uint8_t want_op = expected.op == Op::kGet ? kOpGet : kOpSet;
  if (opcode != want_op || opaque != expected.opaque) {
    char buf[128];
    snprintf(buf, sizeof(buf),
             "binary reply out of step: opcode 0x%02x opaque %u, expected 0x%02x opaque %u", opcode,
             opaque, want_op, expected.opaque);
    return Make(Outcome::kProtocolError, 0, buf);
  }
  const char* body = data + kBinaryHeader;
  if (status == kStatusKeyNotFound && expected.op == Op::kGet) return Make(Outcome::kMiss, total);
  if (status != kStatusOk) {
    char buf[64];
    snprintf(buf, sizeof(buf), "binary status 0x%04x: ", status);
    size_t message = body_len - extras_len - key_len;
    return Make(Outcome::kServerError, total,
                buf + Printable(body + extras_len + key_len, message));
  }
  if (expected.op == Op::kSet) return Make(Outcome::kStored, total);
  // GET success: 4 bytes of flags in the extras, no key (opcode GET, not GETK), the value.
  if (extras_len != 4) {
    return Make(
        Outcome::kBadValue, total,
        "binary get reply with " + std::to_string(extras_len) + " extras bytes, expected 4");
  }
  size_t value_len = body_len - extras_len - key_len;
  const char* value = body + extras_len + key_len;
  if (value_len != expected.value.size()) {
    return Make(Outcome::kBadValue, total,
                "get " + Printable(expected.key.data(), expected.key.size()) + " returned " +
                    std::to_string(value_len) + " bytes, expected " +
                    std::to_string(expected.value.size()));
  }
  if (memcmp(value, expected.value.data(), value_len) != 0) {
    return Make(Outcome::kBadValue, total,
                "get " + Printable(expected.key.data(), expected.key.size()) +
                    " returned the right length but the wrong bytes");
  }
  return Make(Outcome::kHit, total);
}

}  // namespace

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kNeedMore:
      return "need_more";
    case Outcome::kHit:
      return "hit";
    case Outcome::kMiss:
      return "miss";
    case Outcome::kStored:
      return "stored";
    case Outcome::kServerError:
      return "server_error";
    case Outcome::kBadValue:
      return "bad_value";
    case Outcome::kProtocolError:
      return "protocol_error";
  }
  return "?";
}

void AppendGet(Protocol protocol, std::string_view key, uint32_t opaque, std::vector<char>* out) {
  if (protocol == Protocol::kAscii) {
    Append(out, "get ");
    Append(out, key);
    Append(out, "\r\n");
    return;
  }
  AppendBinaryHeader(out, kOpGet, static_cast<uint16_t>(key.size()), 0,
                     static_cast<uint32_t>(key.size()), opaque);
  Append(out, key);
}

void AppendSet(Protocol protocol, std::string_view key, std::string_view value, uint32_t opaque,
               std::vector<char>* out) {
  if (protocol == Protocol::kAscii) {
    // set <key> <flags> <exptime> <bytes>\r\n<data>\r\n
    Append(out, "set ");
    Append(out, key);
    Append(out, " 0 0 ");
    AppendU32Decimal(out, static_cast<uint32_t>(value.size()));
    Append(out, "\r\n");
    Append(out, value);
    Append(out, "\r\n");
    return;
  }
  constexpr uint8_t kExtras = 8;  // flags (4) and expiration (4), both 0
  AppendBinaryHeader(out, kOpSet, static_cast<uint16_t>(key.size()), kExtras,
                     static_cast<uint32_t>(kExtras + key.size() + value.size()), opaque);
  out->insert(out->end(), kExtras, '\0');
  Append(out, key);
  Append(out, value);
}

Reply ParseReply(Protocol protocol, const char* data, size_t len, const Expected& expected) {
  return protocol == Protocol::kAscii ? ParseAscii(data, len, expected)
                                      : ParseBinary(data, len, expected);
}

}  // namespace mcbench
