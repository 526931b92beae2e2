# netdev/: the network layer and its back ends; the monitor's network
# commands (emu/monitor/net-cmds.c) come with it.
hemu-y += netdev/net.o netdev/hub.o netdev/dump.o netdev/clients.o netdev/socket.o \
          netdev/tap.o netdev/l2tpv3.o \
          emu/monitor/net-cmds.o
hemu-$(CONFIG_SLIRP) += netdev/slirp.o
# NIC front ends (emu/hw/)
hemu-y += emu/hw/e1000.o emu/hw/e1000-tx.o emu/hw/rtl8139.o
# vhost-user: the rings of virtio-net go to another process
hemu-y += netdev/vhost-user.o netdev/vhost-user-msg.o
