# display/: the console layer, the standard VGA, screendump
hemu-y += display/console.o display/vga.o display/vga-render.o \
          display/vga-pci.o display/screendump.o \
          display/display.o
# QXL is run by spice-server's worker: only with spice-server.
ifeq ($(CONFIG_SPICE),y)
hemu-y += display/qxl.o display/qxl-dev.o
endif
