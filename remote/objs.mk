# remote/: the VNC server (libvncserver), its websocket port and web
# console, keyboard layouts
ifeq ($(CONFIG_VNC),y)
hemu-y += remote/vnc.o remote/vnc-opts.o remote/keymap.o remote/http.o \
          remote/websocket.o remote/keydelay.o \
          remote/vnc-outq.o
else
hemu-y += remote/vnc-none.o remote/keymap.o
endif
