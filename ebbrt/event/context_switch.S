// SPDX-License-Identifier: Apache-2.0
// x86_64 context switch (see context_switch.h). System V AMD64 psABI §3.2.1: rbx, rbp,
// r12-r15, the MXCSR control bits and the x87 control word are callee-saved; everything
// else the caller of these functions already expects to be clobbered.

        .text

// Pushes the callee-saved state; %rsp then points at the saved context.
.macro SAVE_CONTEXT
        pushq %rbp
        pushq %rbx
        pushq %r12
        pushq %r13
        pushq %r14
        pushq %r15
        subq $8, %rsp
        stmxcsr (%rsp)
        fnstcw 4(%rsp)
.endm

// void ebbrt_context_switch(uintptr_t* save_sp /* rdi */, uintptr_t new_sp /* rsi */)
        .globl ebbrt_context_switch
        .type ebbrt_context_switch, @function
ebbrt_context_switch:
        SAVE_CONTEXT
        movq %rsp, (%rdi)
        movq %rsi, %rsp
        jmp ebbrt_context_restore
        .size ebbrt_context_switch, . - ebbrt_context_switch

// void ebbrt_context_jump(uintptr_t new_sp /* rdi */)
        .globl ebbrt_context_jump
        .type ebbrt_context_jump, @function
ebbrt_context_jump:
        movq %rdi, %rsp
        // Fall through.
ebbrt_context_restore:
        ldmxcsr (%rsp)
        fldcw 4(%rsp)
        addq $8, %rsp
        popq %r15
        popq %r14
        popq %r13
        popq %r12
        popq %rbx
        popq %rbp
        // Not `ret`: after a stack switch the return-stack predictor is always wrong, and
        // an indirect jump is predicted from its own history. %rcx is caller-saved.
        popq %rcx
        jmpq *%rcx
        .size ebbrt_context_jump, . - ebbrt_context_jump

// void ebbrt_context_start(uintptr_t* save_sp /* rdi */, void* stack_top /* rsi */,
//                          void (*fn)(void*) /* rdx */, void* arg /* rcx */)
        .globl ebbrt_context_start
        .type ebbrt_context_start, @function
ebbrt_context_start:
        SAVE_CONTEXT
        movq %rsp, (%rdi)
        movq %rsi, %rsp
        movq %rcx, %rdi
        // A zero frame pointer ends backtraces at the base of the new stack.
        xorl %ebp, %ebp
        // %rsp is 16-byte aligned here, so fn sees the ABI's alignment after the call.
        callq *%rdx
        // fn must never return.
        ud2
        .size ebbrt_context_start, . - ebbrt_context_start

        .section .note.GNU-stack, "", @progbits
