# emu/cpu/x86: the software x86-64 CPU (accelerator "tcg")
hemu-y += emu/cpu/x86/cpu.o emu/cpu/x86/mem.o emu/cpu/x86/flags.o \
          emu/cpu/x86/decode.o emu/cpu/x86/table.o \
          emu/cpu/x86/paging.o emu/cpu/x86/sys.o emu/cpu/x86/seg.o \
          emu/cpu/x86/intr.o emu/cpu/x86/dump.o
hemu-y += emu/cpu/x86/alu.o emu/cpu/x86/mov.o emu/cpu/x86/shift.o \
          emu/cpu/x86/muldiv.o emu/cpu/x86/bitops.o emu/cpu/x86/stack.o \
          emu/cpu/x86/control.o emu/cpu/x86/string.o emu/cpu/x86/bcd.o \
          emu/cpu/x86/misc.o
hemu-y += emu/cpu/x86/hostexec.o emu/cpu/x86/fpu.o emu/cpu/x86/fxsave.o \
          emu/cpu/x86/sse.o
hemu-y += emu/cpu/x86/atomic.o
