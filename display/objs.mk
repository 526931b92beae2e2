# display/: the console layer, the standard VGA, screendump
hemu-y += display/console.o display/vga.o display/vga-render.o \
          display/vga-pci.o display/screendump.o \
          display/display.o
