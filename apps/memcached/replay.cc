// SPDX-License-Identifier: Apache-2.0
// replay: feeds files to fresh Sessions and prints what they answer, to compare this
// server's protocol behaviour with a reference memcached given the same bytes.
//
//   bazel run //apps/memcached:replay -- /tmp/script1 /tmp/script2 > ours.txt
//
// Each file gets a fresh store and one connection; its replies are written to stdout
// followed by a line "=== <file> closed=<0|1>". Hosted only.
#include <stdio.h>

#include <memory>
#include <string>
#include <vector>

#include "apps/memcached/session.h"
#include "apps/memcached/store.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/iobuf/iobuf.h"

namespace {

class StdoutSink : public memcached::ReplySink {
 public:
  void Send(std::unique_ptr<ebbrt::IOBuf> reply) override {
    for (const ebbrt::IOBuf& link : *reply) fwrite(link.data(), 1, link.length(), stdout);
  }
  void Close() override { closed = true; }
  bool closed = false;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> contents;
  for (int i = 1; i < argc; ++i) {
    FILE* f = fopen(argv[i], "rb");
    if (f == nullptr) {
      fprintf(stderr, "replay: cannot open %s\n", argv[i]);
      return 1;
    }
    std::string text;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof(buffer), f)) > 0) text.append(buffer, n);
    fclose(f);
    contents.push_back(std::move(text));
  }
  return ebbrt::Run(1, [&] {
    for (size_t i = 0; i < contents.size(); ++i) {
      memcached::ItemStore store;
      StdoutSink sink;
      {
        memcached::Session session(store, sink);
        session.Receive(ebbrt::UniqueIOBuf::CopyOf(contents[i].data(), contents[i].size()));
      }
      printf("=== %s closed=%d\n", argv[i + 1], sink.closed ? 1 : 0);
    }
    fflush(stdout);
    ebbrt::Stop(0);
  });
}
