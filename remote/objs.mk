# remote/: the VNC server (libvncserver), its websocket port and web
# console, keyboard layouts
ifeq ($(CONFIG_VNC),y)
hemu-y += remote/vnc.o remote/vnc-opts.o remote/keymap.o remote/http.o \
          remote/websocket.o remote/keydelay.o \
          remote/vnc-outq.o remote/vnc-vencrypt.o
else
hemu-y += remote/vnc-none.o remote/keymap.o
endif
# SPICE (spice-server): options, the core interface on the main loop,
# input, the console as QXL drawing commands
ifeq ($(CONFIG_SPICE),y)
hemu-y += remote/spice.o remote/spice-opts.o remote/spice-core.o \
          remote/spice-input.o remote/spice-display.o
else
hemu-y += remote/spice-none.o
endif
