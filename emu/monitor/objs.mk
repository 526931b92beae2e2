# emu/monitor: QMP and HMP
hemu-y += emu/monitor/event.o emu/monitor/json-stream.o \
          emu/monitor/json-writer.o emu/monitor/qmp.o emu/monitor/qmp-cmds.o \
          emu/monitor/hmp.o emu/monitor/hmp-cmds.o emu/monitor/readline.o \
          emu/monitor/monitor.o emu/monitor/qmp-display.o
hemu-y += emu/monitor/qmp-block.o emu/monitor/qmp-blockjob.o
