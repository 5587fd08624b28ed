"""A stand-in for nginx's master process, for the shipper's fast tests: it writes log lines the way
nginx does (appending to files it keeps open) and reopens them on SIGUSR1, as nginx does.

Run with argv[0] set to "nginx: master process ..." so the shipper finds it as it finds nginx.
Commands on stdin, one per line; each is answered "ok" on stdout once done:
  write NAME COUNT BYTES   append COUNT numbered lines of BYTES bytes (newline included) to NAME
  raw NAME TEXT            append TEXT to NAME with no newline
  reopen                   reopen every file now (after SIGUSR1 with --hold-reopen)
  exit                     exit
On SIGUSR1 it prints "usr1" and reopens its files, unless --hold-reopen: then it waits for "reopen".
"""

import os
import signal
import sys


# How nginx starts each line of its error log; the shipper marks a line of error.log that does not.
ERROR_LOG_PREFIX = "2026/01/01 00:00:00 [error] 1#1: "


def line_head(name, number):
    """The start of line `number` of `name` (test/helpers/shipperSandbox.ts expectedLines makes the same)."""
    return "%s%s-%08d " % (ERROR_LOG_PREFIX if name.startswith("error.log") else "", name, number)


class Logs:
    def __init__(self, directory, names):
        self.paths = {name: os.path.join(directory, name) for name in names}
        self.fds = {}
        self.sequence = {name: 0 for name in names}
        self.reopen()

    def reopen(self):
        for name, path in self.paths.items():
            old = self.fds.get(name)
            try:
                # O_NONBLOCK only so that a FIFO put at the name fails here rather than hanging the test.
                self.fds[name] = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | os.O_NONBLOCK, 0o644)
            except OSError:
                if old is None:
                    raise
                continue  # as nginx does when a reopen fails: it goes on writing the file it has
            if old is not None:
                os.close(old)

    def write_lines(self, name, count, size):
        lines = []
        for _ in range(count):
            head = line_head(name, self.sequence[name])
            lines.append(head + "x" * (size - len(head) - 1) + "\n")
            self.sequence[name] += 1
        # One write per line, as nginx writes each request's line on its own. SIGUSR1 is held off
        # during each: its handler reopens the files, and run between looking up the fd and writing
        # to it, it would leave the write a closed fd, or one reused for another file.
        for line in lines:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
            os.write(self.fds[name], line.encode())
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})


def say(line):
    """One line on stdout in one write: the SIGUSR1 handler says things too, and a buffered
    sys.stdout would refuse a write from a handler that interrupted one of its own."""
    os.write(1, (line + "\n").encode())


def main():
    hold_reopen = "--hold-reopen" in sys.argv
    names = [arg for arg in sys.argv[2:] if not arg.startswith("--")]
    logs = Logs(sys.argv[1], names)

    def on_usr1(signum, frame):
        say("usr1")
        if not hold_reopen:
            logs.reopen()

    signal.signal(signal.SIGUSR1, on_usr1)
    say("ready %d" % os.getpid())
    for command in sys.stdin:
        words = command.rstrip("\n").split(" ", 2)
        if words[0] == "write":
            count, size = words[2].split(" ")
            logs.write_lines(words[1], int(count), int(size))
        elif words[0] == "raw":
            os.write(logs.fds[words[1]], words[2].encode())
        elif words[0] == "reopen":
            logs.reopen()
        elif words[0] == "exit":
            return
        say("ok")


main()
