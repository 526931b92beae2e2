# emu/chardev: character device back ends
hemu-y += emu/chardev/chardev.o
