# emu/cpu/x86: the software x86-64 CPU (accelerator "tcg")
hemu-y += emu/cpu/x86/cpu.o emu/cpu/x86/mem.o emu/cpu/x86/flags.o \
          emu/cpu/x86/decode.o emu/cpu/x86/table.o \
          emu/cpu/x86/paging.o emu/cpu/x86/sys.o emu/cpu/x86/seg.o \
          emu/cpu/x86/intr.o emu/cpu/x86/dump.o emu/cpu/x86/block.o \
          emu/cpu/x86/fuse.o emu/cpu/x86/tlb.o
hemu-y += emu/cpu/x86/alu.o emu/cpu/x86/mov.o emu/cpu/x86/shift.o \
          emu/cpu/x86/muldiv.o emu/cpu/x86/bitops.o emu/cpu/x86/stack.o \
          emu/cpu/x86/control.o emu/cpu/x86/string.o emu/cpu/x86/bcd.o \
          emu/cpu/x86/misc.o
hemu-y += emu/cpu/x86/hostexec.o emu/cpu/x86/fpu.o emu/cpu/x86/fxsave.o \
          emu/cpu/x86/sse.o
hemu-y += emu/cpu/x86/gate.o emu/cpu/x86/task.o emu/cpu/x86/v86.o
# CPU models, CPUID, the model's MSRs, XSAVE and the -d log (cpumodel.c ...)
hemu-y += emu/cpu/x86/cpumodel.o emu/cpu/x86/cpuid.o emu/cpu/x86/msr.o \
          emu/cpu/x86/xsave.o emu/cpu/x86/disas.o \
          emu/cpu/x86/disas-capstone.o emu/cpu/x86/qmp-cpu.o
hemu-y += emu/cpu/x86/atomic.o emu/cpu/x86/fast.o emu/cpu/x86/fastint.o \
          emu/cpu/x86/fastarith.o emu/cpu/x86/ssefast.o emu/cpu/x86/mmxfast.o
