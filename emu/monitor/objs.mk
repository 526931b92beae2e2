# emu/monitor: QMP and HMP
hemu-y += emu/monitor/event.o
