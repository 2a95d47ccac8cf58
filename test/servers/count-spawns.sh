#!/bin/sh
# Runs a command after appending "PID COMMAND..." to the file named by $MCP_SPAWN_LOG: how tests count
# how often the host spawned a server (e.g. that a cached era verdict spares a spawn) and find its pid
# (exec keeps it).
printf '%s %s\n' "$$" "$*" >> "$MCP_SPAWN_LOG"
exec "$@"
