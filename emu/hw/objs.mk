# emu/hw: PC platform devices (ISA board interface, PIC, PIT, RTC/CMOS,
# UART, debug console, debug exit).  emu/hw/dev.o is listed in emu/objs.mk.
hemu-y += emu/hw/i8237.o emu/hw/fdc.o
hemu-y += emu/hw/isa.o emu/hw/i8259.o emu/hw/i8254.o emu/hw/mc146818.o \
          emu/hw/serial16550.o emu/hw/debugcon.o emu/hw/debugexit.o
# chipset, keyboard controller and the pc board
hemu-y += emu/hw/piix3.o emu/hw/ps2.o emu/hw/i8042.o emu/hw/port92.o emu/hw/pc.o \
          emu/hw/pc-machine.o
# interrupt controllers, timers and ACPI power management of the pc board
hemu-y += emu/hw/ioapic.o emu/hw/apic.o emu/hw/piix4-pm.o emu/hw/hpet.o
# direct kernel boot: the loaders and their option ROMs (roms/*.asm,
# assembled and embedded by the Makefile)
hemu-y += emu/hw/linuxboot.o emu/hw/multiboot.o \
          emu/hw/roms/linuxboot-rom.o emu/hw/roms/multiboot-rom.o
# the boot order list (fw_cfg "bootorder") front ends register into
hemu-y += emu/hw/bootorder.o
# storage front ends: the PIIX3 IDE function with ATA disks and the ATAPI
# CD-ROM, attached by pc-storage.c
hemu-y += emu/hw/ide.o emu/hw/ide-atapi.o emu/hw/piix-ide.o emu/hw/pc-storage.o \
          emu/hw/ide-dev.o
# virtio: the PCI transport and virtqueues (shared), and virtio-blk-pci
hemu-y += emu/hw/virtio/virtqueue.o emu/hw/virtio/virtio-pci.o \
          emu/hw/virtio/virtio-blk.o emu/hw/msix.o
include emu/hw/usb/objs.mk
# virtio-net-pci and its software TX offloads
hemu-y += emu/hw/virtio/virtio-net.o emu/hw/virtio/virtio-net-offload.o
