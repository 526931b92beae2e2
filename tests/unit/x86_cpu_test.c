/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * x86_cpu_test.c - the soft x86 CPU running small hand-assembled programs:
 * the reset vector and real mode (segments, IVT interrupts and IRET,
 * exception delivery, port I/O, LOOP/CALL/RET), flat 32-bit protected mode
 * with 32- and 16-bit addressing, 64-bit control flow and RIP-relative
 * addressing, exits (HLT, budget, attention, #UD, #DE), CPUID, instruction
 * fetch across a page end and from MMIO.  References: Intel SDM vol. 3A
 * 9.1.4 (first instruction), 20.1 (real-address mode).
 */
#include "emu/osdep.h"

#include <pthread.h>

#include "emu/cpu/x86/cpu.h"
#include "tests/unit/test.h"

#define RAM_SIZE (1u << 20)
#define MMIO_BASE 0xa0000u      /* a 4 KiB MMIO window that holds code */

static uint8_t ram[RAM_SIZE];
static uint8_t mmio[4096];
static struct x86_cpu cpu;
static unsigned pio_log[16][3];
static unsigned pio_count;
static unsigned mmio_reads;

/* RAM below 1 MiB; the top 64 KiB of 4 GiB aliases 0xf0000 as on a PC. */
static uint8_t *ram_ptr(void *opaque, uint64_t pa, bool write)
{
    if (pa >= 0xffff0000u && pa <= 0xffffffffu) {
        pa = pa - 0xffff0000u + 0xf0000u;
    }
    if (pa >= MMIO_BASE && pa < MMIO_BASE + 4096) {
        return NULL;
    }
    return pa < RAM_SIZE ? ram + (pa & ~0xfffull) : NULL;
}

static uint64_t mmio_read(void *opaque, uint64_t pa, unsigned size)
{
    uint64_t v = 0;
    mmio_reads++;
    if (pa >= MMIO_BASE && pa + size <= MMIO_BASE + 4096) {
        memcpy(&v, mmio + (pa - MMIO_BASE), size);
        return v;
    }
    return ~0ull;
}

static void mmio_write(void *opaque, uint64_t pa, uint64_t v, unsigned size)
{
    if (pa >= MMIO_BASE && pa + size <= MMIO_BASE + 4096) {
        memcpy(mmio + (pa - MMIO_BASE), &v, size);
    }
}

static uint64_t pio_read(void *opaque, uint16_t port, unsigned size)
{
    return port == 0x71 ? 0x42 : ~0ull;
}

static void pio_write(void *opaque, uint16_t port, uint64_t v, unsigned size)
{
    if (pio_count < 16) {
        pio_log[pio_count][0] = port;
        pio_log[pio_count][1] = (unsigned)v;
        pio_log[pio_count][2] = size;
        pio_count++;
    }
}

static const struct x86_bus bus = {
    ram_ptr, mmio_read, mmio_write, pio_read, pio_write, NULL,
};

static void load(uint32_t addr, const uint8_t *p, size_t n)
{
    memcpy(ram + addr, p, n);
}

static void reset(void)
{
    memset(ram, 0, sizeof(ram));
    pio_count = 0;
    x86_cpu_init(&cpu, &bus);
}

/* Flat 32-bit protected mode, CPL 0, without descriptor tables. */
static void flat32(void)
{
    cpu.exc_exit_mask = ~0u;      /* report faults, do not deliver */
    cpu.cr0 |= X86_CR0_PE;
    for (int s = 0; s < X86_NSEG; s++) {
        cpu.seg[s] = (struct x86_seg){
            .sel = s == X86_CS ? 8 : 16, .base = 0, .limit = 0xffffffff,
            .attr = X86_SEG_P | X86_SEG_S | X86_SEG_DB | X86_SEG_G |
                    (s == X86_CS ? 0xb : 0x3),
        };
    }
    x86_cpu_update_mode(&cpu);
    x86_tlb_flush(&cpu);
}

static void long64(void)
{
    flat32();
    cpu.efer = X86_EFER_LME | X86_EFER_LMA;
    cpu.seg[X86_CS].attr = X86_SEG_P | X86_SEG_S | X86_SEG_L | 0xb;
    x86_cpu_update_mode(&cpu);
}

TEST(reset_state)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f;

    reset();
    f = open_memstream(&buf, &len);
    x86_cpu_dump(&cpu, f);
    fclose(f);
    EXPECT(strstr(buf, "EIP=0000fff0 EFL=00000002 [-------] CPL=0") != NULL);
    EXPECT(strstr(buf, "CS =f000 ffff0000 0000ffff 00009b00") != NULL);
    EXPECT(strstr(buf, "CR0=60000010") != NULL);
    free(buf);
    EXPECT_EQ(cpu.rip, 0xfff0);
    EXPECT_EQ(cpu.seg[X86_CS].base, 0xffff0000u);
    EXPECT_EQ(cpu.mode, X86_MODE_REAL);
    EXPECT_EQ(cpu.code_size, 1);
    EXPECT_EQ(x86_cpu_get_rflags(&cpu), 2);
    EXPECT_EQ(cpu.cr0, 0x60000010);
}

TEST(real_mode_program)
{
    static const uint8_t reset_vec[] = { 0xea, 0x00, 0x7c, 0x00, 0x00 };
    static const uint8_t prog[] = {
        0x31, 0xc0,             /* 7c00 xor ax, ax */
        0x8e, 0xd8,             /* 7c02 mov ds, ax */
        0x8e, 0xd0,             /* 7c04 mov ss, ax */
        0xbc, 0x00, 0x7c,       /* 7c06 mov sp, 0x7c00 */
        0xb8, 0x34, 0x12,       /* 7c09 mov ax, 0x1234 */
        0xa3, 0x00, 0x05,       /* 7c0c mov [0x500], ax */
        0xbb, 0x00, 0x05,       /* 7c0f mov bx, 0x500 */
        0x8b, 0x37,             /* 7c12 mov si, [bx] */
        0xb9, 0x05, 0x00,       /* 7c14 mov cx, 5 */
        0x31, 0xd2,             /* 7c17 xor dx, dx */
        0x01, 0xca,             /* 7c19 add dx, cx */
        0xe2, 0xfc,             /* 7c1b loop 7c19 */
        0xe8, 0x05, 0x00,       /* 7c1d call 7c25 */
        0xcd, 0x21,             /* 7c20 int 0x21 */
        0xe6, 0x80,             /* 7c22 out 0x80, al */
        0xf4,                   /* 7c24 hlt */
        0x42,                   /* 7c25 inc dx */
        0xc3,                   /* 7c26 ret */
    };
    static const uint8_t handler[] = {
        0xb0, 0x77,             /* mov al, 0x77 */
        0xe4, 0x71,             /* in al, 0x71 -> 0x42 */
        0x04, 0x01,             /* add al, 1 */
        0xcf,                   /* iret */
    };
    static const uint8_t ivt21[] = { 0x00, 0x7d, 0x00, 0x00 };

    reset();
    load(0xffff0, reset_vec, sizeof(reset_vec));
    load(0x7c00, prog, sizeof(prog));
    load(0x7d00, handler, sizeof(handler));
    load(0x21 * 4, ivt21, sizeof(ivt21));
    x86_cpu_set_rflags(&cpu, 0x202);

    EXPECT_EQ(x86_cpu_run(&cpu, 1000), X86_EXIT_HLT);
    EXPECT(cpu.halted);
    EXPECT_EQ(cpu.rip, 0x7c25);
    EXPECT_EQ(cpu.regs[X86_RDX] & 0xffff, 16);
    EXPECT_EQ(cpu.regs[X86_RSI] & 0xffff, 0x1234);
    EXPECT_EQ(cpu.regs[X86_RAX] & 0xffff, 0x1243);
    EXPECT_EQ(cpu.regs[X86_RSP] & 0xffff, 0x7c00);
    EXPECT_EQ(pio_count, 1);
    EXPECT_EQ(pio_log[0][0], 0x80);
    EXPECT_EQ(pio_log[0][1], 0x43);
    EXPECT_EQ(pio_log[0][2], 1);
    /* IRET restored IF; the handler ran with IF clear */
    EXPECT(x86_cpu_get_rflags(&cpu) & X86_IF);
    EXPECT_EQ(cpu.seg[X86_CS].base, 0);
    /* jmp far, 10 set-up, 5 x (add, loop), call/inc/ret, int + 4 in the
       handler, out, hlt */
    EXPECT_EQ(cpu.icount, 1 + 10 + 2 * 5 + 3 + 1 + 4 + 1 + 1);
}

TEST(real_mode_exception_delivery)
{
    static const uint8_t prog[] = {
        0xb1, 0x00,             /* 7c00 mov cl, 0 */
        0xf6, 0xf1,             /* 7c02 div cl -> #DE */
        0xf4,                   /* 7c04 hlt */
    };
    static const uint8_t handler[] = {
        0x58,                   /* pop ax */
        0x05, 0x02, 0x00,       /* add ax, 2 (skip the div) */
        0x50,                   /* push ax */
        0xbb, 0x99, 0x00,       /* mov bx, 0x99 */
        0xcf,                   /* iret */
    };
    static const uint8_t ivt0[] = { 0x00, 0x7e, 0x00, 0x00 };

    reset();
    load(0x7c00, prog, sizeof(prog));
    load(0x7e00, handler, sizeof(handler));
    load(0, ivt0, sizeof(ivt0));
    x86_seg_load_real(&cpu, X86_CS, 0);
    cpu.rip = 0x7c00;
    cpu.regs[X86_RSP] = 0x7000;
    EXPECT_EQ(x86_cpu_run(&cpu, 100), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RBX], 0x99);
    EXPECT_EQ(cpu.rip, 0x7c05);
    EXPECT_EQ(cpu.regs[X86_RSP], 0x7000);
}

TEST(real_mode_segments_and_strings)
{
    static const uint8_t prog[] = {
        0xb8, 0x00, 0x10,       /* mov ax, 0x1000 */
        0x8e, 0xd8,             /* mov ds, ax */
        0xb8, 0x00, 0x20,       /* mov ax, 0x2000 */
        0x8e, 0xc0,             /* mov es, ax */
        0x31, 0xf6,             /* xor si, si */
        0xbf, 0x10, 0x00,       /* mov di, 0x10 */
        0xb9, 0x08, 0x00,       /* mov cx, 8 */
        0xfc,                   /* cld */
        0xf3, 0xa4,             /* rep movsb */
        0x26, 0x8b, 0x1e, 0x12, 0x00, /* mov bx, es:[0x12] */
        0x66, 0xb8, 0x78, 0x56, 0x34, 0x12, /* mov eax, 0x12345678 */
        0x66, 0x50,             /* push eax */
        0x5a,                   /* pop dx (low half) */
        0x59,                   /* pop cx (high half) */
        0x8c, 0xc6,             /* mov si, es */
        0xf4,
    };
    reset();
    load(0x500, prog, sizeof(prog));
    for (int i = 0; i < 8; i++) {
        ram[0x10000 + i] = (uint8_t)(0xa0 + i);
    }
    x86_seg_load_real(&cpu, X86_CS, 0x50);
    cpu.rip = 0;
    cpu.regs[X86_RSP] = 0x8000;
    EXPECT_EQ(x86_cpu_run(&cpu, 100), X86_EXIT_HLT);
    EXPECT_EQ(ram[0x20010], 0xa0);
    EXPECT_EQ(ram[0x20017], 0xa7);
    EXPECT_EQ(cpu.regs[X86_RBX] & 0xffff, 0xa3a2);
    EXPECT_EQ(cpu.regs[X86_RCX] & 0xffff, 0x1234);
    EXPECT_EQ(cpu.regs[X86_RDX] & 0xffff, 0x5678);
    EXPECT_EQ(cpu.regs[X86_RSI] & 0xffff, 0x2000);
    EXPECT_EQ(cpu.regs[X86_RDI] & 0xffff, 0x18);
}

TEST(real_mode_segment_limit)
{
    /* a word at ds:0xffff crosses the 64 KiB limit: #GP (reported, not
       delivered, through exc_exit_mask) */
    static const uint8_t prog[] = { 0x8b, 0x1e, 0xff, 0xff };
    reset();
    load(0x7c00, prog, sizeof(prog));
    x86_seg_load_real(&cpu, X86_CS, 0);
    cpu.rip = 0x7c00;
    cpu.exc_exit_mask = 1u << X86_EXC_GP;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_GP);
    EXPECT_EQ(cpu.rip, 0x7c00);
}

TEST(a20_gate)
{
    /* with A20 closed, 0x100000 + x aliases x */
    static const uint8_t prog[] = {
        0xa1, 0x00, 0x00, 0x10, 0x00,   /* mov eax, [0x100000] */
        0xf4,
    };
    reset();
    flat32();
    load(0x1000, prog, sizeof(prog));
    memcpy(ram, "\x11\x22\x33\x44", 4);
    cpu.rip = 0x1000;
    x86_cpu_run(&cpu, 10);
    EXPECT_EQ(cpu.regs[X86_RAX], 0xffffffff);   /* beyond RAM: MMIO */
    x86_cpu_set_a20(&cpu, false);
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 0x44332211);
}

TEST(protected_flat32)
{
    static const uint8_t prog[] = {
        0xb8, 0x78, 0x56, 0x34, 0x12,   /* mov eax, 0x12345678 */
        0xbb, 0x00, 0x20, 0x00, 0x00,   /* mov ebx, 0x2000 */
        0xb9, 0x02, 0x00, 0x00, 0x00,   /* mov ecx, 2 */
        0x89, 0x04, 0x8b,               /* mov [ebx+ecx*4], eax */
        0x66, 0x8b, 0x54, 0x8b, 0x02,   /* mov dx, [ebx+ecx*4+2] */
        0x67, 0x8b, 0x37,               /* mov esi, [bx] (16-bit addr) */
        0xe8, 0x01, 0x00, 0x00, 0x00,   /* call +1 */
        0xf4,                           /* hlt */
        0x8d, 0x7c, 0x24, 0x04,         /* lea edi, [esp+4] */
        0xc3,                           /* ret */
    };
    reset();
    flat32();
    load(0x1000, prog, sizeof(prog));
    memcpy(ram + 0x2000, "\xbe\xba\xfe\xca", 4);
    cpu.rip = 0x1000;
    cpu.regs[X86_RSP] = 0x9000;
    EXPECT_EQ(x86_cpu_run(&cpu, 100), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RDX] & 0xffff, 0x1234);
    EXPECT_EQ(cpu.regs[X86_RSI], 0xcafebabe);
    EXPECT_EQ(cpu.regs[X86_RDI], 0x9000);
    EXPECT_EQ(cpu.regs[X86_RSP], 0x9000);
    EXPECT_EQ(ram[0x2008], 0x78);
    EXPECT_EQ(cpu.rip, 0x1020);
}

TEST(long64_control_flow)
{
    static const uint8_t prog[] = {
        0x48, 0x8b, 0x05, 0xf9, 0x0f, 0x00, 0x00, /* 1000 mov rax,[rip+ff9] */
        0x31, 0xc9,                     /* 1007 xor ecx, ecx */
        0x48, 0xff, 0xc1,               /* 1009 inc rcx */
        0x48, 0x83, 0xf9, 0x0a,         /* 100c cmp rcx, 10 */
        0x75, 0xf7,                     /* 1010 jne 1009 */
        0x48, 0x8d, 0x15, 0x05, 0x00, 0x00, 0x00, /* 1012 lea rdx,[rip+5] */
        0xff, 0xd2,                     /* 1019 call rdx */
        0xf4,                           /* 101b hlt */
        0x90, 0x90, 0x90,
        0x48, 0xc7, 0xc3, 0x07, 0x00, 0x00, 0x00, /* 101f mov rbx, 7 */
        0x0f, 0x85, 0x00, 0x00, 0x00, 0x00, /* 1026 jne +0 (ZF=1: not) */
        0xc3,                           /* 102c ret */
    };
    reset();
    long64();
    load(0x1000, prog, sizeof(prog));
    memcpy(ram + 0x2000, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
    cpu.rip = 0x1000;
    cpu.regs[X86_RSP] = 0x8000;
    EXPECT_EQ(x86_cpu_run(&cpu, 200), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 0x0807060504030201ull);
    EXPECT_EQ(cpu.regs[X86_RCX], 10);
    EXPECT_EQ(cpu.regs[X86_RBX], 7);
    EXPECT_EQ(cpu.regs[X86_RDX], 0x101e);    /* lands on a nop */
    EXPECT_EQ(cpu.regs[X86_RSP], 0x8000);
    EXPECT_EQ(cpu.rip, 0x101c);
}

TEST(exits)
{
    static const uint8_t spin[] = { 0xeb, 0xfe };              /* jmp $ */
    static const uint8_t ud2[] = { 0x90, 0x0f, 0x0b };
    static const uint8_t de[] = { 0x31, 0xc9, 0xf7, 0xf1 };    /* div ecx */
    static const uint8_t push_es[] = { 0x06 };

    reset();
    long64();
    load(0x1000, spin, sizeof(spin));
    cpu.rip = 0x1000;
    uint64_t before = cpu.icount;
    EXPECT_EQ(x86_cpu_run(&cpu, 500), X86_EXIT_BUDGET);
    EXPECT_EQ(cpu.icount - before, 500);
    cpu.attention = 1;
    EXPECT_EQ(x86_cpu_run(&cpu, 500), X86_EXIT_ATTENTION);
    cpu.attention = 0;

    load(0x1000, ud2, sizeof(ud2));
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_UD);
    EXPECT_EQ(cpu.rip, 0x1001);

    load(0x1000, de, sizeof(de));
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_DE);
    EXPECT_EQ(cpu.rip, 0x1002);

    load(0x1000, push_es, sizeof(push_es));
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_UD);
}

TEST(cpuid_leaves)
{
    static const uint8_t prog[] = { 0x0f, 0xa2, 0xf4 };
    char vendor[13];

    reset();
    long64();
    load(0x1000, prog, sizeof(prog));
    cpu.rip = 0x1000;
    cpu.regs[X86_RAX] = 0;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_HLT);
    memcpy(vendor, &cpu.regs[X86_RBX], 4);
    memcpy(vendor + 4, &cpu.regs[X86_RDX], 4);
    memcpy(vendor + 8, &cpu.regs[X86_RCX], 4);
    vendor[12] = 0;
    EXPECT_STR(vendor, "AuthenticAMD");
    EXPECT_EQ(cpu.regs[X86_RAX], 0xd);     /* qemu64, the default model */

    cpu.rip = 0x1000;
    cpu.regs[X86_RAX] = 1;
    x86_cpu_run(&cpu, 10);
    /* qemu64 as QEMU 6.2 reports it under TCG (tests/guest/test_cpuid.py
       compares with QEMU itself) */
    EXPECT_EQ(cpu.regs[X86_RAX], 0x00060fb1);
    EXPECT_EQ(cpu.regs[X86_RDX], 0x078bfbfd);
    EXPECT_EQ(cpu.regs[X86_RCX], 0x80002001);
}

TEST(fetch_across_page_and_from_mmio)
{
    /* mov eax, imm32 split over a page end: b8 | 11 22 33 44 */
    static const uint8_t split[] = { 0xb8, 0x11, 0x22, 0x33, 0x44, 0xf4 };
    reset();
    flat32();
    load(0x1ffd, split, sizeof(split));
    cpu.rip = 0x1ffd;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 0x44332211);

    /* code and data in the MMIO window go through mmio_read/mmio_write */
    static const uint8_t prog[] = {
        0xb8, 0xef, 0xbe, 0xad, 0xde,   /* mov eax, 0xdeadbeef */
        0xa3, 0x00, 0x0f, 0x0a, 0x00,   /* mov [0xa0f00], eax */
        0x8b, 0x1d, 0x00, 0x0f, 0x0a, 0x00, /* mov ebx, [0xa0f00] */
        0xf4,
    };
    memcpy(mmio, prog, sizeof(prog));
    mmio_reads = 0;
    cpu.rip = MMIO_BASE;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RBX], 0xdeadbeef);
    EXPECT(mmio_reads > 0);
    EXPECT_EQ(cpu.rip, MMIO_BASE + sizeof(prog));

    /* a dword write across a page end lands byte by byte */
    static const uint8_t cross[] = {
        0xc7, 0x05, 0xfe, 0x3f, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12,
        0xf4,
    };
    load(0x1000, cross, sizeof(cross));
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_HLT);
    EXPECT_EQ(ram[0x3ffe], 0x78);
    EXPECT_EQ(ram[0x4001], 0x12);
}

TEST(bcd)
{
    /* 0x19 + 0x28 = 0x41 -> DAA 0x47; 0x47 - 0x09 = 0x3e -> DAS 0x38;
       AAM: 63 -> AH 6, AL 3; AAD: 0x0603 -> 63 */
    static const uint8_t prog[] = {
        0xb0, 0x19,             /* mov al, 0x19 */
        0x04, 0x28,             /* add al, 0x28 */
        0x27,                   /* daa */
        0x88, 0xc3,             /* mov bl, al */
        0x2c, 0x09,             /* sub al, 9 */
        0x2f,                   /* das */
        0x88, 0xc7,             /* mov bh, al */
        0xb0, 0x3f,             /* mov al, 63 */
        0xd4, 0x0a,             /* aam */
        0x89, 0xc1,             /* mov ecx, eax */
        0xd5, 0x0a,             /* aad */
        0x89, 0xc2,             /* mov edx, eax */
        0x66, 0xb8, 0x09, 0x00, /* mov ax, 9 */
        0x04, 0x05,             /* add al, 5 */
        0x37,                   /* aaa -> ax 0x0104 */
        0x89, 0xc6,             /* mov esi, eax */
        0xf4,
    };
    reset();
    flat32();
    load(0x1000, prog, sizeof(prog));
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 100), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RBX] & 0xff, 0x47);
    EXPECT_EQ((cpu.regs[X86_RBX] >> 8) & 0xff, 0x38);
    EXPECT_EQ(cpu.regs[X86_RCX] & 0xffff, 0x0603);
    EXPECT_EQ(cpu.regs[X86_RDX] & 0xffff, 63);
    EXPECT_EQ(cpu.regs[X86_RSI] & 0xffff, 0x0104);
}

/* GDT at 0x600: null, 0x08 code32, 0x10 data32, 0x18 code16, 0x20 data
   not present, 0x28 execute-only code; GDTR image at 0x5f0 */
static void gdt_setup(void)
{
    static const uint32_t gdt[] = {
        0, 0,
        0x0000ffff, 0x00cf9a00,
        0x0000ffff, 0x00cf9200,
        0x0000ffff, 0x00009a00,
        0x0000ffff, 0x00cf1200,
        0x0000ffff, 0x00cf9800,
    };
    static const uint8_t gdtr[] = { 0x2f, 0x00, 0x00, 0x06, 0x00, 0x00 };
    memcpy(ram + 0x600, gdt, sizeof(gdt));
    load(0x5f0, gdtr, sizeof(gdtr));
}

TEST(protected_mode_round_trip)
{
    static const uint8_t prog[] = {
        0x0f, 0x01, 0x16, 0xf0, 0x05,       /* 7c00 lgdt [0x5f0] */
        0x0f, 0x20, 0xc0,                   /* 7c05 mov eax, cr0 */
        0x0c, 0x01,                         /* 7c08 or al, 1 */
        0x0f, 0x22, 0xc0,                   /* 7c0a mov cr0, eax */
        0x66, 0xea, 0x15, 0x7c, 0x00, 0x00, 0x08, 0x00, /* jmp 8:7c15 */
        0x66, 0xb8, 0x10, 0x00,             /* 7c15 mov ax, 0x10 */
        0x8e, 0xd8,                         /* 7c19 mov ds, ax */
        0x8e, 0xd0,                         /* 7c1b mov ss, ax */
        0xbc, 0x00, 0x90, 0x00, 0x00,       /* 7c1d mov esp, 0x9000 */
        0xc7, 0x05, 0x00, 0x80, 0x00, 0x00, /* 7c22 mov dword [0x8000], */
        0x78, 0x56, 0x34, 0x12,             /*      0x12345678 */
        0xea, 0x33, 0x7c, 0x00, 0x00, 0x18, 0x00, /* 7c2c jmp 18:7c33 */
        0x0f, 0x20, 0xc0,                   /* 7c33 mov eax, cr0 */
        0x24, 0xfe,                         /* 7c36 and al, 0xfe */
        0x0f, 0x22, 0xc0,                   /* 7c38 mov cr0, eax */
        0xea, 0x40, 0x7c, 0x00, 0x00,       /* 7c3b jmp 0:7c40 */
        0x31, 0xc0,                         /* 7c40 xor ax, ax */
        0x8e, 0xd8,                         /* 7c42 mov ds, ax */
        0xa1, 0x00, 0x80,                   /* 7c44 mov ax, [0x8000] */
        0xf4,                               /* 7c47 hlt */
    };
    reset();
    gdt_setup();
    load(0x7c00, prog, sizeof(prog));
    x86_seg_load_real(&cpu, X86_CS, 0);
    cpu.rip = 0x7c00;
    EXPECT_EQ(x86_cpu_run(&cpu, 8), X86_EXIT_BUDGET);
    EXPECT_EQ(cpu.mode, X86_MODE_PROT);
    EXPECT_EQ(cpu.code_size, 2);
    EXPECT_EQ(cpu.seg[X86_SS].limit, 0xffffffff);
    EXPECT_EQ(cpu.stack_size, 2);
    EXPECT_EQ(x86_cpu_run(&cpu, 100), X86_EXIT_HLT);
    EXPECT_EQ(cpu.mode, X86_MODE_REAL);
    EXPECT_EQ(cpu.code_size, 1);
    EXPECT_EQ(cpu.regs[X86_RAX] & 0xffff, 0x5678);
    EXPECT_EQ(ram[0x8002], 0x34);
    /* the descriptors used got their accessed bit */
    EXPECT_EQ(ram[0x608 + 5], 0x9b);
    EXPECT_EQ(ram[0x610 + 5], 0x93);
    EXPECT_EQ(ram[0x618 + 5], 0x9b);
    EXPECT_EQ(ram[0x620 + 5], 0x12);
}

TEST(segment_load_faults)
{
    /* mov ax, imm16; mov <sreg>, ax */
    static const struct {
        uint16_t sel;
        uint8_t sreg_modrm;
        int vector;
        uint32_t error;
    } cases[] = {
        { 0x30, 0xd8, X86_EXC_GP, 0x30 },   /* beyond the GDT limit */
        { 0x20, 0xd8, X86_EXC_NP, 0x20 },   /* not present */
        { 0x28, 0xd8, X86_EXC_GP, 0x28 },   /* execute-only code */
        { 0x08, 0xd0, X86_EXC_GP, 0x08 },   /* SS must be writable data */
        { 0x00, 0xd0, X86_EXC_GP, 0x00 },   /* null SS */
        { 0x13, 0xd0, X86_EXC_GP, 0x10 },   /* SS RPL != CPL */
        { 0x0c, 0xd8, X86_EXC_GP, 0x0c },   /* LDT selector, no LDT */
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint8_t prog[] = {
            0x66, 0xb8, (uint8_t)cases[i].sel, (uint8_t)(cases[i].sel >> 8),
            0x8e, cases[i].sreg_modrm, 0xf4,
        };
        reset();
        flat32();
        gdt_setup();
        cpu.gdtr_base = 0x600;
        cpu.gdtr_limit = 0x2f;
        cpu.ldtr.attr = 0;
        load(0x1000, prog, sizeof(prog));
        cpu.rip = 0x1000;
        EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_EXCEPTION);
        EXPECT_EQ(cpu.exc_vector, cases[i].vector);
        EXPECT_EQ(cpu.exc_error, cases[i].error);
        EXPECT_EQ(cpu.rip, 0x1004);
    }

    /* a null DS loads, and using it faults */
    static const uint8_t null_ds[] = {
        0x31, 0xc0, 0x8e, 0xd8, 0x8b, 0x00,   /* mov ds, 0; mov eax, [eax] */
    };
    reset();
    flat32();
    gdt_setup();
    cpu.gdtr_base = 0x600;
    cpu.gdtr_limit = 0x2f;
    load(0x1000, null_ds, sizeof(null_ds));
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_GP);
    EXPECT_EQ(cpu.exc_error, 0);
    EXPECT_EQ(cpu.rip, 0x1004);
}

TEST(segment_type_and_limit_checks)
{
    static const uint8_t prog[] = {
        0x2e, 0x8b, 0x03,       /* mov eax, cs:[ebx]: code is readable */
        0x2e, 0x89, 0x03,       /* mov cs:[ebx], eax: #GP(0) */
    };
    reset();
    flat32();
    load(0x1000, prog, sizeof(prog));
    cpu.regs[X86_RBX] = 0x1000;
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_GP);
    EXPECT_EQ(cpu.rip, 0x1003);
    EXPECT_EQ(cpu.regs[X86_RAX], 0x2e038b2e);

    /* read-only data: writes fault, reads do not */
    cpu.seg[X86_DS].attr &= ~2u;
    static const uint8_t wr[] = { 0x8b, 0x03, 0x89, 0x03 };
    load(0x1000, wr, sizeof(wr));
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.rip, 0x1002);

    /* an instruction running past CS.limit */
    cpu.seg[X86_CS].limit = 0x1000;
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_GP);
    EXPECT_EQ(cpu.rip, 0x1000);
}

TEST(far_pointers_arpl_bound)
{
    /* real mode: les bx, [0x600]; lds si, [0x604] */
    static const uint8_t real[] = {
        0xc4, 0x1e, 0x00, 0x06,     /* les bx, [0x600] */
        0xc5, 0x36, 0x04, 0x06,     /* lds si, [0x604] */
        0xf4,
    };
    reset();
    load(0x7c00, real, sizeof(real));
    memcpy(ram + 0x600, "\x34\x12\x00\x20\x78\x56\x00\x30", 8);
    x86_seg_load_real(&cpu, X86_CS, 0);
    cpu.rip = 0x7c00;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RBX], 0x1234);
    EXPECT_EQ(cpu.seg[X86_ES].sel, 0x2000);
    EXPECT_EQ(cpu.seg[X86_ES].base, 0x20000);
    EXPECT_EQ(cpu.regs[X86_RSI], 0x5678);
    EXPECT_EQ(cpu.seg[X86_DS].base, 0x30000);

    /* protected mode: arpl and bound */
    static const uint8_t prot[] = {
        0x63, 0xc8,                 /* arpl ax, cx */
        0x62, 0x13,                 /* bound edx, [ebx] */
        0xf4,
    };
    reset();
    flat32();
    load(0x1000, prot, sizeof(prot));
    memcpy(ram + 0x2000, "\xf6\xff\xff\xff\x0a\x00\x00\x00", 8);
    cpu.regs[X86_RAX] = 0x10;
    cpu.regs[X86_RCX] = 0x1b;
    cpu.regs[X86_RBX] = 0x2000;
    cpu.regs[X86_RDX] = (uint32_t)-10;
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 0x13);
    EXPECT(x86_cpu_get_rflags(&cpu) & X86_ZF);
    cpu.regs[X86_RDX] = 11;
    cpu.rip = 0x1002;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_BR);
}

TEST(io_permission_bitmap)
{
    /* CPL 3, IOPL 0: port 0x80 allowed by the bitmap, 0x81 not */
    static const uint8_t prog[] = {
        0xe6, 0x80,                 /* out 0x80, al */
        0xe6, 0x81,                 /* out 0x81, al */
    };
    reset();
    flat32();
    cpu.seg[X86_CS].sel = 0x1b;
    cpu.seg[X86_CS].attr |= X86_SEG_DPL;
    for (int s = 0; s < X86_NSEG; s++) {
        cpu.seg[s].attr |= X86_SEG_DPL;
    }
    x86_cpu_update_mode(&cpu);
    EXPECT_EQ(cpu.cpl, 3);
    /* TSS at 0x5000 with the bitmap at +0x68: all ports denied but 0x80 */
    memset(ram + 0x5000, 0, 0x68);
    ram[0x5066] = 0x68;
    memset(ram + 0x5068, 0xff, 0x2001);
    ram[0x5068 + 0x80 / 8] = 0xfe;
    cpu.tr = (struct x86_seg){ .sel = 0x28, .base = 0x5000,
                               .limit = 0x68 + 0x2000,
                               .attr = X86_SEG_P | 0xb };
    load(0x1000, prog, sizeof(prog));
    pio_count = 0;
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 10), X86_EXIT_EXCEPTION);
    EXPECT_EQ(cpu.exc_vector, X86_EXC_GP);
    EXPECT_EQ(cpu.rip, 0x1002);
    EXPECT_EQ(pio_count, 1);
}

TEST(lar_lsl_verr_verw)
{
    static const uint8_t prog[] = {
        0x66, 0xbb, 0x10, 0x00,     /* mov bx, 0x10 */
        0x0f, 0x02, 0xc3,           /* lar eax, bx */
        0x9c, 0x5e,                 /* pushf; pop esi */
        0x0f, 0x03, 0xcb,           /* lsl ecx, bx */
        0x66, 0xbb, 0x28, 0x00,     /* mov bx, 0x28 (execute-only) */
        0x0f, 0x00, 0xe3,           /* verr bx */
        0x9c, 0x5f,                 /* pushf; pop edi */
        0x66, 0xbb, 0x10, 0x00,     /* mov bx, 0x10 */
        0x0f, 0x00, 0xeb,           /* verw bx */
        0x9c, 0x5d,                 /* pushf; pop ebp */
        0x66, 0xbb, 0x30, 0x00,     /* mov bx, 0x30 (beyond the GDT) */
        0xba, 0x55, 0x00, 0x00, 0x00, /* mov edx, 0x55 */
        0x0f, 0x02, 0xd3,           /* lar edx, bx: ZF = 0, edx kept */
        0xf4,
    };
    reset();
    flat32();
    gdt_setup();
    cpu.gdtr_base = 0x600;
    cpu.gdtr_limit = 0x2f;
    load(0x1000, prog, sizeof(prog));
    cpu.regs[X86_RSP] = 0x9000;
    cpu.rip = 0x1000;
    EXPECT_EQ(x86_cpu_run(&cpu, 100), X86_EXIT_HLT);
    EXPECT_EQ(cpu.regs[X86_RAX], 0x00cf9200);
    EXPECT(cpu.regs[X86_RSI] & X86_ZF);
    EXPECT_EQ(cpu.regs[X86_RCX], 0xffffffff);
    EXPECT(!(cpu.regs[X86_RDI] & X86_ZF));
    EXPECT(cpu.regs[X86_RBP] & X86_ZF);
    EXPECT(!(x86_cpu_get_rflags(&cpu) & X86_ZF));
    EXPECT_EQ(cpu.regs[X86_RDX], 0x55);
}

/* Two vCPUs on two threads hammer one counter with LOCK INC and LOCK XADD:
   no update may be lost. */
static struct x86_cpu smp_cpu[2];

static void *smp_thread(void *arg)
{
    struct x86_cpu *c = arg;
    x86_cpu_run(c, ~0ull);
    return NULL;
}

TEST(lock_is_atomic_across_cpus)
{
    static const uint8_t prog[] = {
        0xf0, 0x48, 0xff, 0x04, 0x25, 0x00, 0x20, 0x00, 0x00, /* lock inc */
        0xba, 0x01, 0x00, 0x00, 0x00,                   /* mov edx, 1 */
        0xf0, 0x0f, 0xc1, 0x14, 0x25, 0x08, 0x20, 0x00, 0x00, /* lock xadd */
        0xff, 0xc9,                                     /* dec ecx */
        0x75, 0xe5,                                     /* jnz loop */
        0xf4,
    };
    enum { N = 100000 };
    pthread_t t[2];

    reset();
    load(0x1000, prog, sizeof(prog));
    for (int i = 0; i < 2; i++) {
        x86_cpu_init(&smp_cpu[i], &bus);
        cpu = smp_cpu[i];       /* borrow the helpers' mode set-up */
        long64();
        smp_cpu[i] = cpu;
        smp_cpu[i].rip = 0x1000;
        smp_cpu[i].regs[X86_RCX] = N;
    }
    for (int i = 0; i < 2; i++) {
        pthread_create(&t[i], NULL, smp_thread, &smp_cpu[i]);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
    }
    uint64_t a, b;
    memcpy(&a, ram + 0x2000, 8);
    memcpy(&b, ram + 0x2008, 4);
    EXPECT_EQ(a, 2 * N);
    EXPECT_EQ((uint32_t)b, 2 * N);
}

TEST_MAIN()
