/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-pci.h - the virtio PCI transport (VIRTIO 1.0 4.1), transitional:
 * the legacy I/O BAR 0 (virtio 0.9.5 register block) and the modern
 * capabilities (common, notify, ISR, device configuration) in memory
 * BAR 4, with INTx interrupts or MSI-X (table in memory BAR 1) when the
 * device asks for vectors.  A device (virtio-blk; virtio-net later)
 * embeds struct virtio_pci and fills in its ops.
 */
#ifndef HEMU_EMU_HW_VIRTIO_VIRTIO_PCI_H
#define HEMU_EMU_HW_VIRTIO_VIRTIO_PCI_H

#include "emu/hw/msix.h"
#include "emu/hw/pci.h"
#include "emu/hw/virtio/virtqueue.h"
#include "emu/mem/mem.h"

#define VIRTIO_MAX_QUEUES 8
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8

struct virtio_pci;

struct virtio_dev_ops {
    uint16_t device_id;         /* virtio device type: 2 = block */
    uint16_t pci_class;
    uint32_t config_size;
    uint64_t (*features)(struct virtio_pci *vp);
    void (*config_read)(struct virtio_pci *vp, uint8_t *cfg);  /* fill */
    void (*config_write)(struct virtio_pci *vp, unsigned off, uint32_t val,
                         unsigned size);
    void (*notify)(struct virtio_pci *vp, unsigned queue);
    void (*reset)(struct virtio_pci *vp);
    /* The driver wrote a non-zero status (NULL: nothing to do). */
    void (*set_status)(struct virtio_pci *vp, uint8_t old, uint8_t status);
};

struct virtio_pci {
    struct pci_device pci;
    const struct virtio_dev_ops *ops;
    bool disable_legacy, disable_modern;
    uint64_t guest_features;
    uint32_t dfselect, gfselect;
    uint8_t status, isr, config_gen;
    uint16_t queue_sel;
    unsigned nqueues;
    struct virtqueue vq[VIRTIO_MAX_QUEUES];
    struct mem_region legacy_mr, modern_mr;
    bool legacy_used;           /* the driver went through BAR 0 */
    /* MSI-X vectors (set by the device before virtio_pci_init; 0: INTx
     * only) and the configuration-change vector (4.1.4.3). */
    uint32_t msix_vectors;
    uint16_t config_vector;
    struct msix msix;
};

/* Set up config space, BARs and capabilities (from the device's realize,
 * after pci_device_plug). */
void virtio_pci_init(struct virtio_pci *vp, const struct virtio_dev_ops *ops,
                     unsigned nqueues, uint16_t queue_size);
void virtio_pci_reset(struct virtio_pci *vp);
/* A PCI-level (system) reset: the virtio reset and the MSI-X state. */
void virtio_pci_hw_reset(struct virtio_pci *vp);
/* Used buffers were added to vq: raise the interrupt if wanted. */
void virtio_notify(struct virtio_pci *vp, struct virtqueue *vq);
/* The device configuration changed (virtio-net's link status): ISR bit 1
 * and the interrupt (VIRTIO 1.0 4.1.4.5). */
void virtio_config_notify(struct virtio_pci *vp);
/* A used-buffer interrupt someone else decided on (a vhost-user back end's
 * call eventfd). */
void virtio_irq_raise(struct virtio_pci *vp);
/* The same for queue q (its MSI-X vector when MSI-X is on). */
void virtio_queue_irq(struct virtio_pci *vp, unsigned q);
bool virtio_has_feature(const struct virtio_pci *vp, unsigned bit);

#define VIRTIO_PCI_PROPS(st)                                                 \
    PROP("disable-legacy", PROP_BOOL, st, vp.disable_legacy, "off",          \
         "hide the legacy (virtio 0.9.5) interface"),                        \
    PROP("disable-modern", PROP_BOOL, st, vp.disable_modern, "off",          \
         "hide the virtio 1.0 interface")

#endif
