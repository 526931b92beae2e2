/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * e1000.h - the Intel 82540EM Gigabit Ethernet controller (PCI 8086:100e),
 * QEMU's "e1000" and the pc machine's default NIC.  Reference: Intel
 * "PCI/PCI-X Family of Gigabit Ethernet Controllers Software Developer's
 * Manual" (8254x SDM, rev. 4.0): §13 registers, §3.2/§3.3 RX/TX
 * descriptors, §3.5 TCP segmentation, §5.6 EEPROM (Microwire), §13.5 PHY
 * (the 82540EM's internal M88E1011-compatible PHY).
 */
#ifndef HEMU_EMU_HW_E1000_H
#define HEMU_EMU_HW_E1000_H

#include "emu/hw/pci.h"
#include "emu/mem/mem.h"
#include "netdev/net.h"

struct timer;
struct bh;

/* Register offsets (SDM table 13-2), as dword indexes into mac[]. */
enum {
    E_CTRL = 0x0000, E_STATUS = 0x0008, E_EECD = 0x0010, E_EERD = 0x0014,
    E_CTRL_EXT = 0x0018, E_MDIC = 0x0020, E_ICR = 0x00c0, E_ITR = 0x00c4,
    E_ICS = 0x00c8, E_IMS = 0x00d0, E_IMC = 0x00d8, E_RCTL = 0x0100,
    E_TCTL = 0x0400, E_TIPG = 0x0410, E_LEDCTL = 0x0e00, E_PBA = 0x1000,
    E_RDBAL = 0x2800, E_RDBAH = 0x2804, E_RDLEN = 0x2808, E_RDH = 0x2810,
    E_RDT = 0x2818, E_RDTR = 0x2820, E_RXDCTL = 0x2828, E_RADV = 0x282c,
    E_TDBAL = 0x3800, E_TDBAH = 0x3804, E_TDLEN = 0x3808, E_TDH = 0x3810,
    E_TDT = 0x3818, E_TIDV = 0x3820, E_TXDCTL = 0x3828, E_TADV = 0x382c,
    E_STATS = 0x4000, E_STATS_END = 0x4100, E_RXCSUM = 0x5000,
    E_MTA = 0x5200, E_RA = 0x5400, E_VFTA = 0x5600, E_WUC = 0x5800,
    E_MANC = 0x5820,
};

/* Statistics (SDM §13.7), clear on read. */
enum {
    E_MPC = 0x4010, E_GPRC = 0x4074, E_BPRC = 0x4078, E_MPRC = 0x407c,
    E_GPTC = 0x4080, E_GORCL = 0x4088, E_GORCH = 0x408c, E_GOTCL = 0x4090,
    E_GOTCH = 0x4094, E_TORL = 0x40c0, E_TORH = 0x40c4, E_TOTL = 0x40c8,
    E_TOTH = 0x40cc, E_TPR = 0x40d0, E_TPT = 0x40d4, E_BPTC = 0x40f4,
    E_MPTC = 0x40f0,
};

/* Interrupt causes (ICR/ICS/IMS/IMC, SDM §13.4.17). */
#define E_ICR_TXDW 0x00000001
#define E_ICR_TXQE 0x00000002
#define E_ICR_LSC 0x00000004
#define E_ICR_RXDMT0 0x00000010
#define E_ICR_RXO 0x00000040
#define E_ICR_RXT0 0x00000080
#define E_ICR_MDAC 0x00000200
#define E_ICR_TXD_LOW 0x00008000

#define E_CTRL_SLU 0x00000040
#define E_CTRL_RST 0x04000000
#define E_CTRL_VME 0x40000000
#define E_CTRL_PHY_RST 0x80000000

#define E_STATUS_FD 0x00000001
#define E_STATUS_LU 0x00000002
#define E_STATUS_SPEED_1000 0x00000080

#define E_RCTL_EN 0x00000002
#define E_RCTL_UPE 0x00000008
#define E_RCTL_MPE 0x00000010
#define E_RCTL_BAM 0x00008000
#define E_RCTL_SECRC 0x04000000
#define E_RCTL_BSEX 0x02000000

#define E_TCTL_EN 0x00000002

#define E_RAH_AV 0x80000000u

#define E1000_MMIO_SIZE 0x20000
#define E1000_IO_SIZE 0x40
#define E1000_EEPROM_WORDS 64
/* Largest packet the TX path assembles (TSO payload up to 64 KiB plus
 * headers); longer ones are cut there, as the guest's fault. */
#define E1000_TX_MAX (65536 + 256)

/* The transmit context (SDM §3.3.6) the guest last loaded. */
struct e1000_tx_ctx {
    uint8_t ipcss, ipcso, tucss, tucso;
    uint16_t ipcse, tucse;
    uint32_t paylen;
    uint8_t tucmd, hdrlen;
    uint16_t mss;
};

struct e1000 {
    struct pci_device pci;
    struct net_client nc;
    /* properties */
    uint8_t mac_prop[6];
    char *netdev;
    char *bootindex_str;
    int32_t bootindex;      /* -1: none (the lead wires it into bootorder) */

    struct addr_space *dma;
    struct mem_region mmio, io;
    uint32_t mac[E1000_MMIO_SIZE / 4];  /* the register file */
    uint32_t ioaddr;                    /* I/O BAR's IOADDR window */
    uint16_t phy[32];
    uint16_t eeprom[E1000_EEPROM_WORDS];
    uint8_t macaddr[6];
    /* Microwire EEPROM shift state */
    struct {
        uint32_t in;        /* bits shifted in so far */
        int nbits_in;
        bool reading;
        unsigned addr;
        int out_pos;        /* clock edges since the address (0: dummy) */
        uint32_t last;      /* last EECD the guest wrote */
    } ee;
    /* interrupt throttling (ITR) */
    struct timer *itr_timer;
    int64_t itr_next;       /* virtual ns before which no new interrupt */
    bool irq_level;
    /* transmit path */
    struct e1000_tx_ctx ctx;
    uint8_t tx_buf[E1000_TX_MAX];
    uint32_t tx_len;
    uint8_t tx_popts;       /* POPTS of the packet's first data descriptor */
    bool tx_tse;            /* the packet is a TSO packet */
    bool tx_first;          /* next descriptor starts a packet */
    bool tx_legacy_ic;      /* legacy descriptor with IC: CSO/CSS */
    uint8_t tx_cso, tx_css;
    uint16_t tx_vlan;
    bool tx_vle;
    bool tx_busy;           /* inside start_xmit: no recursion */
    struct bh *tx_bh;       /* continues a run that used its budget */
};

/* Register access (the BAR handlers; exposed for tests and the fuzzer). */
uint32_t e1000_mmio_readl(struct e1000 *s, uint32_t off);
void e1000_mmio_writel(struct e1000 *s, uint32_t off, uint32_t val);
/* Create one on bus (tests, fuzzer): dma is the address space for DMA. */
struct e1000 *e1000_create(struct pci_bus *bus, const char *netdev,
                           struct err **errp);

/* e1000-tx.c */
void e1000_start_xmit(struct e1000 *s);
/* e1000.c, for e1000-tx.c */
void e1000_set_ics(struct e1000 *s, uint32_t cause);
void e1000_stat_add(struct e1000 *s, unsigned reg, uint64_t n);
bool e1000_dma_ok(struct e1000 *s);

#endif
