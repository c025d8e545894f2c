// SPDX-License-Identifier: Apache-2.0
// The x86_64 context switch under SaveContext/ActivateContext (context_switch.S).
//
// A saved context is just a stack pointer: the switch pushes the callee-saved registers
// of the System V ABI (rbp, rbx, r12-r15, and the MXCSR and x87 control words) on the
// current stack, stores %rsp, loads the other stack's %rsp and pops its registers. No
// ucontext (it saves signal masks with a system call), no Boost.
#pragma once

#include <stdint.h>

extern "C" {

// Saves the current context into *save_sp and resumes the one saved in new_sp.
void ebbrt_context_switch(uintptr_t* save_sp, uintptr_t new_sp);

// Resumes the context saved in new_sp without saving the current one.
[[noreturn]] void ebbrt_context_jump(uintptr_t new_sp);

// Saves the current context into *save_sp, switches to the fresh stack whose
// (16-byte aligned) top is stack_top and calls fn(arg) there. fn must never return.
void ebbrt_context_start(uintptr_t* save_sp, void* stack_top, void (*fn)(void*), void* arg);

}  // extern "C"
