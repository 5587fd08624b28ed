"""What one process can do to another through the kernel: run as the would-be intruder, with the
target's pid. Prints one JSON object: environ, fd and mem (reading /proc/PID/environ, listing
/proc/PID/fd, opening /proc/PID/mem: "read" or the errno name), ptrace ("attached" or the errno
name; detached at once) and signal ("sent" or the errno name, for signal 0, which only checks).
"""

import ctypes
import errno
import json
import os
import sys

PTRACE_ATTACH = 16
PTRACE_DETACH = 17
WAIT_ALL = 0x40000000  # __WALL: wait for a traced process that is not our child


def try_environ(pid):
    try:
        with open("/proc/%d/environ" % pid, "rb") as environ:
            environ.read()
        return "read"
    except OSError as error:
        return errno.errorcode[error.errno]


def try_fd_list(pid):
    try:
        os.listdir("/proc/%d/fd" % pid)
        return "read"
    except OSError as error:
        return errno.errorcode[error.errno]


def try_mem(pid):
    try:
        with open("/proc/%d/mem" % pid, "rb"):
            return "read"
    except OSError as error:
        return errno.errorcode[error.errno]


def try_ptrace(pid):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    if libc.ptrace(PTRACE_ATTACH, pid, None, None) != 0:
        return errno.errorcode[ctypes.get_errno()]
    os.waitpid(pid, WAIT_ALL)  # the tracee stops on attach; let it go again
    libc.ptrace(PTRACE_DETACH, pid, None, None)
    return "attached"


def try_signal(pid):
    try:
        os.kill(pid, 0)
        return "sent"
    except OSError as error:
        return errno.errorcode[error.errno]


target = int(sys.argv[1])
print(json.dumps({
    "environ": try_environ(target),
    "fd": try_fd_list(target),
    "mem": try_mem(target),
    "ptrace": try_ptrace(target),
    "signal": try_signal(target),
}))
