// Recurses without bound on the boot stack: the recursion reaches the stack's guard page,
// and the page fault report must say it was a stack overflow.
#include "ebbrt/app/app_main.h"
#include "ebbrt/base/console.h"

namespace {

// Never true at run time; keeps the compiler from proving the recursion infinite.
volatile bool g_stop = false;

[[gnu::noinline]] int Recurse(int depth) {
  volatile char frame[256];
  frame[0] = static_cast<char>(depth);
  if (g_stop) return frame[0];
  return Recurse(depth + 1) + frame[0];
}

}  // namespace

int ebbrt::AppMain() {
  ebbrt::ConsolePrint("stack_overflow_image: recursing forever\n");
  return Recurse(0);
}
