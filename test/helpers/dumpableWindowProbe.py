"""How long a starting process stays readable by its own uid. Run as that uid:

    dumpableWindowProbe.py HOLD_SECONDS COMMAND...

Forks, execs the command in the child, and opens the child's /proc/PID/environ again and
again until the kernel refuses (EACCES: it has made itself non-dumpable). Prints one JSON object:
window_ms (from the exec to the last open that succeeded; the exec is seen in /proc/PID/cmdline,
read before each open), opens (how many succeeded after the exec), and later_read_bytes (what the
first of those descriptors still reads after the command has run for `--hold` seconds: the kernel
checks only when a descriptor is opened).
"""

import json
import os
import sys
import time

hold_seconds = float(sys.argv[1])
command = sys.argv[2:]
# The child's command line once it has exec'd (before, it is this probe's own).
exec_cmdline = b"".join(os.fsencode(word) + b"\0" for word in command)
child = os.fork()
if child == 0:
    os.execvp(command[0], command)
exec_seen = None
last_open = None
kept = None
opens = 0
while True:
    try:
        with open("/proc/%d/cmdline" % child, "rb") as cmdline:
            exec_done = cmdline.read() == exec_cmdline
        fd = os.open("/proc/%d/environ" % child, os.O_RDONLY)
    except PermissionError:
        break
    except (FileNotFoundError, ProcessLookupError):
        break
    if not exec_done:
        os.close(fd)
        continue
    now = time.monotonic()
    exec_seen = exec_seen if exec_seen is not None else now
    last_open = now
    opens += 1
    if kept is None:
        kept = fd
    else:
        os.close(fd)
time.sleep(hold_seconds)
later = len(os.read(kept, 1 << 16)) if kept is not None else 0
os.kill(child, 9)
os.waitpid(child, 0)
print(json.dumps({
    "window_ms": round((last_open - exec_seen) * 1000, 2) if exec_seen is not None else 0,
    "opens": opens,
    "later_read_bytes": later,
}))
