// SPDX-License-Identifier: Apache-2.0
// Entry stubs for all 256 interrupt vectors (see interrupts.h). Each stub pushes a zero
// error code if the CPU did not push one, then its vector number, and jumps to the common
// path, which saves the general-purpose registers as an InterruptFrame and calls
// ebbrt_native_interrupt(frame).

        .text

// 16 bytes per stub: the IDT points vector v at ebbrt_interrupt_stubs + 16 * v. Vectors
// for which the CPU pushes an error code (Intel SDM Vol. 3A §6.15, Table 6-1): #DF 8,
// #TS 10, #NP 11, #SS 12, #GP 13, #PF 14, #AC 17, #CP 21, #VC 29, #SX 30.
        .p2align 4
        .globl ebbrt_interrupt_stubs
ebbrt_interrupt_stubs:
        .set vector, 0
        .rept 256
        .p2align 4
        .if (vector == 8) || (vector == 10) || (vector == 11) || (vector == 12) || (vector == 13) || (vector == 14) || (vector == 17) || (vector == 21) || (vector == 29) || (vector == 30)
        .else
        pushq $0
        .endif
        pushq $vector
        jmp ebbrt_interrupt_common
        .set vector, vector + 1
        .endr

        .type ebbrt_interrupt_common, @function
ebbrt_interrupt_common:
        pushq %rax
        pushq %rbx
        pushq %rcx
        pushq %rdx
        pushq %rsi
        pushq %rdi
        pushq %rbp
        pushq %r8
        pushq %r9
        pushq %r10
        pushq %r11
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        // The CPU aligned %rsp to 16 before its 5-word frame; with the 2 words the stub
        // pushed and these 15 the frame is 176 bytes, so %rsp is 16-byte aligned here.
        movq %rsp, %rdi
        // The interrupted code's x87/SSE state: handlers are C++ and may use SSE.
        // FXSAVE needs a 16-byte aligned 512-byte area (Intel SDM Vol. 1 §10.5).
        subq $512, %rsp
        fxsave (%rsp)
        cld
        callq ebbrt_native_interrupt
        fxrstor (%rsp)
        addq $512, %rsp
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %r11
        popq %r10
        popq %r9
        popq %r8
        popq %rbp
        popq %rdi
        popq %rsi
        popq %rdx
        popq %rcx
        popq %rbx
        popq %rax
        addq $16, %rsp  // Vector and error code.
        iretq
        .size ebbrt_interrupt_common, . - ebbrt_interrupt_common

        .section .note.GNU-stack, "", @progbits
