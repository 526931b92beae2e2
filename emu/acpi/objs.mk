# emu/acpi/: ACPI tables (AML encoder, table builders, fw_cfg table loader)
hemu-y += emu/acpi/aml.o emu/acpi/tables.o emu/acpi/dsdt.o emu/acpi/loader.o
