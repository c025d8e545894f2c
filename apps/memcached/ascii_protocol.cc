// SPDX-License-Identifier: Apache-2.0
#include "apps/memcached/ascii_protocol.h"

#include <string.h>

#include <utility>

#include "apps/memcached/numbers.h"
#include "apps/memcached/stats_text.h"

namespace memcached {

using ebbrt::IOBuf;
using ebbrt::SharedIOBuf;

namespace {

constexpr std::string_view kBadFormat = "CLIENT_ERROR bad command line format";

bool StartsWith(const uint8_t* data, size_t size, std::string_view prefix) {
  return size >= prefix.size() && memcmp(data, prefix.data(), prefix.size()) == 0;
}

char* WriteDecimal(char* out, uint64_t value) { return out + FormatU64(value, out); }

}  // namespace

AsciiProtocol::AsciiProtocol(ItemStore& store, ReplyBuilder& out)
    : store_(store), out_(out), max_line_(store.config().item_size_limit + kLineMargin) {}

// memcached's tokenize_command over a line that is not NUL terminated: split on ' ' only;
// after kMaxTokens - 1 tokens the terminal token points at the unparsed rest.
size_t AsciiProtocol::Tokenize(const char* line, size_t length, Token* tokens) {
  size_t ntokens = 0;
  size_t start = 0;
  size_t end = 0;
  for (; end < length; ++end) {
    if (line[end] == ' ') {
      if (start != end) {
        tokens[ntokens++] = {line + start, end - start};
        if (ntokens == kMaxTokens - 1) {
          ++end;
          start = end;
          break;
        }
      }
      start = end + 1;
    }
  }
  if (start != end) tokens[ntokens++] = {line + start, end - start};
  tokens[ntokens++] = {end < length ? line + end : nullptr, 0};
  return ntokens;
}

bool AsciiProtocol::Feed(const uint8_t* data, size_t size) {
  while (size > 0) {
    switch (state_) {
      case State::kLine: {
        const auto* newline = static_cast<const uint8_t*>(memchr(data, '\n', size));
        if (newline == nullptr) {
          line_.Append(data, size);
          return CheckPartialLine();
        }
        size_t take = static_cast<size_t>(newline - data) + 1;
        bool keep;
        if (line_.empty()) {
          keep = ProcessLine(reinterpret_cast<const char*>(data), take - 1);
        } else {
          line_.Append(data, take - 1);
          keep = ProcessLine(reinterpret_cast<const char*>(line_.data()), line_.size());
          line_.Clear();
        }
        data += take;
        size -= take;
        if (!keep) return false;
        break;
      }
      case State::kValue: {
        size_t used = ReadValue(data, size);
        data += used;
        size -= used;
        break;
      }
      case State::kSwallow: {
        size_t used = swallow_ < size ? static_cast<size_t>(swallow_) : size;
        swallow_ -= used;
        data += used;
        size -= used;
        if (swallow_ == 0) state_ = State::kLine;
        break;
      }
    }
  }
  return true;
}

bool AsciiProtocol::CheckPartialLine() {
  if (line_.size() <= kMaxPlainLine) return true;
  // memcached: no '\n' in 2 KiB must be a large multiget (at most 100 leading spaces),
  // anything else closes the connection without a word.
  const uint8_t* line = line_.data();
  size_t size = line_.size();
  size_t spaces = 0;
  while (spaces < size && line[spaces] == ' ') ++spaces;
  if (spaces > 100 || (!StartsWith(line + spaces, size - spaces, "get ") &&
                       !StartsWith(line + spaces, size - spaces, "gets "))) {
    return false;
  }
  if (size > max_line_) {
    out_.Append("SERVER_ERROR out of memory reading request\r\n");
    return false;
  }
  return true;
}

size_t AsciiProtocol::ReadValue(const uint8_t* data, size_t size) {
  size_t used = 0;
  size_t want = value_length_ - value_->length();
  if (want > 0) {
    used = size < want ? size : want;
    memcpy(value_->MutableData() + value_->length(), data, used);
    value_->Append(used);
  }
  while (used < size && trailer_length_ < 2) trailer_[trailer_length_++] = data[used++];
  if (value_->length() == value_length_ && trailer_length_ == 2) {
    state_ = State::kLine;
    CompleteStore();
  }
  return used;
}

void AsciiProtocol::CompleteStore() {
  std::unique_ptr<IOBuf> value = std::move(value_);
  if (trailer_[0] != '\r' || trailer_[1] != '\n') {
    Reply("CLIENT_ERROR bad data chunk");
    return;
  }
  StoreResult result = store_.Store(mode_, std::string_view(key_, key_length_), flags_,
                                    exptime_, std::move(value), cas_, nullptr);
  switch (result) {
    case StoreResult::kStored:
      Reply("STORED");
      break;
    case StoreResult::kExists:
      Reply("EXISTS");
      break;
    case StoreResult::kNotFound:
      Reply("NOT_FOUND");
      break;
    case StoreResult::kNotStored:
      Reply("NOT_STORED");
      break;
    case StoreResult::kTooLarge:
      // Only append/prepend get here (the line was checked): memcached fails the
      // allocation of the combined item and says NOT_STORED.
      Reply(mode_ == StoreMode::kAppend || mode_ == StoreMode::kPrepend
                ? "NOT_STORED"
                : "SERVER_ERROR object too large for cache");
      break;
    case StoreResult::kNoMemory:
      Reply("SERVER_ERROR out of memory storing object");
      break;
  }
}

bool AsciiProtocol::SetNoreplyMaybe(const Token* tokens, size_t ntokens) {
  const Token& last = tokens[ntokens - 2];
  if (last.value != nullptr && View(last) == "noreply") noreply_ = true;
  return noreply_;
}

void AsciiProtocol::Reply(std::string_view line) {
  if (noreply_) {
    noreply_ = false;
    return;
  }
  char* out = out_.Reserve(line.size() + 2);
  memcpy(out, line.data(), line.size());
  out[line.size()] = '\r';
  out[line.size() + 1] = '\n';
  out_.Commit(line.size() + 2);
}

bool AsciiProtocol::ProcessLine(const char* line, size_t length) {
  noreply_ = false;
  // memcached strips the '\r' of "\r\n" (not from a line that is only "\r"), and its
  // string functions stop at a NUL.
  if (length > 1 && line[length - 1] == '\r') --length;
  if (const void* nul = memchr(line, '\0', length)) {
    length = static_cast<size_t>(static_cast<const char*>(nul) - line);
  }
  const char* line_end = line + length;

  Token tokens[kMaxTokens];
  size_t ntokens = Tokenize(line, length, tokens);
  if (ntokens < 2 || tokens[0].length < 2) {
    Reply("ERROR");
    return true;
  }
  std::string_view command = View(tokens[0]);
  auto want = [&](size_t a, size_t b) {
    if (ntokens == a || ntokens == b) return true;
    Reply("ERROR");
    return false;
  };

  switch (command[0]) {
    case 'g':
      if (ntokens < 3) {
        Reply("ERROR");
      } else if (command == "get") {
        ProcessGet(tokens, line_end, false, false);
      } else if (command == "gets") {
        ProcessGet(tokens, line_end, true, false);
      } else if (command == "gat") {
        ProcessGet(tokens, line_end, false, true);
      } else if (command == "gats") {
        ProcessGet(tokens, line_end, true, true);
      } else {
        Reply("ERROR");
      }
      return true;
    case 's':
      if (command == "set") {
        if (want(6, 7)) ProcessUpdate(tokens, ntokens, StoreMode::kSet, false);
      } else if (command == "stats") {
        ProcessStats(tokens, ntokens);
      } else if (command == "shutdown") {
        Reply("ERROR: shutdown not enabled");
      } else {
        Reply("ERROR");
      }
      return true;
    case 'a':
      if (command == "add") {
        if (want(6, 7)) ProcessUpdate(tokens, ntokens, StoreMode::kAdd, false);
      } else if (command == "append") {
        if (want(6, 7)) ProcessUpdate(tokens, ntokens, StoreMode::kAppend, false);
      } else {
        Reply("ERROR");
      }
      return true;
    case 'c':
      if (command == "cas") {
        if (want(7, 8)) ProcessUpdate(tokens, ntokens, StoreMode::kCas, true);
      } else {
        Reply("ERROR");
      }
      return true;
    case 'i':
      if (command == "incr") {
        if (want(4, 5)) ProcessArithmetic(tokens, ntokens, true);
      } else {
        Reply("ERROR");
      }
      return true;
    case 'd':
      if (command == "delete") {
        if (ntokens >= 3 && ntokens <= 5) {
          ProcessDelete(tokens, ntokens);
        } else {
          Reply("ERROR");
        }
      } else if (command == "decr") {
        if (want(4, 5)) ProcessArithmetic(tokens, ntokens, false);
      } else {
        Reply("ERROR");
      }
      return true;
    case 't':
      if (command == "touch") {
        if (want(4, 5)) ProcessTouch(tokens, ntokens);
      } else {
        Reply("ERROR");
      }
      return true;
    default:
      break;
  }
  if (command == "replace") {
    if (want(6, 7)) ProcessUpdate(tokens, ntokens, StoreMode::kReplace, false);
  } else if (command == "prepend") {
    if (want(6, 7)) ProcessUpdate(tokens, ntokens, StoreMode::kPrepend, false);
  } else if (command == "bget") {
    // The ancient alias memcached still keeps.
    if (ntokens < 3) {
      Reply("ERROR");
    } else {
      ProcessGet(tokens, line_end, false, false);
    }
  } else if (command == "flush_all") {
    if (ntokens >= 2 && ntokens <= 4) {
      ProcessFlushAll(tokens, ntokens);
    } else {
      Reply("ERROR");
    }
  } else if (command == "version") {
    out_.Append("VERSION ");
    out_.Append(kVersionString);
    out_.Append("\r\n");
  } else if (command == "quit") {
    return false;
  } else if (command == "verbosity") {
    if (want(3, 4)) ProcessVerbosity(tokens, ntokens);
  } else {
    Reply("ERROR");
  }
  return true;
}

void AsciiProtocol::ProcessGet(Token* tokens, const char* line_end, bool return_cas,
                               bool touch) {
  int32_t exptime = 0;
  size_t index = 1;
  if (touch) {
    if (!ParseI32(View(tokens[1]), &exptime)) {
      Reply("CLIENT_ERROR invalid exptime argument");
      return;
    }
    index = 2;
  }
  // A bad key later on the line discards the hits before it, so such a line's reply is
  // built apart and moved over at the end. A line whose keys are all fine (all of them
  // tokenized at once, none too long: nearly every line) writes straight into out_,
  // which saves a text buffer per GET.
  bool all_keys_fine = true;
  size_t last = index;
  for (; tokens[last].length != 0; ++last) {
    if (tokens[last].length > kMaxKeyLength) all_keys_fine = false;
  }
  if (tokens[last].value != nullptr) all_keys_fine = false;
  ReplyBuilder apart;
  ReplyBuilder& reply = all_keys_fine ? out_ : apart;
  while (true) {
    for (; tokens[index].length != 0; ++index) {
      std::string_view key = View(tokens[index]);
      if (key.size() > kMaxKeyLength) {
        Reply(kBadFormat);
        return;
      }
      GetResult hit;
      bool found = touch ? store_.GetAndTouch(key, exptime, &hit) : store_.Get(key, &hit);
      if (!found) continue;
      // "VALUE <key> <flags> <bytes>[ <cas>]\r\n", then the value itself, then "\r\n".
      char* start = reply.Reserve(6 + key.size() + 1 + 10 + 1 + 20 + 1 + 20 + 2);
      char* p = start;
      memcpy(p, "VALUE ", 6);
      p += 6;
      memcpy(p, key.data(), key.size());
      p += key.size();
      *p++ = ' ';
      p = WriteDecimal(p, hit.flags);
      *p++ = ' ';
      p = WriteDecimal(p, hit.value->length());
      if (return_cas) {
        *p++ = ' ';
        p = WriteDecimal(p, hit.cas);
      }
      *p++ = '\r';
      *p++ = '\n';
      reply.Commit(static_cast<size_t>(p - start));
      reply.AppendChain(std::move(hit.value));
      reply.Append("\r\n");
    }
    if (tokens[index].value == nullptr) break;
    // More keys than one tokenization holds: go on with the rest of the line.
    const char* rest = tokens[index].value;
    Tokenize(rest, static_cast<size_t>(line_end - rest), tokens);
    index = 0;
  }
  reply.Append("END\r\n");
  if (!all_keys_fine) out_.AppendBuilder(apart);
}

void AsciiProtocol::ProcessUpdate(Token* tokens, size_t ntokens, StoreMode mode,
                                  bool handle_cas) {
  SetNoreplyMaybe(tokens, ntokens);
  if (tokens[1].length > kMaxKeyLength) {
    Reply(kBadFormat);
    return;
  }
  uint32_t flags;
  int32_t exptime;
  int32_t length;
  if (!ParseU32(View(tokens[2]), &flags) || !ParseI32(View(tokens[3]), &exptime) ||
      !ParseI32(View(tokens[4]), &length)) {
    Reply(kBadFormat);
    return;
  }
  uint64_t cas = 0;
  if (handle_cas && !ParseU64(View(tokens[5]), &cas)) {
    Reply(kBadFormat);
    return;
  }
  if (length < 0 || length > INT32_MAX - 2) {
    Reply(kBadFormat);
    return;
  }
  size_t value_length = static_cast<size_t>(length);
  if (store_.RefuseIfTooLarge(mode, View(tokens[1]), value_length, flags)) {
    Reply("SERVER_ERROR object too large for cache");
    swallow_ = value_length + 2;
    state_ = State::kSwallow;
    return;
  }
  mode_ = mode;
  memcpy(key_, tokens[1].value, tokens[1].length);
  key_length_ = tokens[1].length;
  flags_ = flags;
  exptime_ = exptime;
  cas_ = cas;
  value_ = SharedIOBuf::Create(value_length);
  value_length_ = value_length;
  trailer_length_ = 0;
  state_ = State::kValue;
}

void AsciiProtocol::ProcessArithmetic(Token* tokens, size_t ntokens, bool incr) {
  SetNoreplyMaybe(tokens, ntokens);
  if (tokens[1].length > kMaxKeyLength) {
    Reply(kBadFormat);
    return;
  }
  uint64_t delta;
  if (!ParseU64(View(tokens[2]), &delta)) {
    Reply("CLIENT_ERROR invalid numeric delta argument");
    return;
  }
  uint64_t value;
  switch (store_.Delta(View(tokens[1]), incr, delta, 0, nullptr, &value, nullptr)) {
    case DeltaResult::kOk: {
      char text[20];
      Reply(std::string_view(text, FormatU64(value, text)));
      break;
    }
    case DeltaResult::kNonNumeric:
      Reply("CLIENT_ERROR cannot increment or decrement non-numeric value");
      break;
    case DeltaResult::kNoMemory:
      Reply("SERVER_ERROR out of memory");
      break;
    case DeltaResult::kNotFound:
    case DeltaResult::kExists:  // no CAS in the text protocol: cannot happen
      Reply("NOT_FOUND");
      break;
  }
}

void AsciiProtocol::ProcessDelete(Token* tokens, size_t ntokens) {
  if (ntokens > 3) {
    // "delete <key> 0", "delete <key> noreply" and "delete <key> 0 noreply" only.
    bool hold_is_zero = View(tokens[2]) == "0";
    bool sets_noreply = SetNoreplyMaybe(tokens, ntokens);
    bool valid = (ntokens == 4 && (hold_is_zero || sets_noreply)) ||
                 (ntokens == 5 && hold_is_zero && sets_noreply);
    if (!valid) {
      Reply("CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]");
      return;
    }
  }
  if (tokens[1].length > kMaxKeyLength) {
    Reply(kBadFormat);
    return;
  }
  Reply(store_.Delete(View(tokens[1])) == DeleteResult::kDeleted ? "DELETED" : "NOT_FOUND");
}

void AsciiProtocol::ProcessTouch(Token* tokens, size_t ntokens) {
  SetNoreplyMaybe(tokens, ntokens);
  if (tokens[1].length > kMaxKeyLength) {
    Reply(kBadFormat);
    return;
  }
  int32_t exptime;
  if (!ParseI32(View(tokens[2]), &exptime)) {
    Reply("CLIENT_ERROR invalid exptime argument");
    return;
  }
  Reply(store_.Touch(View(tokens[1]), exptime) ? "TOUCHED" : "NOT_FOUND");
}

void AsciiProtocol::ProcessFlushAll(Token* tokens, size_t ntokens) {
  SetNoreplyMaybe(tokens, ntokens);
  int32_t delay = 0;
  if (ntokens != (noreply_ ? 3u : 2u) && !ParseI32(View(tokens[1]), &delay)) {
    Reply("CLIENT_ERROR invalid exptime argument");
    return;
  }
  store_.FlushAll(delay);
  Reply("OK");
}

void AsciiProtocol::ProcessVerbosity(Token* tokens, size_t ntokens) {
  SetNoreplyMaybe(tokens, ntokens);
  uint32_t level;
  // Accepted and ignored: there is no log to make more verbose.
  Reply(ParseU32(View(tokens[1]), &level) ? "OK" : kBadFormat);
}

void AsciiProtocol::ProcessStats(Token* tokens, size_t ntokens) {
  auto emit = [this](const char* name, const char* value) {
    out_.Append("STAT ");
    out_.Append(name);
    out_.Append(" ");
    out_.Append(value);
    out_.Append("\r\n");
  };
  if (ntokens == 2) {
    ForEachGeneralStat(store_.Stats(), emit);
    out_.Append("END\r\n");
    return;
  }
  std::string_view sub = View(tokens[1]);
  if (sub == "reset") {
    store_.ResetStats();
    Reply("RESET");
  } else if (sub == "detail") {
    std::string_view arg = ntokens < 4 ? std::string_view() : View(tokens[2]);
    if (arg == "on" || arg == "off") {
      Reply("OK");  // there are no per-prefix stats to collect
    } else if (arg == "dump") {
      out_.Append("END\r\n");
    } else {
      Reply("CLIENT_ERROR usage: stats detail on|off|dump");
    }
  } else if (sub == "settings") {
    ForEachSettingsStat(store_.config(), emit);
    out_.Append("END\r\n");
  } else if (sub == "items" || sub == "slabs" || sub == "sizes" || sub == "conns") {
    // No slab classes or per-connection table here: an empty listing.
    out_.Append("END\r\n");
  } else {
    Reply("ERROR");
  }
}

}  // namespace memcached
