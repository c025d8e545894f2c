// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/drivers/uart_16550/uart_16550.h"

#include "ebbrt/native/arch/x86_64/io_port.h"

namespace ebbrt {
namespace {

// Register offsets from the I/O base and the bits we use.
// National Semiconductor PC16550D datasheet, Table II (register summary).
constexpr uint16_t kThr = 0;  // Transmit holding (write, DLAB=0).
constexpr uint16_t kDll = 0;  // Divisor latch low (DLAB=1).
constexpr uint16_t kIer = 1;  // Interrupt enable (DLAB=0).
constexpr uint16_t kDlm = 1;  // Divisor latch high (DLAB=1).
constexpr uint16_t kFcr = 2;  // FIFO control (write).
constexpr uint16_t kLcr = 3;  // Line control.
constexpr uint16_t kMcr = 4;  // Modem control.
constexpr uint16_t kLsr = 5;  // Line status.

constexpr uint8_t kLcrDlab = 0x80;  // Divisor latch access.
constexpr uint8_t kLcr8N1 = 0x03;   // 8 data bits, no parity, 1 stop bit.
// Enable FIFOs, clear both, receive trigger at 14 bytes.
constexpr uint8_t kFcrEnableAndClear = 0xc7;
// DTR and RTS asserted; OUT2 (which gates the IRQ line on PCs) left off since
// this driver polls.
constexpr uint8_t kMcrDtrRts = 0x03;
constexpr uint8_t kLsrThre = 0x20;  // Transmit holding register empty.

// The 16550 divides a 1.8432 MHz clock by 16 * divisor; divisor 1 = 115200.
constexpr uint16_t kDivisor115200 = 1;

}  // namespace

void Uart16550::Init() const {
  x86_64::OutB(io_base_ + kIer, 0);
  x86_64::OutB(io_base_ + kLcr, kLcrDlab);
  x86_64::OutB(io_base_ + kDll, kDivisor115200 & 0xff);
  x86_64::OutB(io_base_ + kDlm, kDivisor115200 >> 8);
  x86_64::OutB(io_base_ + kLcr, kLcr8N1);
  x86_64::OutB(io_base_ + kFcr, kFcrEnableAndClear);
  x86_64::OutB(io_base_ + kMcr, kMcrDtrRts);
}

void Uart16550::Write(const char* data, size_t size) const {
  for (size_t i = 0; i < size; ++i) {
    // With no UART at this base (e.g. QEMU without -serial), the port reads as
    // 0xff, so THRE looks set and this does not hang.
    while ((x86_64::InB(io_base_ + kLsr) & kLsrThre) == 0) {
      asm volatile("pause");
    }
    x86_64::OutB(io_base_ + kThr, static_cast<uint8_t>(data[i]));
  }
}

}  // namespace ebbrt
