// SPDX-License-Identifier: Apache-2.0
// Polled driver for a 16550-compatible UART, used as the native console.
//
// Transmit only, interrupts off: the console must work before interrupts,
// the event loop or the allocator exist, and from a fault handler.
//
//   constexpr ebbrt::Uart16550 com1(ebbrt::Uart16550::kCom1);
//   com1.Init();
//   com1.Write("hi\n", 3);
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ebbrt {

class Uart16550 {
 public:
  // Conventional PC I/O base of the first serial port; QEMU's `-serial`
  // option attaches its first backend here.
  static constexpr uint16_t kCom1 = 0x3f8;

  constexpr explicit Uart16550(uint16_t io_base) : io_base_(io_base) {}

  // 115200 baud, 8 data bits, no parity, 1 stop bit, FIFOs on, interrupts off.
  void Init() const;

  // Writes `size` bytes verbatim (no "\n" -> "\r\n" translation), spinning
  // until the transmitter can take each byte.
  void Write(const char* data, size_t size) const;

 private:
  uint16_t io_base_;
};

}  // namespace ebbrt
