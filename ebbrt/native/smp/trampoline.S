// SPDX-License-Identifier: Apache-2.0
// Secondary CPU start-up code (Intel SDM Vol. 3A §8.4.4, "MP Initialization Example").
//
// smp.cc copies the bytes between ebbrt_trampoline_start and ebbrt_trampoline_end to
// physical address TRAMPOLINE_BASE (a STARTUP IPI's vector names its 4 KiB page) and fills
// in the data words at the end. A woken CPU starts here in real mode at CS:IP = 0x0800:0,
// switches to protected mode, then to long mode with the CR3 and EFER the boot CPU gave
// it, and calls the C++ entry with its core index on its own stack.
#define TRAMPOLINE_BASE 0x8000
#define OFFSET(label) ((label) - ebbrt_trampoline_start)
#define ABS(label) (TRAMPOLINE_BASE + OFFSET(label))

#define CR0_PE 0x00000001
#define CR0_MP 0x00000002
#define CR0_EM 0x00000004
#define CR0_PG 0x80000000
#define CR4_PAE 0x00000020
#define CR4_OSFXSR 0x00000200
#define CR4_OSXMMEXCPT 0x00000400
#define MSR_EFER 0xc0000080

        .section .rodata.trampoline, "a", @progbits
        .code16
        .globl ebbrt_trampoline_start
ebbrt_trampoline_start:
        cli
        cld
        movw %cs, %ax
        movw %ax, %ds
        lgdtl OFFSET(tr_gdtr)
        movl %cr0, %eax
        orl $CR0_PE, %eax
        movl %eax, %cr0
        ljmpl $0x08, $ABS(tr_protected)

        .code32
tr_protected:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movl %cr4, %eax
        orl $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
        movl %eax, %cr4
        movl ABS(ebbrt_trampoline_cr3), %eax
        movl %eax, %cr3
        // EFER as the boot CPU has it (LME, and NXE if supported).
        movl $MSR_EFER, %ecx
        movl ABS(ebbrt_trampoline_efer), %eax
        xorl %edx, %edx
        wrmsr
        movl %cr0, %eax
        andl $~CR0_EM, %eax
        orl $(CR0_PG | CR0_MP), %eax
        movl %eax, %cr0
        ljmpl $0x18, $ABS(tr_long)

        .code64
tr_long:
        movw $0x10, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movq ABS(ebbrt_trampoline_stack), %rsp
        movq ABS(ebbrt_trampoline_core), %rdi
        xorl %ebp, %ebp
        fninit
        movq ABS(ebbrt_trampoline_entry), %rax
        callq *%rax
        ud2

        .p2align 3
tr_gdt:
        .quad 0
        .quad 0x00cf9a000000ffff  // 0x08: 32-bit code
        .quad 0x00cf92000000ffff  // 0x10: data
        .quad 0x00af9a000000ffff  // 0x18: 64-bit code
tr_gdt_end:
tr_gdtr:
        .word tr_gdt_end - tr_gdt - 1
        .long ABS(tr_gdt)

// Filled in by smp.cc for each CPU before its STARTUP IPI.
        .p2align 3
        .globl ebbrt_trampoline_cr3
ebbrt_trampoline_cr3:
        .quad 0
        .globl ebbrt_trampoline_efer
ebbrt_trampoline_efer:
        .quad 0
        .globl ebbrt_trampoline_stack
ebbrt_trampoline_stack:
        .quad 0
        .globl ebbrt_trampoline_core
ebbrt_trampoline_core:
        .quad 0
        .globl ebbrt_trampoline_entry
ebbrt_trampoline_entry:
        .quad 0
        .globl ebbrt_trampoline_end
ebbrt_trampoline_end:

        .section .note.GNU-stack, "", @progbits
