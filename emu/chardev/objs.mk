# emu/chardev: character device back ends
hemu-y += emu/chardev/chardev.o emu/chardev/char-compat.o \
          emu/chardev/char-file.o emu/chardev/char-mux.o \
          emu/chardev/char-pty.o emu/chardev/char-ringbuf.o \
          emu/chardev/char-socket.o emu/chardev/char-stdio.o \
          emu/chardev/char-udp.o
