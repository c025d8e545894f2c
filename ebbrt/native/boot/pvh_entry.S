// SPDX-License-Identifier: Apache-2.0
// PVH entry point for native EbbRT images: from 32-bit protected mode to
// 64-bit long mode, then into C++ (ebbrt_native_start in start.cc).
//
// QEMU boots an ELF `-kernel` that has no multiboot header through its PVH
// option ROM, jumping to the address in the XEN_ELFNOTE_PHYS32_ENTRY note.
// Machine state at entry (Xen docs/misc/pvh.pandoc, "x86/HVM direct boot
// ABI"): 32-bit protected mode, paging off, flat 4 GiB CS/DS/ES/SS, interrupts
// off, DF clear, %ebx = physical address of struct hvm_start_info. There is no
// stack, and the GDTR and IDTR are undefined, so nothing below uses the stack
// before %rsp is set, and no exception can be handled until an IDT exists.

#define XEN_ELFNOTE_PHYS32_ENTRY 18  // Xen public/elfnote.h

// Selectors into boot_gdt below.
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10

#define CR0_MP 0x00000002  // Monitor coprocessor: WAIT/FWAIT honour TS.
#define CR0_EM 0x00000004  // Emulation: x87/SSE instructions raise #UD.
#define CR0_PG 0x80000000
#define CR4_PAE 0x00000020
#define CR4_OSFXSR 0x00000200      // OS supports FXSAVE/FXRSTOR and SSE.
#define CR4_OSXMMEXCPT 0x00000400  // OS handles SIMD FP exceptions (#XM).

#define MSR_EFER 0xc0000080
#define EFER_LME 0x00000100  // Long mode enable.
#define EFER_NXE 0x00000800  // Execute-disable bit in page tables.

// CPUID.80000001H:EDX feature bits. Intel SDM Vol. 2A, CPUID, Table 3-8.
#define CPUID_80000001_EDX_NX 0x00100000
#define CPUID_80000001_EDX_PDPE1GB 0x04000000  // 1 GiB pages.
#define CPUID_80000001_EDX_LM 0x20000000

// Paging-structure entry bits. Intel SDM Vol. 3A §4.5, Tables 4-15 and 4-17.
#define PTE_P 0x001   // Present.
#define PTE_RW 0x002  // Writable.
#define PTE_PS 0x080  // In a PD entry: maps a 2 MiB page; in a PDPT entry, 1 GiB.

#define PAGE_SIZE 4096
#define LARGE_PAGE_SIZE 0x200000
#define HUGE_PAGE_SIZE 0x40000000
// 4 GiB of 2 MiB pages = 4 page directories of 512 entries. With 1 GiB pages, the first
// 3 GiB are 3 PDPT entries of 1 GiB and the last GiB (the MMIO hole) is the 4th PD's 2 MiB
// pages (see the map below).
#define NUM_PDS 4
#define NUM_PD_ENTRIES (NUM_PDS * 512)
#define NUM_1G_PAGES 3
#define LAST_PD (boot_pd + NUM_1G_PAGES * PAGE_SIZE)
#define LAST_GIB (NUM_1G_PAGES * HUGE_PAGE_SIZE)  // 3 GiB.

#define BOOT_STACK_SIZE 0x10000  // 64 KiB.

// ---------------------------------------------------------------------------
// The PVH note. QEMU finds it only through a PT_NOTE program header (not via
// section headers), so image.ld puts .note.Xen in one. QEMU pads the name to
// that segment's p_align to find the descriptor, so the section must stay
// 4-byte aligned (standard ELF note padding), and for an ELF64 image it reads
// the descriptor as 8 bytes, so the address is a .quad (Xen accepts 4 or 8).
        .section .note.Xen, "a", @note
        .p2align 2
        .long 2f - 1f  // namesz, including the NUL.
        .long 4f - 3f  // descsz.
        .long XEN_ELFNOTE_PHYS32_ENTRY
1:      .asciz "Xen"
2:      .p2align 2
3:      .quad ebbrt_pvh_entry32
4:      .p2align 2

// Writes `count` paging-structure entries (low halves) at `table`: `first`, then each one
// `stride` more. Clobbers %eax, %ecx, %edi.
.macro FILL_ENTRIES table, first, stride, count
        movl $\first, %eax
        movl $\table, %edi
        movl $\count, %ecx
1:      movl %eax, (%edi)
        addl $\stride, %eax
        addl $8, %edi
        decl %ecx
        jnz 1b
.endm

// ---------------------------------------------------------------------------
// 32-bit part. In .text.boot so image.ld can place it first, at 1 MiB.
        .section .text.boot, "ax", @progbits
        .code32
        .globl ebbrt_pvh_entry32
        .type ebbrt_pvh_entry32, @function
ebbrt_pvh_entry32:
        // The time of the first instruction, for the boot-time report (start.cc).
        rdtsc
        movl %eax, ebbrt_boot_tsc
        movl %edx, ebbrt_boot_tsc + 4
        cld
        // CPUID clobbers %ebx; %esi carries the start_info address from here
        // to the call into C++ (nothing below uses string moves).
        movl %ebx, %esi

        // Zero .bss, which also holds the page tables and the boot stack. The
        // ABI does not promise the loader cleared memory beyond the file.
        movl $__bss_start, %edi
        movl $__bss_end, %ecx
        subl %edi, %ecx
        xorl %eax, %eax
        rep stosb

        // Long mode is required; the NX bit is kept in %ebp to decide EFER.NXE
        // (setting NXE on a CPU without NX raises #GP; Intel SDM Vol. 3A §4.1.4).
        movl $0x80000000, %eax
        cpuid
        cmpl $0x80000001, %eax
        jb .Lno_long_mode
        movl $0x80000001, %eax
        cpuid
        testl $CPUID_80000001_EDX_LM, %edx
        jz .Lno_long_mode
        movl %edx, %ebp

        // Identity map [0, 4 GiB): PML4[0] -> PDPT. Without 1 GiB pages, PDPT[0..3] -> 4
        // consecutive PDs and PD entry k maps k * 2 MiB. With them (CPUID.80000001H:EDX[26]),
        // PDPT[0..2] map 0-3 GiB in 1 GiB pages (no page directories to fill, fewer TLB
        // entries for RAM; Intel SDM Vol. 3A §4.5, Table 4-16), but the last GiB still goes
        // through the 4th PD in 2 MiB pages: 3-4 GiB holds both RAM below the PCI hole (QEMU
        // `pc` with more than 3 GiB) and the hole's MMIO (PCI BARs, IOAPIC, HPET, LAPIC),
        // which the firmware's MTRRs make uncacheable, and a large page spanning more than
        // one MTRR memory type is undefined behaviour (Intel SDM Vol. 3A §11.11.9). 2 MiB
        // pages keep RAM and the hole apart while RAM below the hole ends on a 2 MiB
        // boundary, as QEMU's does for guests of more than 3 GiB (at 3 GiB on `pc`, 2 GiB on
        // `q35`); a boundary inside a 2 MiB page would need 4 KiB pages there. The first
        // MiB's fixed-range MTRRs inside the first page are the case the CPU handles itself,
        // by mapping that page as 4 KiB pages in the TLB (same section). All entries'
        // upper halves are already zero from the .bss clear; with 1 GiB pages the first 3
        // boot PDs stay unused (zero).
        movl $boot_pdpt + (PTE_P | PTE_RW), boot_pml4

        testl $CPUID_80000001_EDX_PDPE1GB, %ebp
        jz .Lmap_2m
        FILL_ENTRIES boot_pdpt, (PTE_P | PTE_RW | PTE_PS), HUGE_PAGE_SIZE, NUM_1G_PAGES
        movl $LAST_PD + (PTE_P | PTE_RW), boot_pdpt + 8 * NUM_1G_PAGES
        FILL_ENTRIES LAST_PD, LAST_GIB + (PTE_P | PTE_RW | PTE_PS), LARGE_PAGE_SIZE, 512
        jmp .Lmapped
.Lmap_2m:
        FILL_ENTRIES boot_pdpt, boot_pd + (PTE_P | PTE_RW), PAGE_SIZE, NUM_PDS
        FILL_ENTRIES boot_pd, (PTE_P | PTE_RW | PTE_PS), LARGE_PAGE_SIZE, NUM_PD_ENTRIES
.Lmapped:
        // Our own GDT, so the far jump below does not depend on the loader's
        // (the ABI leaves GDTR undefined). The data descriptor is also a valid
        // flat 32-bit one, so reload the data segments now.
        lgdt boot_gdt_pointer
        movl $KERNEL_DS, %eax
        movl %eax, %ds
        movl %eax, %es
        movl %eax, %ss
        movl %eax, %fs
        movl %eax, %gs

        // Enter IA-32e mode in the order Intel SDM Vol. 3A §9.8.5 requires:
        // PAE on, CR3 = PML4, EFER.LME on, then paging on (which sets
        // EFER.LMA). This code runs from an identity-mapped page, as required
        // for the instruction after the MOV to CR0.
        movl %cr4, %eax
        orl $CR4_PAE, %eax
        movl %eax, %cr4

        movl $boot_pml4, %eax
        movl %eax, %cr3

        movl $MSR_EFER, %ecx
        rdmsr
        orl $EFER_LME, %eax
        testl $CPUID_80000001_EDX_NX, %ebp
        jz 3f
        orl $EFER_NXE, %eax
3:      wrmsr

        movl %cr0, %eax
        orl $CR0_PG, %eax
        movl %eax, %cr0

        // Now in compatibility mode; loading a CS with L=1 switches to 64-bit
        // mode. Intel SDM Vol. 3A §9.8.5.3.
        ljmp $KERNEL_CS, $ebbrt_pvh_entry64

.Lno_long_mode:
        // Not an x86-64 CPU: nothing can be printed yet (no console driver in
        // 32-bit code), so stop.
        cli
        hlt
        jmp .Lno_long_mode
        .size ebbrt_pvh_entry32, . - ebbrt_pvh_entry32

// ---------------------------------------------------------------------------
// 64-bit part.
        .code64
        .type ebbrt_pvh_entry64, @function
ebbrt_pvh_entry64:
        // DS/ES/SS are ignored for addressing in 64-bit mode but must hold
        // valid selectors; FS/GS bases will be set through MSRs, so null them.
        movl $KERNEL_DS, %eax
        movl %eax, %ds
        movl %eax, %es
        movl %eax, %ss
        xorl %eax, %eax
        movl %eax, %fs
        movl %eax, %gs

        // The stack top is 16-byte aligned, so after the CALL pushes the return
        // address, %rsp + 8 is 16-byte aligned at ebbrt_native_start's entry,
        // as the SysV x86-64 psABI §3.2.2 requires.
        leaq boot_stack_top(%rip), %rsp
        // A zero frame pointer ends the frame-pointer chain that backtraces
        // walk (we compile with -fno-omit-frame-pointer).
        xorl %ebp, %ebp

        // Enable SSE: the x86-64 ABI passes floating point in XMM registers
        // and the compiler vectorises memory operations, so any C++ code may
        // use SSE. Intel SDM Vol. 3A §13.1.3 (CR0.EM=0, CR0.MP=1,
        // CR4.OSFXSR=1, CR4.OSXMMEXCPT=1).
        movq %cr0, %rax
        andq $~CR0_EM, %rax
        orq $CR0_MP, %rax
        movq %rax, %cr0
        movq %cr4, %rax
        orq $(CR4_OSFXSR | CR4_OSXMMEXCPT), %rax
        movq %rax, %cr4
        // Put x87 and MXCSR in their power-on states (all exceptions masked,
        // round to nearest) rather than whatever the firmware left behind.
        fninit
        ldmxcsr boot_mxcsr(%rip)

        movl %esi, %edi  // Zero-extends: start_info's physical address.
        call ebbrt_native_start

        // ebbrt_native_start is [[noreturn]]; this only guards against a bug.
1:      cli
        hlt
        jmp 1b
        .size ebbrt_pvh_entry64, . - ebbrt_pvh_entry64

// ---------------------------------------------------------------------------
        // In .data, not .bss: it is written before .bss is zeroed.
        .section .data, "aw", @progbits
        .p2align 3
        .globl ebbrt_boot_tsc
ebbrt_boot_tsc:
        .quad 0
        .size ebbrt_boot_tsc, . - ebbrt_boot_tsc

// ---------------------------------------------------------------------------
        .section .rodata, "a", @progbits
        .p2align 3
// Null, 64-bit code (L=1), flat data. The accessed bits (type 0x9b/0x93) are
// preset so the CPU never writes to the GDT when loading a selector (Intel SDM
// Vol. 3A §3.4.5.1), which lets the table live in read-only memory.
boot_gdt:
        .quad 0
        .quad 0x00af9b000000ffff  // KERNEL_CS
        .quad 0x00cf93000000ffff  // KERNEL_DS
boot_gdt_end:
        .size boot_gdt, . - boot_gdt

// LGDT operand. In 32-bit mode only the low 4 bytes of the base are read.
        .p2align 3
boot_gdt_pointer:
        .word boot_gdt_end - boot_gdt - 1
        .quad boot_gdt
        .size boot_gdt_pointer, . - boot_gdt_pointer

        .p2align 2
boot_mxcsr:
        .long 0x1f80  // Intel SDM Vol. 1 §10.2.3.1: MXCSR power-up value.
        .size boot_mxcsr, . - boot_mxcsr

// ---------------------------------------------------------------------------
        .section .bss, "aw", @nobits
        // The stack comes first so an overflow runs into lower .bss rather
        // than into the page tables above it.
        // Page aligned: its lowest page becomes an unmapped guard page once C++ code
        // runs (ebbrt/native/arch/x86_64/stack_guard), so an overflow faults.
        .p2align 12
        .globl boot_stack
boot_stack:
        .skip BOOT_STACK_SIZE
boot_stack_top:
        .size boot_stack, . - boot_stack

        .p2align 12  // CR3 and paging-structure pointers are 4 KiB aligned.
boot_pml4:
        .skip PAGE_SIZE
        .size boot_pml4, . - boot_pml4
boot_pdpt:
        .skip PAGE_SIZE
        .size boot_pdpt, . - boot_pdpt
boot_pd:
        .skip NUM_PDS * PAGE_SIZE
        .size boot_pd, . - boot_pd

// No executable stack; keeps the linker from assuming one.
        .section .note.GNU-stack, "", @progbits
