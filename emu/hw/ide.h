/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ide.h - an IDE channel (ATA/ATAPI-6, T13/1410D) with two devices: the
 * task-file registers, PIO data transfers, the ATA command set of hard
 * disks (LBA28/LBA48, multiple, DMA) and the ATAPI PACKET interface of a
 * CD-ROM (MMC commands in ide-atapi.c).  DMA goes through the bus master
 * of the controller (piix-ide.c) via the dma hooks.
 */
#ifndef HEMU_EMU_HW_IDE_H
#define HEMU_EMU_HW_IDE_H

#include "emu/osdep.h"
#include "emu/hw/irq.h"

struct blk;
struct ide_bus;
struct iovec;
struct mem_region;

/* A DMA transfer mapped onto guest RAM: host iovecs and, for each, the
 * RAM region and offset (to mark the pages the device wrote dirty; mr
 * NULL: memory outside the memory API, as in the fuzz target). */
struct ide_sg {
    struct iovec *iov;
    struct ide_sg_ram {
        struct mem_region *mr;
        uint64_t off;
    } *ram;
    int n, cap;
    uint64_t size;              /* bytes mapped */
};

/* Append len bytes at host p (region mr at off) to sg. */
void ide_sg_add(struct ide_sg *sg, void *p, uint64_t len,
                struct mem_region *mr, uint64_t off);

#define IDE_BUF_SIZE (256 * 512 + 4)
#define ATAPI_SECTOR 2048

/* Status register bits. */
#define IDE_ERR 0x01
#define IDE_DRQ 0x08
#define IDE_DSC 0x10
#define IDE_DF 0x20
#define IDE_DRDY 0x40
#define IDE_BSY 0x80
/* Error register bits. */
#define IDE_ABRT 0x04
#define IDE_UNC 0x40
#define IDE_IDNF 0x10

struct ide_dev {
    struct ide_bus *bus;
    struct blk *blk;            /* NULL: no device at this position */
    bool cd;
    uint16_t identify[256];
    uint32_t cyls, heads, secs;
    int unit;
    /* task file, with the previous bytes written (HOB, LBA48) */
    uint8_t feature, hob_feature;
    uint8_t nsector, hob_nsector;
    uint8_t sector, hob_sector;
    uint8_t lcyl, hob_lcyl;
    uint8_t hcyl, hob_hcyl;
    uint8_t select;
    uint8_t status, error;
    bool lba48;
    uint8_t mult_sectors;
    /* the command in progress */
    uint8_t cmd;
    uint64_t lba;               /* next sector */
    uint32_t nsec_left;         /* sectors still to transfer */
    uint32_t xfer_sectors;      /* sectors in the current PIO block */
    uint8_t *buf;
    uint32_t pos, end;          /* PIO data port window */
    bool pio_write;
    bool dma_pending;           /* a DMA command waits for the bus master */
    bool dma_write;
    bool dma_atapi;
    uint64_t io_bytes;          /* bytes of the current request */
    /* ATAPI */
    uint8_t sense_key, asc;
    bool media_changed;         /* a UNIT ATTENTION is due */
    bool tray_locked;
    uint32_t atapi_lba, atapi_nblocks;  /* READ in progress */
    uint32_t atapi_byte_limit;
    uint32_t atapi_total;       /* bytes of the reply left */
    bool packet_phase;          /* collecting the 12 command bytes */
    uint32_t reply_off;         /* start of the next reply chunk in buf */
    uint8_t *dma_data;          /* ATAPI READ by DMA */
    uint8_t *dma_buf;           /* ATA DMA bounce buffer (no map op) */
    uint64_t dma_buf_size;
    struct ide_sg sg;           /* ATA DMA straight into guest RAM */
    /* boot order */
    int32_t bootindex;
    /* IDENTIFY strings from -device ide-hd/ide-cd (NULL: the defaults) */
    const char *serial, *model, *ver;
};

/* What the bus master offers a channel (piix-ide.c). */
struct ide_dma_ops {
    /* Move len bytes between buf and the guest through the PRD table;
     * returns the bytes moved (less if the table is shorter). */
    uint64_t (*rw)(void *opaque, uint8_t *buf, uint64_t len, bool to_guest);
    /* Map up to len bytes of the PRD table's buffers onto sg (emptied
     * first; sg->size is less if the table is shorter).  False if a
     * buffer is not guest RAM (writable RAM when to_guest): the transfer
     * fails.  Optional: without it, DMA bounces through rw. */
    bool (*map)(void *opaque, struct ide_sg *sg, uint64_t len, bool to_guest);
    /* The transfer ended: error or not; the channel raises its IRQ. */
    void (*done)(void *opaque, bool error);
    bool (*active)(void *opaque);
    /* The channel raised its interrupt (the bus master's INT bit). */
    void (*irq)(void *opaque);
};

struct ide_bus {
    struct ide_dev dev[2];
    int cur;                    /* selected unit */
    uint8_t devctl;             /* nIEN, SRST */
    struct irq_line irq;
    bool irq_pending;
    const struct ide_dma_ops *dma;
    void *dma_opaque;
    int index;                  /* channel number, for drive ids */
};

void ide_bus_init(struct ide_bus *bus, int index, struct irq_line irq);
/* Attach a drive; errp on a bad combination. */
struct err;
int ide_attach(struct ide_bus *bus, int unit, struct blk *blk, bool cd,
               int32_t bootindex, struct err **errp);
void ide_bus_reset(struct ide_bus *bus);
/* -device ide-hd/ide-cd serial=, model=, ver=: the IDENTIFY strings (NULL
 * keeps the default); call after ide_attach. */
void ide_set_strings(struct ide_dev *s, const char *serial, const char *model,
                     const char *ver);
/* The serial number IDENTIFY shows: serial=, the drive's, or QMnnnnn. */
void ide_serial(const struct ide_dev *s, char *buf, size_t len);

/* Task file at base (0-7) and the control block (alt status/devctl). */
uint32_t ide_ioport_read(struct ide_bus *bus, unsigned reg);
void ide_ioport_write(struct ide_bus *bus, unsigned reg, uint32_t val);
uint32_t ide_data_read(struct ide_bus *bus, unsigned size);
void ide_data_write(struct ide_bus *bus, uint32_t val, unsigned size);
uint8_t ide_status_read(struct ide_bus *bus);     /* alt status */
void ide_ctrl_write(struct ide_bus *bus, uint8_t val);
/* The bus master was started: run a pending DMA command. */
void ide_dma_start(struct ide_bus *bus);

/* Internal between ide.c and ide-atapi.c. */
void ide_set_irq(struct ide_bus *bus);
void ide_transfer_start(struct ide_dev *s, uint32_t len, bool write);
void ide_atapi_packet(struct ide_dev *s);
void ide_atapi_identify(struct ide_dev *s);
void ide_atapi_pio_done(struct ide_dev *s);
void ide_atapi_dma_start(struct ide_dev *s);
void ide_atapi_media_changed(void *opaque, bool load);
void ide_abort(struct ide_dev *s);

/* The firmware device path and boot index of a drive, for the bootorder
 * file (emu/hw/bootorder.c): "/pci@i0cf8/ide@1,1/drive@B/disk@U". */
int ide_boot_path(const struct ide_dev *s, int pci_slot, int pci_fn,
                  char *buf, size_t len);

#endif
