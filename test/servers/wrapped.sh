#!/bin/sh
# `sh wrapped.sh CMD ARGS...`: a server behind a shell wrapper with a child of its own, as `npx`, `uvx`
# and shell scripts start servers. The shell stays the parent (no `exec`) and leaves a `sleep` running
# that does not care that stdin closed: only killing the whole process group ends it.
sleep 600 &
"$@"
exit $?
