# block-protocols/: the block layer (node graph, backends with their
# request queue) and its drivers: file, raw, qcow2.
hemu-y += block-protocols/block.o block-protocols/file.o block-protocols/file-aio.o \
          block-protocols/raw.o \
          block-protocols/qcow2.o block-protocols/qcow2-refcount.o \
          block-protocols/qcow2-check.o block-protocols/qcow2-snapshot.o \
          block-protocols/qcow2-backing.o \
          block-protocols/qcow2-measure.o block-protocols/qcow2-amend.o \
          block-protocols/commit.o
# the backends the front ends use, and the -drive/-blockdev options
hemu-y += block-protocols/blk-backend.o emu/blk/drive.o
# network protocols (libiscsi, libcurl); -iscsi is parsed without libiscsi too
hemu-y += block-protocols/iscsi-opts.o
hemu-$(CONFIG_ISCSI) += block-protocols/iscsi.o block-protocols/iscsi-aio.o
hemu-$(CONFIG_CURL) += block-protocols/curl.o block-protocols/url-split.o
ifeq ($(CONFIG_SSH)$(CONFIG_CURL),yy)
hemu-y += block-protocols/ssh.o
endif
hemu-$(CONFIG_NFS) += block-protocols/nfs.o
ifeq ($(CONFIG_GLUSTERFS)$(CONFIG_CURL),yy)
hemu-y += block-protocols/gluster.o
endif
# NBD client (nbd.c driver, nbd-client.c protocol, nbd-opts.c URLs)
hemu-y += block-protocols/nbd.o block-protocols/nbd-client.o block-protocols/nbd-opts.o
# reads of network nodes in the main loop (netblk-aio.c, nbd-aio.c)
hemu-y += block-protocols/netblk-aio.o block-protocols/nbd-aio.o
