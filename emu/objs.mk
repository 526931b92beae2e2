# emu/: utilities, command line, main loop, VM state
hemu-y += emu/util/err.o emu/util/cutils.o emu/util/log.o
hemu-y += emu/cli/keyval.o emu/cli/options.o emu/cli/handlers.o
hemu-y += emu/loop/loop.o
hemu-y += emu/vm/runstate.o emu/vm/machine.o emu/vm/config.o \
          emu/vm/secret.o emu/vm/tls-creds.o emu/vm/daemon.o
hemu-y += emu/mem/mem.o emu/mem/memory-backend.o
hemu-y += emu/hw/dev.o
hemu-y += emu/accel/accel.o emu/accel/vcpu.o emu/accel/tcg.o
hemu-y += emu/hw/pci.o
hemu-y += emu/hw/fw_cfg.o
hemu-y += emu/hw/i440fx.o
