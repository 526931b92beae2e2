/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net.h - virtio-net-pci (VIRTIO 1.0 5.1, network device) and the
 * software TX offloads its guests ask for in the virtio_net_hdr
 * (5.1.6.2): partial checksums and TCP segmentation.
 */
#ifndef HEMU_EMU_HW_VIRTIO_VIRTIO_NET_H
#define HEMU_EMU_HW_VIRTIO_VIRTIO_NET_H

#include "emu/osdep.h"

struct dev_type;

#define VNET_HDR_F_NEEDS_CSUM 1
#define VNET_GSO_NONE 0
#define VNET_GSO_TCPV4 1
#define VNET_GSO_UDP 3
#define VNET_GSO_TCPV6 4
#define VNET_GSO_ECN 0x80

/* struct virtio_net_hdr, fields in host order. */
struct vnet_hdr {
    uint8_t flags;
    uint8_t gso_type;
    uint16_t hdr_len;
    uint16_t gso_size;
    uint16_t csum_start;
    uint16_t csum_offset;
    uint16_t num_buffers;
};

/* Where the finished frames go. */
typedef void vnet_emit_fn(void *opaque, const uint8_t *buf, size_t len);

/*
 * Apply what h asks of frame (len bytes, changed in place): finish the
 * checksum, or cut a GSO frame into gso_size segments with their headers
 * and checksums, and emit the result.  -1 (nothing emitted) when the
 * header does not match the frame: the guest's frame is dropped.
 */
int vnet_tx_offload(const struct vnet_hdr *h, uint8_t *frame, size_t len,
                    vnet_emit_fn *emit, void *opaque);

extern const struct dev_type virtio_net_pci_type;

#endif
