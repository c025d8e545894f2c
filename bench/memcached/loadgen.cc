// SPDX-License-Identifier: Apache-2.0
// loadgen: a memcached load generator for comparing memcached servers side by side.
//
// Standalone on purpose: plain Linux epoll and non-blocking sockets, no EbbRT code, so it
// cannot favour the EbbRT server it is used to measure. See README.md for every flag and
// what each number means.
//
//   loadgen --port=11211 --connections=16 --preload --duration=5           # closed loop
//   loadgen --port=11211 --qps=50000 --duration=5                          # open loop
//   loadgen --port=11211 --preload --sla-us=500 --search                   # QPS at p99 <= 500us
//
// Closed loop: every connection keeps --pipeline requests outstanding; latency runs from
// the moment a request is queued for sending. Open loop: requests arrive as a Poisson
// process at --qps in total, each assigned to a random connection (pipelined behind any
// outstanding ones); latency runs from the request's *intended* arrival time, so a slow
// server (or a late client) cannot hide queueing delay ("coordinated omission").
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "bench/memcached/histogram.h"
#include "bench/memcached/protocol.h"
#include "bench/memcached/rng.h"
#include "bench/memcached/workload.h"

namespace mcbench {
namespace {

constexpr int64_t kNsPerSec = 1000000000;

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * kNsPerSec + ts.tv_nsec;
}

[[noreturn]] void Die(const char* format, ...) {
  va_list args;
  va_start(args, format);
  fprintf(stderr, "loadgen: error: ");
  vfprintf(stderr, format, args);
  fprintf(stderr, "\n");
  va_end(args);
  exit(2);
}

std::string Format(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  std::string s(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  if (n > 0) vsnprintf(s.data(), s.size() + 1, format, args);
  va_end(args);
  return s;
}

// ---------------------------------------------------------------------------------------
// Options

struct Options {
  std::string host = "127.0.0.1";
  uint32_t port = 11211;
  uint32_t threads = 1;
  uint32_t connections = 16;
  uint32_t pipeline = 1;
  double qps = 0;  // > 0: open loop
  double duration = 3;
  double warmup = 0.5;
  double drain_timeout = 1;
  double connect_timeout = 5;
  double preload_timeout = 60;
  uint32_t keys = 10000;
  std::string key_dist = "fixed";
  uint32_t key_size = 30;
  std::string value_dist = "fixed";
  uint32_t value_size = 32;
  uint32_t value_max = 65536;
  double get_ratio = 0.9;
  bool preload = false;
  bool allow_misses = false;
  std::string protocol = "ascii";
  uint32_t max_outstanding = 256;  // open loop: per connection
  bool spin = false;
  bool json = false;
  bool csv = false;
  bool csv_header = false;
  bool histogram = false;
  bool quiet = false;
  double sla_us = 0;
  bool search = false;
  uint32_t search_steps = 7;
  uint32_t search_retries = 1;
  double search_duration = 1.5;
  double search_warmup = 0.5;
  double search_max_qps = 0;
  uint64_t seed = 1;
  bool help = false;

  Protocol proto = Protocol::kAscii;
};

enum class FlagKind { kBool, kU32, kU64, kDouble, kString };

struct FlagSpec {
  const char* name;
  FlagKind kind;
  void* ptr;
  const char* help;
};

std::vector<FlagSpec> Flags(Options* o) {
  return {
      {"host", FlagKind::kString, &o->host, "server address (name or IP)"},
      {"port", FlagKind::kU32, &o->port, "server TCP port"},
      {"threads", FlagKind::kU32, &o->threads, "worker threads, each with its own epoll loop"},
      {"connections", FlagKind::kU32, &o->connections,
       "connections in total, spread over the threads"},
      {"pipeline", FlagKind::kU32, &o->pipeline,
       "closed loop: requests outstanding per connection"},
      {"qps", FlagKind::kDouble, &o->qps,
       "open loop: target requests/s in total (Poisson arrivals); 0 = closed loop"},
      {"duration", FlagKind::kDouble, &o->duration, "measured seconds"},
      {"warmup", FlagKind::kDouble, &o->warmup,
       "seconds of load before measuring (excluded from the stats)"},
      {"drain-timeout", FlagKind::kDouble, &o->drain_timeout,
       "seconds to wait for outstanding replies after the run; unanswered ones count as timeouts"},
      {"connect-timeout", FlagKind::kDouble, &o->connect_timeout,
       "seconds to establish each connection"},
      {"preload-timeout", FlagKind::kDouble, &o->preload_timeout, "seconds the preload may take"},
      {"keys", FlagKind::kU32, &o->keys, "number of distinct keys (uniform popularity)"},
      {"key-dist", FlagKind::kString, &o->key_dist, "fixed | etc (GEV key sizes, see README.md)"},
      {"key-size", FlagKind::kU32, &o->key_size, "fixed key size in bytes"},
      {"value-dist", FlagKind::kString, &o->value_dist,
       "fixed | etc (Facebook ETC value sizes, see README.md)"},
      {"value-size", FlagKind::kU32, &o->value_size, "fixed value size in bytes"},
      {"value-max", FlagKind::kU32, &o->value_max,
       "etc: largest value size (the tail is truncated here)"},
      {"get-ratio", FlagKind::kDouble, &o->get_ratio,
       "fraction of requests that are GETs; the rest are SETs"},
      {"preload", FlagKind::kBool, &o->preload,
       "SET every key once before the run (and require GETs to hit)"},
      {"allow-misses", FlagKind::kBool, &o->allow_misses,
       "with --preload: do not treat GET misses as failures"},
      {"protocol", FlagKind::kString, &o->protocol, "ascii | binary"},
      {"max-outstanding", FlagKind::kU32, &o->max_outstanding,
       "open loop: most requests in flight per connection; later arrivals wait (their latency "
       "still counts from "
       "their intended time)"},
      {"spin", FlagKind::kBool, &o->spin,
       "busy-poll instead of sleeping in epoll (sharper open-loop send times; burns a CPU)"},
      {"json", FlagKind::kBool, &o->json,
       "print the result as JSON on stdout (summary goes to stderr)"},
      {"csv", FlagKind::kBool, &o->csv,
       "print the result as one CSV line on stdout (summary goes to stderr)"},
      {"csv-header", FlagKind::kBool, &o->csv_header, "with --csv: print the header line first"},
      {"histogram", FlagKind::kBool, &o->histogram,
       "also print the latency histogram (and include it in JSON)"},
      {"quiet", FlagKind::kBool, &o->quiet, "no human summary"},
      {"sla-us", FlagKind::kDouble, &o->sla_us, "p99 latency bound in microseconds for --search"},
      {"search", FlagKind::kBool, &o->search,
       "find the highest open-loop QPS whose p99 stays within --sla-us"},
      {"search-steps", FlagKind::kU32, &o->search_steps,
       "search: open-loop runs in the binary search"},
      {"search-retries", FlagKind::kU32, &o->search_retries,
       "search: extra attempts before a step counts as failed (noise on shared machines)"},
      {"search-duration", FlagKind::kDouble, &o->search_duration,
       "search: measured seconds per run"},
      {"search-warmup", FlagKind::kDouble, &o->search_warmup, "search: warmup seconds per run"},
      {"search-max-qps", FlagKind::kDouble, &o->search_max_qps,
       "search: upper bound; 0 = 1.5 x the throughput of a closed-loop calibration run"},
      {"seed", FlagKind::kU64, &o->seed, "seed for key/value sizes and the request stream"},
      {"help", FlagKind::kBool, &o->help, "this text"},
  };
}

void PrintUsage(FILE* f) {
  Options defaults;
  fprintf(
      f,
      "usage: loadgen [--flag=value ...]\n"
      "A memcached load generator (closed loop, open loop, p99-bounded throughput search).\n\n");
  for (const FlagSpec& flag : Flags(&defaults)) {
    std::string value;
    switch (flag.kind) {
      case FlagKind::kBool:
        value = *static_cast<bool*>(flag.ptr) ? "true" : "false";
        break;
      case FlagKind::kU32:
        value = std::to_string(*static_cast<uint32_t*>(flag.ptr));
        break;
      case FlagKind::kU64:
        value = std::to_string(*static_cast<uint64_t*>(flag.ptr));
        break;
      case FlagKind::kDouble:
        value = Format("%g", *static_cast<double*>(flag.ptr));
        break;
      case FlagKind::kString:
        value = *static_cast<std::string*>(flag.ptr);
        break;
    }
    fprintf(f, "  --%-16s %s (default %s)\n", flag.name, flag.help, value.c_str());
  }
}

bool ParseValue(const FlagSpec& flag, const char* text, std::string* error) {
  char* end = nullptr;
  errno = 0;
  switch (flag.kind) {
    case FlagKind::kBool:
      if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0) {
        *static_cast<bool*>(flag.ptr) = true;
      } else if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0) {
        *static_cast<bool*>(flag.ptr) = false;
      } else {
        *error = Format("--%s takes true or false, got '%s'", flag.name, text);
        return false;
      }
      return true;
    case FlagKind::kU32:
    case FlagKind::kU64: {
      unsigned long long v = strtoull(text, &end, 10);
      if (errno != 0 || end == text || *end != '\0' || text[0] == '-' ||
          (flag.kind == FlagKind::kU32 && v > UINT32_MAX)) {
        *error = Format("--%s takes a non-negative integer, got '%s'", flag.name, text);
        return false;
      }
      if (flag.kind == FlagKind::kU32) {
        *static_cast<uint32_t*>(flag.ptr) = static_cast<uint32_t>(v);
      } else {
        *static_cast<uint64_t*>(flag.ptr) = v;
      }
      return true;
    }
    case FlagKind::kDouble: {
      double v = strtod(text, &end);
      if (errno != 0 || end == text || *end != '\0' || !(v >= 0) || v > 1e15) {
        *error = Format("--%s takes a non-negative number, got '%s'", flag.name, text);
        return false;
      }
      *static_cast<double*>(flag.ptr) = v;
      return true;
    }
    case FlagKind::kString:
      *static_cast<std::string*>(flag.ptr) = text;
      return true;
  }
  return false;
}

bool ParseFlags(int argc, char** argv, Options* o, std::string* error) {
  std::vector<FlagSpec> flags = Flags(o);
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.substr(0, 2) != "--") {
      *error = "unexpected argument '" + std::string(arg) + "' (flags are --name=value)";
      return false;
    }
    arg.remove_prefix(2);
    size_t eq = arg.find('=');
    std::string name(arg.substr(0, eq));
    const FlagSpec* flag = nullptr;
    for (const FlagSpec& f : flags) {
      if (name == f.name) flag = &f;
    }
    if (flag == nullptr) {
      *error = "unknown flag --" + name + " (see --help)";
      return false;
    }
    std::string value;
    if (eq != std::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else if (flag->kind == FlagKind::kBool) {
      value = "true";
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      *error = "--" + name + " needs a value";
      return false;
    }
    if (!ParseValue(*flag, value.c_str(), error)) return false;
  }
  return true;
}

bool ValidateOptions(Options* o, std::string* error) {
  if (o->protocol == "ascii") {
    o->proto = Protocol::kAscii;
  } else if (o->protocol == "binary") {
    o->proto = Protocol::kBinary;
  } else {
    *error = "--protocol must be ascii or binary";
    return false;
  }
  if (o->key_dist != "fixed" && o->key_dist != "etc") {
    *error = "--key-dist must be fixed or etc";
    return false;
  }
  if (o->value_dist != "fixed" && o->value_dist != "etc") {
    *error = "--value-dist must be fixed or etc";
    return false;
  }
  if (o->port == 0 || o->port > 65535) {
    *error = "--port must be in [1, 65535]";
    return false;
  }
  if (o->threads == 0 || o->threads > 256) {
    *error = "--threads must be in [1, 256]";
    return false;
  }
  if (o->connections < o->threads || o->connections > 65536) {
    *error = "--connections must be at least --threads (every thread needs one) and at most 65536";
    return false;
  }
  if (o->pipeline == 0 || o->pipeline > 65536) {
    *error = "--pipeline must be in [1, 65536]";
    return false;
  }
  if (o->max_outstanding == 0) {
    *error = "--max-outstanding must be at least 1";
    return false;
  }
  if (o->get_ratio > 1.0) {
    *error = "--get-ratio must be in [0, 1]";
    return false;
  }
  if (o->duration <= 0 || o->duration > 3600) {
    *error = "--duration must be in (0, 3600] seconds";
    return false;
  }
  if (o->warmup > 3600 || o->drain_timeout > 3600) {
    *error = "--warmup and --drain-timeout must be at most 3600 seconds";
    return false;
  }
  if (o->search) {
    if (o->sla_us <= 0) {
      *error = "--search needs --sla-us (the p99 bound in microseconds)";
      return false;
    }
    if (o->qps > 0) {
      *error =
          "--search chooses the QPS itself; drop --qps (use --search-max-qps for the upper bound)";
      return false;
    }
    if (o->search_steps == 0 || o->search_steps > 30 || o->search_retries > 5 ||
        o->search_duration <= 0) {
      *error =
          "--search-steps must be in [1, 30], --search-retries at most 5, --search-duration "
          "positive";
      return false;
    }
  }
  if (o->json && o->csv) {
    *error = "choose one of --json and --csv";
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// Results

struct Counters {
  uint64_t gets = 0;
  uint64_t sets = 0;
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t stored = 0;
  uint64_t server_errors = 0;      // well-formed error replies
  uint64_t bad_values = 0;         // wrong key, length or bytes
  uint64_t protocol_errors = 0;    // unparseable replies (the connection is then dropped)
  uint64_t connection_errors = 0;  // requests lost with a dropped or failed connection
  uint64_t timeouts = 0;           // no reply by the end of the drain

  uint64_t Ok() const { return hits + misses + stored; }
  uint64_t Errors() const {
    return server_errors + bad_values + protocol_errors + connection_errors;
  }
  void Add(const Counters& o) {
    gets += o.gets;
    sets += o.sets;
    hits += o.hits;
    misses += o.misses;
    stored += o.stored;
    server_errors += o.server_errors;
    bad_values += o.bad_values;
    protocol_errors += o.protocol_errors;
    connection_errors += o.connection_errors;
    timeouts += o.timeouts;
  }
};

// The first few distinct error messages and how often each occurred: enough to say what
// went wrong without flooding the report.
class ErrorSamples {
 public:
  static constexpr size_t kMax = 8;
  void Note(const std::string& message, uint64_t count = 1) {
    for (auto& [m, n] : samples_) {
      if (m == message) {
        n += count;
        return;
      }
    }
    if (samples_.size() < kMax) samples_.emplace_back(message, count);
  }
  void Merge(const ErrorSamples& other) {
    for (const auto& [m, n] : other.samples_) Note(m, n);
  }
  const std::vector<std::pair<std::string, uint64_t>>& samples() const { return samples_; }

 private:
  std::vector<std::pair<std::string, uint64_t>> samples_;
};

struct RunSpec {
  bool preload = false;
  bool open_loop = false;
  double qps = 0;
  double duration = 0;
  double warmup = 0;
};

struct RunResult {
  RunSpec spec;
  Counters measured;  // requests whose (intended) send time fell in the measured window
  Counters warmup;    // the warmup's requests (and anything sent after the window)
  Counters preload;
  Histogram latency;   // measured requests, ns from (intended) send to reply
  Histogram send_lag;  // open loop: ns from intended to actual send (client health)
  double preload_seconds = 0;
  // The load generator's own CPU time (user + system, all threads) over the wall time of
  // the run, so a saturated client is visible rather than mistaken for the server's limit.
  double cpu_seconds = 0;
  double wall_seconds = 0;
  bool failed = false;  // could not connect, every connection died, preload timed out
  ErrorSamples errors;  // the first few distinct error details, with counts

  double OpsPerSec() const { return static_cast<double>(measured.Ok()) / spec.duration; }
  uint64_t TotalErrors() const { return measured.Errors() + warmup.Errors() + preload.Errors(); }
  uint64_t TotalMisses() const { return measured.misses + warmup.misses; }
};

// ---------------------------------------------------------------------------------------
// The worker: one thread, one epoll loop, a share of the connections.

struct Shared {
  const Options* options;
  const Workload* workload;
  RunSpec spec;
  sockaddr_storage addr;
  socklen_t addr_len;
  std::atomic<uint32_t> ready{0};
  std::atomic<int64_t> start_ns{0};
  std::atomic<bool> abort{false};
};

struct Pending {
  int64_t intended_ns;
  uint32_t key;
  uint32_t opaque;
  Op op;
  bool measured;
};

struct Conn {
  int fd = -1;
  bool dead = false;
  bool dirty = false;     // has unsent bytes queued this loop iteration
  bool want_out = false;  // registered for EPOLLOUT (the socket buffer was full)
  uint32_t next_opaque = 1;
  std::vector<char> out;
  size_t out_off = 0;
  std::vector<char> in;
  size_t in_begin = 0;  // first unparsed byte
  size_t in_end = 0;    // one past the last received byte
  std::deque<Pending> pending;
};

class Worker {
 public:
  Worker(Shared* shared, uint32_t index, uint32_t num_conns, double rate, uint64_t seed)
      : shared_(shared),
        options_(*shared->options),
        workload_(*shared->workload),
        index_(index),
        rate_(rate),
        rng_(seed),
        conns_(num_conns) {}

  ~Worker() {
    for (Conn& c : conns_) {
      if (c.fd >= 0) close(c.fd);
    }
    if (epoll_fd_ >= 0) close(epoll_fd_);
  }

  void Run() {
    // Sleep no longer than asked: the default 50 us timer slack would shift open-loop
    // send times (prctl(2) PR_SET_TIMERSLACK, per thread).
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    if (!Connect()) {
      Fail();
      return;
    }
    if (shared_->spec.preload && !Preload()) {
      Fail();
      return;
    }
    shared_->ready.fetch_add(1);
    int64_t start;
    while ((start = shared_->start_ns.load(std::memory_order_acquire)) == 0) {
      if (shared_->abort.load()) return;
      usleep(100);
    }
    while (NowNs() < start) {
    }
    Load(start);
  }

  RunResult& result() { return result_; }

 private:
  enum class Mode { kPreload, kClosed, kOpen };

  void Fail() {
    result_.failed = true;
    shared_->abort.store(true);
  }

  void NoteError(const std::string& detail) { result_.errors.Note(detail); }

  bool Connect() {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) {
      NoteError(Format("epoll_create1: %s", strerror(errno)));
      return false;
    }
    int64_t deadline = NowNs() + static_cast<int64_t>(options_.connect_timeout * kNsPerSec);
    for (Conn& c : conns_) {
      c.fd = socket(shared_->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (c.fd < 0) {
        NoteError(Format("socket: %s", strerror(errno)));
        return false;
      }
      int one = 1;
      // Requests are small and latency-sensitive: send each batch at once (RFC 896's Nagle
      // algorithm would hold it back until the previous reply's ACK).
      setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      if (connect(c.fd, reinterpret_cast<const sockaddr*>(&shared_->addr), shared_->addr_len) !=
              0 &&
          errno != EINPROGRESS) {
        NoteError(
            Format("connect to %s:%u: %s", options_.host.c_str(), options_.port, strerror(errno)));
        return false;
      }
      pollfd pfd = {c.fd, POLLOUT, 0};
      int64_t left_ms = (deadline - NowNs()) / 1000000;
      int n = poll(&pfd, 1, left_ms > 0 ? static_cast<int>(left_ms) : 0);
      int err = 0;
      socklen_t len = sizeof(err);
      if (n <= 0) {
        NoteError(Format("connect to %s:%u: timed out", options_.host.c_str(), options_.port));
        return false;
      }
      if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        NoteError(
            Format("connect to %s:%u: %s", options_.host.c_str(), options_.port, strerror(err)));
        return false;
      }
      c.in.resize(64 * 1024);
      epoll_event ev = {};
      ev.events = EPOLLIN;
      ev.data.ptr = &c;
      if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &ev) != 0) {
        NoteError(Format("epoll_ctl: %s", strerror(errno)));
        return false;
      }
      ++live_conns_;
    }
    return true;
  }

  // SETs this thread's share of the keys (every threads-th key), a few in flight per
  // connection, and waits for every reply.
  bool Preload() {
    mode_ = Mode::kPreload;
    next_preload_key_ = index_;
    int64_t start = NowNs();
    deadline_ns_ = start + static_cast<int64_t>(options_.preload_timeout * kNsPerSec);
    constexpr uint32_t kDepth = 16;
    for (Conn& c : conns_) {
      for (uint32_t i = 0; i < kDepth; ++i) IssueNextPreload(c, start);
    }
    bool ok = Loop();
    return ok && result_.preload.Errors() == 0 && live_conns_ == conns_.size();
  }

  void IssueNextPreload(Conn& c, int64_t now) {
    if (next_preload_key_ >= workload_.num_keys()) return;
    Issue(c, now, next_preload_key_, Op::kSet, false);
    next_preload_key_ += options_.threads;
  }

  void Load(int64_t start) {
    const RunSpec& spec = shared_->spec;
    warm_ns_ = start + static_cast<int64_t>(spec.warmup * kNsPerSec);
    end_ns_ = warm_ns_ + static_cast<int64_t>(spec.duration * kNsPerSec);
    deadline_ns_ = end_ns_ + static_cast<int64_t>(options_.drain_timeout * kNsPerSec);
    stopping_ = false;
    if (spec.open_loop) {
      mode_ = Mode::kOpen;
      next_arrival_ns_ = start + static_cast<int64_t>(rng_.Exponential(rate_) * kNsPerSec);
    } else {
      mode_ = Mode::kClosed;
      for (Conn& c : conns_) {
        for (uint32_t i = 0; i < options_.pipeline && !c.dead; ++i) IssueRandom(c, start);
      }
    }
    Loop();
  }

  // Queues one request on `c` (sent when the loop flushes).
  void Issue(Conn& c, int64_t intended, uint32_t key, Op op, bool measured) {
    uint32_t opaque = c.next_opaque++;
    if (op == Op::kGet) {
      AppendGet(options_.proto, workload_.key(key), opaque, &c.out);
    } else {
      AppendSet(options_.proto, workload_.key(key), workload_.value(key), opaque, &c.out);
    }
    c.pending.push_back(Pending{intended, key, opaque, op, measured});
    ++outstanding_;
    if (!c.dirty) {
      c.dirty = true;
      dirty_.push_back(&c);
    }
  }

  void IssueRandom(Conn& c, int64_t intended) {
    uint32_t key = rng_.Below(workload_.num_keys());
    Op op = rng_.Uniform() < options_.get_ratio ? Op::kGet : Op::kSet;
    Issue(c, intended, key, op, intended >= warm_ns_ && intended < end_ns_);
  }

  // Open loop: a random live connection with room, or nullptr when all are full.
  Conn* PickConn() {
    uint32_t n = static_cast<uint32_t>(conns_.size());
    uint32_t first = rng_.Below(n);
    for (uint32_t i = 0; i < n; ++i) {
      Conn& c = conns_[(first + i) % n];
      if (!c.dead && c.pending.size() < options_.max_outstanding) return &c;
    }
    return nullptr;
  }

  // Open loop: issues every arrival whose intended time has come. An arrival that finds
  // every connection full waits, keeping its intended time, so the wait is measured.
  void IssueArrivals(int64_t now) {
    while (next_arrival_ns_ <= now && next_arrival_ns_ < end_ns_) {
      Conn* c = PickConn();
      if (c == nullptr) return;
      IssueRandom(*c, next_arrival_ns_);
      if (next_arrival_ns_ >= warm_ns_)
        result_.send_lag.Record(static_cast<uint64_t>(now - next_arrival_ns_));
      next_arrival_ns_ += static_cast<int64_t>(rng_.Exponential(rate_) * kNsPerSec);
    }
  }

  void Flush(Conn& c) {
    while (c.out_off < c.out.size()) {
      ssize_t n = send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
      if (n > 0) {
        c.out_off += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        SetWantOut(c, true);
        return;
      }
      Kill(c, Format("send: %s", n < 0 ? strerror(errno) : "wrote nothing"), false);
      return;
    }
    c.out.clear();
    c.out_off = 0;
    SetWantOut(c, false);
  }

  void SetWantOut(Conn& c, bool want) {
    if (c.want_out == want) return;
    epoll_event ev = {};
    ev.events = EPOLLIN | (want ? EPOLLOUT : 0);
    ev.data.ptr = &c;
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
    c.want_out = want;
  }

  void FlushDirty() {
    for (Conn* c : dirty_) {
      c->dirty = false;
      if (!c->dead && !c->want_out) Flush(*c);
    }
    dirty_.clear();
  }

  Counters& CountersFor(const Pending& p) {
    if (mode_ == Mode::kPreload) return result_.preload;
    return p.measured ? result_.measured : result_.warmup;
  }

  // Drops a connection: every request still waiting on it is lost.
  void Kill(Conn& c, std::string why, bool protocol_error) {
    if (c.dead) return;
    NoteError(why);
    bool first = true;
    for (const Pending& p : c.pending) {
      Counters& counters = CountersFor(p);
      // The request whose reply was garbage is a protocol error; the rest are collateral.
      if (protocol_error && first) {
        ++counters.protocol_errors;
      } else {
        ++counters.connection_errors;
      }
      first = false;
    }
    if (protocol_error && c.pending.empty()) {
      ++(mode_ == Mode::kPreload ? result_.preload : result_.warmup).protocol_errors;
    }
    outstanding_ -= c.pending.size();
    c.pending.clear();
    epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, c.fd, nullptr);
    close(c.fd);
    c.fd = -1;
    c.dead = true;
    --live_conns_;
  }

  void OnReadable(Conn& c, int64_t now) {
    if (c.dead) return;
    // Room for at least 16 KiB more: compact, then grow if a big value needs it.
    if (c.in.size() - c.in_end < 16 * 1024) {
      if (c.in_begin > 0) {
        memmove(c.in.data(), c.in.data() + c.in_begin, c.in_end - c.in_begin);
        c.in_end -= c.in_begin;
        c.in_begin = 0;
      }
      if (c.in.size() - c.in_end < 16 * 1024) c.in.resize(c.in.size() * 2);
    }
    ssize_t n = recv(c.fd, c.in.data() + c.in_end, c.in.size() - c.in_end, 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      Kill(c, Format("recv: %s", strerror(errno)), false);
      return;
    }
    if (n == 0) {
      Kill(c, Format("server closed a connection with %zu requests outstanding", c.pending.size()),
           false);
      return;
    }
    c.in_end += static_cast<size_t>(n);
    while (!c.pending.empty()) {
      Pending p = c.pending.front();
      Expected expected{p.op, workload_.key(p.key), workload_.value(p.key), p.opaque};
      Reply reply =
          ParseReply(options_.proto, c.in.data() + c.in_begin, c.in_end - c.in_begin, expected);
      if (reply.outcome == Outcome::kNeedMore) break;
      if (reply.outcome == Outcome::kProtocolError) {
        Kill(c, "protocol error: " + reply.detail, true);
        return;
      }
      c.pending.pop_front();
      --outstanding_;
      c.in_begin += reply.consumed;
      Complete(c, p, reply, now);
    }
    if (c.pending.empty() && c.in_begin < c.in_end) {
      std::string_view extra(c.in.data() + c.in_begin, std::min<size_t>(c.in_end - c.in_begin, 60));
      Kill(c, "protocol error: bytes with no request outstanding: '" + std::string(extra) + "'",
           true);
      return;
    }
    if (c.in_begin == c.in_end) c.in_begin = c.in_end = 0;
  }

  void Complete(Conn& c, const Pending& p, const Reply& reply, int64_t now) {
    Counters& counters = CountersFor(p);
    (p.op == Op::kGet ? counters.gets : counters.sets)++;
    switch (reply.outcome) {
      case Outcome::kHit:
        ++counters.hits;
        break;
      case Outcome::kMiss:
        ++counters.misses;
        if (options_.preload && !options_.allow_misses) {
          NoteError("get of a preloaded key missed (the server lost or evicted it)");
        }
        break;
      case Outcome::kStored:
        ++counters.stored;
        break;
      case Outcome::kServerError:
        ++counters.server_errors;
        NoteError((p.op == Op::kGet ? "get: " : "set: ") + reply.detail);
        break;
      case Outcome::kBadValue:
        ++counters.bad_values;
        NoteError(reply.detail);
        break;
      case Outcome::kNeedMore:
      case Outcome::kProtocolError:
        break;  // handled by the caller
    }
    if (p.measured) result_.latency.Record(static_cast<uint64_t>(now - p.intended_ns));
    switch (mode_) {
      case Mode::kPreload:
        IssueNextPreload(c, now);
        break;
      case Mode::kClosed:
        if (!stopping_) IssueRandom(c, now);
        break;
      case Mode::kOpen:
        break;
    }
  }

  bool Done() const {
    switch (mode_) {
      case Mode::kPreload:
        return next_preload_key_ >= workload_.num_keys() && outstanding_ == 0;
      case Mode::kClosed:
        return stopping_ && outstanding_ == 0;
      case Mode::kOpen:
        return stopping_ && outstanding_ == 0 && next_arrival_ns_ >= end_ns_;
    }
    return true;
  }

  // At the drain deadline: whatever has no reply is a timeout, recorded with the latency it
  // has at least reached, so an overloaded server cannot look fast by never answering.
  void RecordTimeouts(int64_t now) {
    for (Conn& c : conns_) {
      for (const Pending& p : c.pending) {
        ++CountersFor(p).timeouts;
        if (p.measured) result_.latency.Record(static_cast<uint64_t>(now - p.intended_ns));
      }
    }
    if (mode_ == Mode::kOpen) {
      while (next_arrival_ns_ < end_ns_) {
        if (next_arrival_ns_ >= warm_ns_) {
          ++result_.measured.timeouts;
          result_.latency.Record(static_cast<uint64_t>(now - next_arrival_ns_));
        }
        next_arrival_ns_ += static_cast<int64_t>(rng_.Exponential(rate_) * kNsPerSec);
      }
    }
  }

  // The event loop; false if it stopped on the deadline (preload) or lost every connection.
  bool Loop() {
    constexpr int kMaxEvents = 256;
    epoll_event events[kMaxEvents];
    while (true) {
      int64_t now = NowNs();
      if (shared_->abort.load(std::memory_order_relaxed)) return false;
      if (mode_ != Mode::kPreload && !stopping_ && now >= end_ns_) stopping_ = true;
      if (mode_ == Mode::kOpen) IssueArrivals(now);
      FlushDirty();
      if (Done()) return true;
      if (live_conns_ == 0) {
        NoteError("every connection failed");
        RecordTimeouts(now);
        result_.failed = true;
        return false;
      }
      if (now >= deadline_ns_) {
        RecordTimeouts(now);
        if (mode_ == Mode::kPreload) {
          NoteError(Format("preload did not finish within %g s (--preload-timeout)",
                           options_.preload_timeout));
          return false;
        }
        return true;
      }
      int64_t wake = stopping_ || mode_ == Mode::kPreload ? deadline_ns_ : end_ns_;
      if (mode_ == Mode::kOpen && next_arrival_ns_ < end_ns_ &&
          outstanding_ < live_conns_ * options_.max_outstanding) {
        wake = std::min(wake, next_arrival_ns_);
      }
      int64_t wait = options_.spin ? 0 : std::max<int64_t>(0, wake - now);
      int n = Wait(events, kMaxEvents, wait);
      if (n < 0) {
        if (errno == EINTR) continue;
        NoteError(Format("epoll_wait: %s", strerror(errno)));
        Fail();
        return false;
      }
      now = NowNs();
      for (int i = 0; i < n; ++i) {
        Conn& c = *static_cast<Conn*>(events[i].data.ptr);
        if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) OnReadable(c, now);
        if ((events[i].events & EPOLLOUT) && !c.dead) Flush(c);
      }
    }
  }

  // epoll with a nanosecond timeout (epoll_pwait2, Linux 5.11); falls back to epoll_wait's
  // milliseconds, rounded down (the loop then polls for the sub-millisecond rest).
  int Wait(epoll_event* events, int max, int64_t wait_ns) {
    if (have_pwait2_) {
      timespec ts = {static_cast<time_t>(wait_ns / kNsPerSec),
                     static_cast<long>(wait_ns % kNsPerSec)};
      int n = epoll_pwait2(epoll_fd_, events, max, &ts, nullptr);
      if (n >= 0 || errno != ENOSYS) return n;
      have_pwait2_ = false;
    }
    return epoll_wait(epoll_fd_, events, max,
                      static_cast<int>(std::min<int64_t>(wait_ns / 1000000, 1000)));
  }

  Shared* shared_;
  const Options& options_;
  const Workload& workload_;
  uint32_t index_;
  double rate_;  // open loop: this thread's share of --qps
  Rng rng_;
  std::vector<Conn> conns_;
  std::vector<Conn*> dirty_;
  int epoll_fd_ = -1;
  size_t live_conns_ = 0;
  size_t outstanding_ = 0;
  Mode mode_ = Mode::kClosed;
  bool stopping_ = false;
  bool have_pwait2_ = true;
  int64_t warm_ns_ = 0;
  int64_t end_ns_ = 0;
  int64_t deadline_ns_ = 0;
  int64_t next_arrival_ns_ = 0;
  uint32_t next_preload_key_ = 0;
  RunResult result_;
};

bool Resolve(const Options& o, sockaddr_storage* addr, socklen_t* len, std::string* error) {
  addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(o.port);
  int rc = getaddrinfo(o.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0 || res == nullptr) {
    *error = "cannot resolve " + o.host + ": " + gai_strerror(rc);
    return false;
  }
  memcpy(addr, res->ai_addr, res->ai_addrlen);
  *len = res->ai_addrlen;
  freeaddrinfo(res);
  return true;
}

// One run: spawn the workers, connect, preload if asked, start everyone at one instant,
// run, drain, merge.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double WallSeconds() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

RunResult RunOnceUnmeasured(const Options& options, const Workload& workload,
                            const sockaddr_storage& addr, socklen_t addr_len, const RunSpec& spec,
                            uint64_t seed);

RunResult RunOnce(const Options& options, const Workload& workload, const sockaddr_storage& addr,
                  socklen_t addr_len, const RunSpec& spec, uint64_t seed) {
  double cpu_before = ProcessCpuSeconds();
  double wall_before = WallSeconds();
  RunResult result = RunOnceUnmeasured(options, workload, addr, addr_len, spec, seed);
  result.cpu_seconds = ProcessCpuSeconds() - cpu_before;
  result.wall_seconds = WallSeconds() - wall_before;
  return result;
}

RunResult RunOnceUnmeasured(const Options& options, const Workload& workload,
                            const sockaddr_storage& addr, socklen_t addr_len, const RunSpec& spec,
                            uint64_t seed) {
  Shared shared;
  shared.options = &options;
  shared.workload = &workload;
  shared.spec = spec;
  shared.addr = addr;
  shared.addr_len = addr_len;
  std::vector<std::unique_ptr<Worker>> workers;
  for (uint32_t t = 0; t < options.threads; ++t) {
    uint32_t conns =
        options.connections / options.threads + (t < options.connections % options.threads ? 1 : 0);
    double rate = spec.qps * conns / options.connections;
    workers.push_back(std::make_unique<Worker>(&shared, t, conns, rate, Rng::SplitMix64(&seed)));
  }
  int64_t spawned = NowNs();
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&w] { w->Run(); });
  while (shared.ready.load() < options.threads && !shared.abort.load()) usleep(200);
  double preload_seconds = static_cast<double>(NowNs() - spawned) / kNsPerSec;
  if (!shared.abort.load()) {
    // A moment in the future, so every worker is already waiting when it arrives.
    shared.start_ns.store(NowNs() + 2000000, std::memory_order_release);
  }
  for (auto& t : threads) t.join();
  RunResult result;
  result.spec = spec;
  result.preload_seconds = spec.preload ? preload_seconds : 0;
  for (auto& w : workers) {
    RunResult& r = w->result();
    result.measured.Add(r.measured);
    result.warmup.Add(r.warmup);
    result.preload.Add(r.preload);
    result.latency.Merge(r.latency);
    result.send_lag.Merge(r.send_lag);
    result.failed = result.failed || r.failed;
    result.errors.Merge(r.errors);
  }
  return result;
}

// ---------------------------------------------------------------------------------------
// Output

double Us(uint64_t ns) { return static_cast<double>(ns) / 1000.0; }

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      out += Format("\\u%04x", c);
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

const char* ModeName(const RunSpec& spec) { return spec.open_loop ? "open" : "closed"; }

std::string CountersJson(const Counters& c) {
  return Format(
      "{\"ops\": %llu, \"gets\": %llu, \"sets\": %llu, \"hits\": %llu, \"misses\": %llu, "
      "\"stored\": %llu, "
      "\"errors\": %llu, \"server_errors\": %llu, \"bad_values\": %llu, \"protocol_errors\": %llu, "
      "\"connection_errors\": %llu, \"timeouts\": %llu}",
      (unsigned long long)c.Ok(), (unsigned long long)c.gets, (unsigned long long)c.sets,
      (unsigned long long)c.hits, (unsigned long long)c.misses, (unsigned long long)c.stored,
      (unsigned long long)c.Errors(), (unsigned long long)c.server_errors,
      (unsigned long long)c.bad_values, (unsigned long long)c.protocol_errors,
      (unsigned long long)c.connection_errors, (unsigned long long)c.timeouts);
}

std::string LatencyJson(const Histogram& h) {
  return Format(
      "{\"count\": %llu, \"mean\": %.3f, \"min\": %.3f, \"p50\": %.3f, \"p90\": %.3f, \"p99\": "
      "%.3f, "
      "\"p999\": %.3f, \"max\": %.3f}",
      (unsigned long long)h.count(), h.mean() / 1000.0, Us(h.min()), Us(h.Percentile(50)),
      Us(h.Percentile(90)), Us(h.Percentile(99)), Us(h.Percentile(99.9)), Us(h.max()));
}

std::string RunJson(const Options& o, const RunResult& r) {
  std::string s = "{";
  s += Format("\"mode\": \"%s\", \"target_qps\": %.1f, \"duration_s\": %g, \"warmup_s\": %g, ",
              ModeName(r.spec), r.spec.qps, r.spec.duration, r.spec.warmup);
  s += Format(
      "\"ops_per_s\": %.1f, \"ops\": %llu, \"gets\": %llu, \"sets\": %llu, \"hits\": %llu, "
      "\"misses\": %llu, ",
      r.OpsPerSec(), (unsigned long long)r.measured.Ok(), (unsigned long long)r.measured.gets,
      (unsigned long long)r.measured.sets, (unsigned long long)r.measured.hits,
      (unsigned long long)r.measured.misses);
  s += Format("\"loadgen_cpu_s\": %.3f, \"wall_s\": %.3f, ", r.cpu_seconds, r.wall_seconds);
  s += Format("\"errors\": %llu, \"timeouts\": %llu, \"errors_all_phases\": %llu, \"failed\": %s, ",
              (unsigned long long)r.measured.Errors(), (unsigned long long)r.measured.timeouts,
              (unsigned long long)r.TotalErrors(), r.failed ? "true" : "false");
  s += "\"latency_us\": " + LatencyJson(r.latency) + ", ";
  if (r.spec.open_loop) s += "\"send_lag_us\": " + LatencyJson(r.send_lag) + ", ";
  s += "\"measured\": " + CountersJson(r.measured) + ", ";
  s += "\"warmup\": " + CountersJson(r.warmup) + ", ";
  s += "\"preload\": " + CountersJson(r.preload) +
       Format(", \"preload_s\": %.3f, ", r.preload_seconds);
  if (o.histogram) {
    s += "\"histogram_ns\": [";
    bool first = true;
    r.latency.ForEachBucket([&](uint64_t low, uint64_t high, uint64_t count) {
      s += Format("%s[%llu, %llu, %llu]", first ? "" : ", ", (unsigned long long)low,
                  (unsigned long long)high, (unsigned long long)count);
      first = false;
    });
    s += "], ";
  }
  s += "\"error_samples\": [";
  bool first_error = true;
  for (const auto& [message, count] : r.errors.samples()) {
    s += Format("%s{\"count\": %llu, \"message\": %s}", first_error ? "" : ", ",
                (unsigned long long)count, JsonString(message).c_str());
    first_error = false;
  }
  s += "]}";
  return s;
}

std::string ConfigJson(const Options& o, const Workload& w) {
  return Format(
      "\"server\": %s, \"protocol\": \"%s\", \"threads\": %u, \"connections\": %u, \"pipeline\": "
      "%u, "
      "\"keys\": %u, \"key_dist\": \"%s\", \"key_size_mean\": %.2f, \"value_dist\": \"%s\", "
      "\"value_size_mean\": %.2f, \"value_size_max\": %u, \"get_ratio\": %g, \"seed\": %llu",
      JsonString(o.host + ":" + std::to_string(o.port)).c_str(), o.protocol.c_str(), o.threads,
      o.connections, o.pipeline, o.keys, o.key_dist.c_str(), w.mean_key_size(),
      o.value_dist.c_str(), w.mean_value_size(), w.max_value_size(), o.get_ratio,
      (unsigned long long)o.seed);
}

constexpr const char* kCsvHeader =
    "mode,protocol,threads,connections,pipeline,target_qps,duration_s,ops,ops_per_s,gets,sets,hits,"
    "misses,"
    "errors,timeouts,p50_us,p90_us,p99_us,p999_us,max_us,mean_us,sla_us";

std::string RunCsv(const Options& o, const char* mode, const RunResult& r) {
  const Histogram& h = r.latency;
  return Format(
      "%s,%s,%u,%u,%u,%.1f,%g,%llu,%.1f,%llu,%llu,%llu,%llu,%llu,%llu,%.1f,%.1f,%.1f,%.1f,%.1f,%."
      "1f,%g",
      mode, o.protocol.c_str(), o.threads, o.connections, o.pipeline, r.spec.qps, r.spec.duration,
      (unsigned long long)r.measured.Ok(), r.OpsPerSec(), (unsigned long long)r.measured.gets,
      (unsigned long long)r.measured.sets, (unsigned long long)r.measured.hits,
      (unsigned long long)r.measured.misses, (unsigned long long)r.TotalErrors(),
      (unsigned long long)r.measured.timeouts, Us(h.Percentile(50)), Us(h.Percentile(90)),
      Us(h.Percentile(99)), Us(h.Percentile(99.9)), Us(h.max()), h.mean() / 1000.0, o.sla_us);
}

void PrintSummary(FILE* f, const Options& o, const RunResult& r) {
  if (r.spec.preload) {
    fprintf(f, "  preload: %llu sets in %.2f s, %llu errors\n", (unsigned long long)r.preload.sets,
            r.preload_seconds, (unsigned long long)r.preload.Errors());
  }
  if (r.spec.open_loop) {
    fprintf(f, "  open loop at %.0f qps (Poisson), measured %g s after %g s warmup\n", r.spec.qps,
            r.spec.duration, r.spec.warmup);
  } else {
    fprintf(f, "  closed loop, pipeline %u, measured %g s after %g s warmup\n", o.pipeline,
            r.spec.duration, r.spec.warmup);
  }
  if (r.wall_seconds > 0) {
    fprintf(f, "  loadgen CPU: %.2f s over %.2f s, %.0f%% of one CPU (%u thread(s)): near 100%% per "
               "thread means the client, not the server, may be the limit\n",
            r.cpu_seconds, r.wall_seconds, 100.0 * r.cpu_seconds / r.wall_seconds, o.threads);
  }
  const Counters& m = r.measured;
  fprintf(f, "  throughput: %.0f ops/s (%llu ops: %llu gets [%llu hits, %llu misses], %llu sets)\n",
          r.OpsPerSec(), (unsigned long long)m.Ok(), (unsigned long long)m.gets,
          (unsigned long long)m.hits, (unsigned long long)m.misses, (unsigned long long)m.sets);
  fprintf(
      f,
      "  errors: %llu measured, %llu in all phases (server %llu, bad value %llu, protocol %llu, "
      "connection %llu); timeouts %llu\n",
      (unsigned long long)m.Errors(), (unsigned long long)r.TotalErrors(),
      (unsigned long long)(m.server_errors + r.warmup.server_errors + r.preload.server_errors),
      (unsigned long long)(m.bad_values + r.warmup.bad_values + r.preload.bad_values),
      (unsigned long long)(m.protocol_errors + r.warmup.protocol_errors +
                           r.preload.protocol_errors),
      (unsigned long long)(m.connection_errors + r.warmup.connection_errors +
                           r.preload.connection_errors),
      (unsigned long long)m.timeouts);
  const Histogram& h = r.latency;
  fprintf(f,
          "  latency us: mean %.1f  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  (%llu "
          "samples)\n",
          h.mean() / 1000.0, Us(h.Percentile(50)), Us(h.Percentile(90)), Us(h.Percentile(99)),
          Us(h.Percentile(99.9)), Us(h.max()), (unsigned long long)h.count());
  if (r.spec.open_loop) {
    const Histogram& lag = r.send_lag;
    fprintf(f, "  send lag us (client lateness, included above): p50 %.1f  p99 %.1f  max %.1f\n",
            Us(lag.Percentile(50)), Us(lag.Percentile(99)), Us(lag.max()));
  }
  if (o.histogram && h.count() > 0) {
    // Coarsened to powers of two for reading; --json carries every bucket.
    fprintf(f, "  latency histogram (us, [low, high): count, cumulative %%):\n");
    uint64_t cumulative = 0;
    uint64_t lo = 0;
    uint64_t count = 0;
    auto emit = [&](uint64_t next_lo) {
      if (count == 0) return;
      cumulative += count;
      fprintf(f, "    [%10.1f, %10.1f): %10llu  %7.3f%%\n", Us(lo), Us(next_lo),
              (unsigned long long)count,
              100.0 * static_cast<double>(cumulative) / static_cast<double>(h.count()));
      count = 0;
    };
    h.ForEachBucket([&](uint64_t low, uint64_t, uint64_t n) {
      uint64_t p2 = low == 0 ? 0 : uint64_t{1} << (63 - __builtin_clzll(low));
      if (p2 != lo) {
        emit(p2);
        lo = p2;
      }
      count += n;
    });
    emit(lo == 0 ? 1 : lo * 2);
  }
  for (const auto& [message, count] : r.errors.samples()) {
    fprintf(f, "  error (x%llu): %s\n", (unsigned long long)count, message.c_str());
  }
  if (r.failed) fprintf(f, "  RUN FAILED (see errors)\n");
}

// Whether a run's result is acceptable as a measurement at all.
bool Clean(const Options& o, const RunResult& r) {
  if (r.failed || r.TotalErrors() > 0) return false;
  if (o.preload && !o.allow_misses && r.TotalMisses() > 0) return false;
  return true;
}

}  // namespace
}  // namespace mcbench

int main(int argc, char** argv) {
  using namespace mcbench;
  signal(SIGPIPE, SIG_IGN);
  Options o;
  std::string error;
  if (!ParseFlags(argc, argv, &o, &error)) {
    fprintf(stderr, "loadgen: %s\n", error.c_str());
    return 2;
  }
  if (o.help) {
    PrintUsage(stdout);
    return 0;
  }
  if (!ValidateOptions(&o, &error)) {
    fprintf(stderr, "loadgen: %s\n", error.c_str());
    return 2;
  }
  WorkloadOptions wo;
  wo.keys = o.keys;
  wo.key_dist = o.key_dist == "etc" ? SizeDist::kEtc : SizeDist::kFixed;
  wo.key_size = o.key_size;
  wo.value_dist = o.value_dist == "etc" ? SizeDist::kEtc : SizeDist::kFixed;
  wo.value_size = o.value_size;
  wo.value_max = o.value_max;
  wo.seed = o.seed;
  Workload workload;
  if (!Workload::Create(wo, &workload, &error)) {
    fprintf(stderr, "loadgen: %s\n", error.c_str());
    return 2;
  }
  sockaddr_storage addr;
  socklen_t addr_len;
  if (!Resolve(o, &addr, &addr_len, &error)) Die("%s", error.c_str());

  bool machine = o.json || o.csv;
  FILE* human = o.quiet ? nullptr : (machine ? stderr : stdout);
  if (human) {
    fprintf(human,
            "loadgen: %s:%u %s, %u threads x %u connections, %u keys (key %s mean %.1f B, value %s "
            "mean %.1f B "
            "max %u B), get ratio %g\n",
            o.host.c_str(), o.port, o.protocol.c_str(), o.threads, o.connections, o.keys,
            o.key_dist.c_str(), workload.mean_key_size(), o.value_dist.c_str(),
            workload.mean_value_size(), workload.max_value_size(), o.get_ratio);
  }
  uint64_t seed = o.seed ^ 0x5eed5eed5eed5eedULL;

  if (!o.search) {
    RunSpec spec;
    spec.preload = o.preload;
    spec.open_loop = o.qps > 0;
    spec.qps = o.qps;
    spec.duration = o.duration;
    spec.warmup = o.warmup;
    RunResult r = RunOnce(o, workload, addr, addr_len, spec, seed);
    if (human) PrintSummary(human, o, r);
    if (o.json)
      printf("{%s, \"run\": %s}\n", ConfigJson(o, workload).c_str(), RunJson(o, r).c_str());
    if (o.csv) {
      if (o.csv_header) printf("%s\n", kCsvHeader);
      printf("%s\n", RunCsv(o, ModeName(spec), r).c_str());
    }
    return Clean(o, r) ? 0 : 1;
  }

  // --search: a closed-loop calibration run bounds the QPS range, then a binary search over
  // open-loop runs keeps the highest QPS that passed: p99 <= the bound, no errors, no
  // timeouts, and at least 90% of the target QPS actually completed.
  bool clean = true;
  RunSpec cal;
  cal.preload = o.preload;
  cal.duration = o.search_duration;
  cal.warmup = o.search_warmup;
  RunResult calibration = RunOnce(o, workload, addr, addr_len, cal, seed);
  clean = clean && Clean(o, calibration);
  if (human) {
    fprintf(human, "search: calibration (closed loop):\n");
    PrintSummary(human, o, calibration);
  }
  if (calibration.failed) {
    if (o.json)
      printf("{%s, \"calibration\": %s}\n", ConfigJson(o, workload).c_str(),
             RunJson(o, calibration).c_str());
    return 1;
  }
  double sla_ns = o.sla_us * 1000.0;
  double lo = 0;
  double hi = o.search_max_qps > 0 ? o.search_max_qps : 1.5 * calibration.OpsPerSec();
  RunResult best;
  bool have_best = false;
  std::string steps_json;
  for (uint32_t step = 0; step < o.search_steps; ++step) {
    RunSpec spec;
    spec.open_loop = true;
    spec.qps = (lo + hi) / 2;
    spec.duration = o.search_duration;
    spec.warmup = o.search_warmup;
    // A step fails only if every attempt fails: one burst of other work on a shared machine
    // should not halve the answer. Errors are never retried away: they fail the whole search.
    bool pass = false;
    RunResult r;
    for (uint32_t attempt = 0; attempt <= o.search_retries && !pass; ++attempt) {
      r = RunOnce(o, workload, addr, addr_len, spec, Rng::SplitMix64(&seed));
      clean = clean && Clean(o, r);
      uint64_t p99 = r.latency.Percentile(99);
      pass = !r.failed && r.TotalErrors() == 0 && r.measured.timeouts == 0 &&
             r.latency.count() > 0 && static_cast<double>(p99) <= sla_ns &&
             r.OpsPerSec() >= 0.9 * spec.qps;
      if (human) {
        fprintf(human,
                "search: step %u.%u: %9.0f qps -> %9.0f ops/s, p99 %8.1f us, lag p99 %6.1f us, "
                "timeouts %llu: %s\n",
                step + 1, attempt + 1, spec.qps, r.OpsPerSec(), Us(p99),
                Us(r.send_lag.Percentile(99)), (unsigned long long)r.measured.timeouts,
                pass ? "PASS" : "FAIL");
        for (const auto& [message, count] : r.errors.samples()) {
          fprintf(human, "  error (x%llu): %s\n", (unsigned long long)count, message.c_str());
        }
      }
      steps_json += Format(
          "%s{\"step\": %u, \"attempt\": %u, \"target_qps\": %.1f, \"ops_per_s\": %.1f, "
          "\"p99_us\": %.3f, \"send_lag_p99_us\": %.3f, \"timeouts\": %llu, \"errors\": %llu, "
          "\"pass\": %s}",
          steps_json.empty() ? "" : ", ", step + 1, attempt + 1, spec.qps, r.OpsPerSec(), Us(p99),
          Us(r.send_lag.Percentile(99)), (unsigned long long)r.measured.timeouts,
          (unsigned long long)r.TotalErrors(), pass ? "true" : "false");
    }
    if (pass) {
      lo = spec.qps;
      best = std::move(r);
      have_best = true;
    } else {
      hi = spec.qps;
    }
  }

  double best_qps = have_best ? best.spec.qps : 0;
  if (human) {
    if (have_best) {
      fprintf(human,
              "search: highest QPS with p99 <= %g us: %.0f (achieved %.0f ops/s, p99 %.1f us)\n",
              o.sla_us, best_qps, best.OpsPerSec(), Us(best.latency.Percentile(99)));
    } else {
      fprintf(human, "search: no QPS tried (down to %.0f) kept p99 <= %g us\n", hi, o.sla_us);
    }
  }
  if (o.json) {
    printf(
        "{%s, \"mode\": \"search\", \"sla_us\": %g, \"best_qps\": %.1f, \"best_ops_per_s\": %.1f, "
        "\"best_p99_us\": %.3f, \"calibration\": %s, \"best\": %s, \"steps\": [%s]}\n",
        ConfigJson(o, workload).c_str(), o.sla_us, best_qps, have_best ? best.OpsPerSec() : 0.0,
        have_best ? Us(best.latency.Percentile(99)) : 0.0, RunJson(o, calibration).c_str(),
        have_best ? RunJson(o, best).c_str() : "null", steps_json.c_str());
  }
  if (o.csv) {
    if (o.csv_header) printf("%s\n", kCsvHeader);
    if (have_best) {
      printf("%s\n", RunCsv(o, "search", best).c_str());
    } else {
      RunResult none;
      none.spec.duration = o.search_duration;
      printf("%s\n", RunCsv(o, "search", none).c_str());
    }
  }
  return clean ? 0 : 1;
}
