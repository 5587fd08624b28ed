"""Ship nginx's log files to stdout: every line once, in order per file, within milliseconds.

This is the sidecar's whole program. The Pod runs it as
`python3 -u /opt/webserver-sidecar/logShipper.py ARGS...`, mounted read-only from its ConfigMap, in a
stock python image, so it uses the standard library only, of python3 3.8 or later (test/logShipper.test.ts
runs it under 3.8 when the machine has one, and under the default python3).

Why not `tail -F`: busybox's polls once a second; GNU tail falls back to one-second polling
when a file is missing at start (nginx starts after a native sidecar), wakes on every write
(halving nginx's request rate on a small node), and neither can rotate the files, so the
emptyDir grows until the kubelet evicts the Pod.

How it works:
- One inotify watch on the log directory says when any file in it is created or written,
  including files that do not exist yet. After a wake-up it waits one short batch window so
  that a burst of writes costs one read, not one per line.
- Each file is read from a remembered offset, and only whole lines are written, so lines of
  access.log and error.log never mix; never part of a line either, even when killed (LinePipe).
  The offsets are saved after every chunk (--chunk-bytes), in one single-page write over a state
  file in the same volume, and after every rotation before nginx is told, so a restarted sidecar
  resumes where it stopped: it replays at most the last chunk it wrote and skips nothing.
- Rotation keeps the volume under its sizeLimit: when a file passes --rotate-bytes, it is
  renamed to NAME.1 and nginx's master is sent SIGUSR1, which makes nginx reopen NAME. NAME.1
  is read to its end (its last line too, newline or not) and deleted once no process has it open
  for writing (checked in /proc: readers such as an operator's `tail -f` do not count), or after
  --rotated-writer-seconds whatever holds it, with a warning naming that process. This needs a
  shared PID namespace and nginx's uid.
- The shared volume is writable by others: log files and the state file are opened without
  following symlinks and without blocking, only regular files are used, a truncated file is
  shipped again from its start, and an unusable state record (read one page at most) means a
  fresh start and a warning. Whatever is in the way of a rotation is removed (clear_the_way), the
  holes of a sparse file are skipped, not shipped as NULs (skip_holes), and a file or directory of
  its uid made unreadable gets its owner's bits back (regain_owner_access).
- A newline inside an entry of nginx's error log (from a decoded URI) is shipped as \x0A, so a
  client cannot start a line of the sidecar's log that looks like nginx's (frame_error_lines).
- It makes itself non-dumpable as the first thing it does, before its other imports, so nginx's
  side of the Pod cannot read its /proc entries or ptrace it (make_undumpable).
- On SIGTERM it waits (up to --drain-timeout) for nginx to exit, ships what is left, and exits.
"""

import ctypes

# prctl(2) option, from <linux/prctl.h>.
PR_SET_DUMPABLE = 4


def make_undumpable():
    """Keep nginx's side of the Pod out of this process; returns 0, or prctl's errno.

    nginx and the shipper share a uid and a PID namespace (the shipper must see nginx's open files
    and signal it), which would let nginx, or anything running in its container, read this
    process's /proc entries (environ, fd/, mem, root/) and ptrace it. A process that is not
    dumpable is reachable that way only with CAP_SYS_PTRACE, which neither container has. It does
    not stop signals: the uid can still stop or kill the shipper.

    Until it runs, the process is dumpable, and a /proc/PID/environ or mem descriptor opened then
    keeps working after it (the kernel checks when it is opened): so it runs before anything else
    the shipper does, its other imports included. What is left of that window, from exec to here,
    is measured in docs/security.md.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    return 0 if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 else ctypes.get_errno()


# The shipper's first act (not when a test imports it as a module).
UNDUMPABLE_ERRNO = make_undumpable() if __name__ == "__main__" else 0

# After make_undumpable, on purpose (E402): each import is time the process could still be read.
import argparse  # noqa: E402
import collections  # noqa: E402
import fcntl  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import select  # noqa: E402
import signal  # noqa: E402
import stat  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
import termios  # noqa: E402
import time  # noqa: E402

# inotify(7) constants, from <sys/inotify.h>.
IN_MODIFY = 0x00000002
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_NONBLOCK = 0o4000
IN_CLOEXEC = 0o2000000
# fcntl(2) commands for a pipe's capacity, from <fcntl.h> (Python's fcntl has them from 3.10 only).
F_SETPIPE_SZ = 1031
F_GETPIPE_SZ = 1032
NGINX_MASTER_PREFIX = b"nginx: master process"
STATE_DIR = ".logshipper"
STATE_FILE = "offsets.json"
# The state record is one page at most (save_state): a longer file at its name is not one of ours.
STATE_RECORD_MAX_BYTES = 4096
# What the shipper moves out of the way of a rotation (a directory at access.log.1, say) is renamed to
# this prefix and a random suffix, then removed as far as these bounds allow (remove_entry).
IN_THE_WAY_PREFIX = ".logshipper-in-the-way-"
IN_THE_WAY_MAX_DEPTH = 16
IN_THE_WAY_MAX_ENTRIES = 10000
# nginx starts every entry of its error log with its time, level and pid#tid
# ("2026/01/01 00:00:00 [error] 31#31: "). A newline inside an entry came from the request (nginx
# writes the decoded URI in its messages): it is shipped as the four characters \x0A, as nginx's
# access log escapes it (frame_error_lines). A client who also copies that whole prefix, a worker's
# pid included, still starts a line: docs/security.md says what closes that in nginx.
ERROR_LINE_START = rb"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[(?:debug|info|notice|warn|error|crit|alert|emerg)\] \d+#\d+: "
STARTS_AN_ERROR_LINE = re.compile(ERROR_LINE_START)
NEWLINE_IN_AN_ERROR_LINE = re.compile(rb"\n(?!" + ERROR_LINE_START + rb")(?=[\s\S])")
ESCAPED_NEWLINE = b"\\x0A"
# Opening what others may have put in the shared volume: never through a symlink, and never waiting
# (a FIFO opened without O_NONBLOCK blocks until someone opens its other end).
SAFE_OPEN_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def log(message):
    """Report the shipper's own events on stderr, so they never mix with shipped lines."""
    sys.stderr.write("logshipper: %s\n" % message)
    sys.stderr.flush()


def write_all(fd, data):
    """Write every byte of data to fd (a pipe may take less than asked)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def frame_error_lines(chunk):
    """chunk of nginx's error log (whole lines) with every newline that does not end an entry escaped.

    nginx writes each entry in one write, so an entry's continuation is nearly always in the same
    chunk, and joined to it here; one that starts a chunk (its entry cut by the chunk size, or read
    while half-written) is shipped as a line of its own that starts with the escape, never with a
    time. One regular-expression scan per chunk, in C: nothing per line in Python.
    """
    framed = NEWLINE_IN_AN_ERROR_LINE.sub(lambda newline: ESCAPED_NEWLINE, chunk)
    return framed if STARTS_AN_ERROR_LINE.match(framed) else ESCAPED_NEWLINE + framed


def regain_owner_access(path, wanted_bits, dir_fd=None):
    """Give the owner back permission bits someone took from a file or directory of ours; True if done.

    The uid that shares the volume can chmod what the shipper owns (a log file nginx created, the
    state directory) to 000. Done through an O_PATH descriptor, which needs no permission and never
    follows a symlink, so only the thing itself is changed, and only when it is ours and a regular
    file or a directory.
    """
    try:
        fd = os.open(path, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if st.st_uid != os.geteuid() or not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
            return False
        os.chmod("/proc/self/fd/%d" % fd, stat.S_IMODE(st.st_mode) | wanted_bits)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def remove_entry(dir_fd, name, budget, depth=0):
    """Remove name in dir_fd, with what is in it when it is a directory; True once it is gone.

    For what others put in the way of a rotation: never follows a symlink (a directory is entered
    through a descriptor opened with O_NOFOLLOW), goes at most IN_THE_WAY_MAX_DEPTH levels down, and
    removes at most budget[0] entries, so a tree built to be slow to remove costs a bounded time.
    """
    if budget[0] <= 0:
        return False
    budget[0] -= 1
    try:
        os.unlink(name, dir_fd=dir_fd)
        return True
    except FileNotFoundError:
        return True
    except IsADirectoryError:
        pass
    except OSError:
        return False
    if depth < IN_THE_WAY_MAX_DEPTH:
        # A directory of ours made 000 (or 0500) cannot be emptied until its owner has its bits back.
        regain_owner_access(name, stat.S_IRWXU, dir_fd=dir_fd)
        try:
            inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY | SAFE_OPEN_FLAGS, dir_fd=dir_fd)
        except OSError:
            return False
        try:
            for entry in os.listdir(inner):
                if not remove_entry(inner, entry, budget, depth + 1):
                    break
        except OSError:
            pass
        finally:
            os.close(inner)
    try:
        os.rmdir(name, dir_fd=dir_fd)
        return True
    except OSError:
        return False


class LinePipe:
    """Writes whole lines to stdout so that a kill never leaves a cut one in the container log.

    The container's stdout is a pipe to its shim. A write that finds the pipe too full copies what
    fits and waits for the rest; if the sidecar is killed then (SIGKILL, the OOM killer), the start
    of a line stays in the container log, cut. A write never waits part-way when the pipe has room
    for all of it, and one of at most PIPE_BUF bytes is taken whole or not at all (pipe(7)).

    Room is counted in the pipe's slots, not bytes: Linux keeps a pipe as a ring of page-sized
    slots (capacity / page size of them), a write of n bytes takes at most ceil(n / page) new ones
    (pipe_write fills pages; a short tail may merge into the last one), and a slot is free again
    only once its reader has taken all of it. The shipper is the pipe's only writer, so it knows
    each of its writes; FIONREAD says how many bytes are still unread, so which of its writes may
    still hold slots. A pass is written in one piece when that many slots are surely free (nearly
    always: the shim drains the 1 MiB pipe within milliseconds), and otherwise as many whole lines
    as surely fit, or PIPE_BUF when none does, one write each. A line longer than both is written
    on its own and can still be cut; nginx's error lines are at most 2048 bytes.
    """

    WANTED_CAPACITY = 1024 * 1024  # the default /proc/sys/fs/pipe-max-size: no privilege needed
    PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")

    def __init__(self, fd):
        self.fd = fd
        self.is_pipe = stat.S_ISFIFO(os.fstat(fd).st_mode)
        self.slots = 0
        self.written = 0  # every byte written so far
        self.unconsumed = collections.deque()  # (end, slots) of each write the reader may not have finished
        self.held_slots = 0  # the sum of those writes' slots
        if self.is_pipe:
            try:
                capacity = fcntl.fcntl(fd, F_SETPIPE_SZ, self.WANTED_CAPACITY)
            except OSError:
                capacity = fcntl.fcntl(fd, F_GETPIPE_SZ)
            self.slots = capacity // self.PAGE_BYTES

    def unread_bytes(self):
        return struct.unpack("i", fcntl.ioctl(self.fd, termios.FIONREAD, b"\0\0\0\0"))[0]

    def surely_free_bytes(self, wanted):
        """Bytes one write can surely put in the pipe now without waiting: its free slots, whole.

        Counted first as if the shim had read nothing since the last look, which is nearly always
        room enough: FIONREAD (a system call) is asked only when that is short of wanted.
        """
        if (self.slots - self.held_slots) * self.PAGE_BYTES < wanted:
            consumed = self.written - self.unread_bytes()
            while self.unconsumed and self.unconsumed[0][0] <= consumed:
                self.held_slots -= self.unconsumed.popleft()[1]
        return max(0, self.slots - self.held_slots) * self.PAGE_BYTES

    def write(self, data, length=None):
        """Write data[:length] (all of it by default), which ends with a newline."""
        length = len(data) if length is None else length
        view = memoryview(data)[:length]
        if not self.is_pipe:
            write_all(self.fd, view)  # a file or /dev/null: nothing waits part-way
            return
        start = 0
        while start < length:
            end = min(length, start + max(self.surely_free_bytes(length - start), select.PIPE_BUF))
            if end < length:
                last_newline = data.rfind(b"\n", start, end)
                end = last_newline + 1 if last_newline >= start else data.index(b"\n", end) + 1
            write_all(self.fd, view[start:end])
            self.written += end - start
            slots = -(-(end - start) // self.PAGE_BYTES)
            self.unconsumed.append((self.written, slots))
            self.held_slots += slots
            start = end


class DirectoryWatch:
    """Wakes the shipper when a file in the directory is created, written or closed.

    Writes are watched only while the shipper is idle: under load it reads once per batch window
    anyway, and an event per nginx write would cost both nginx and the shipper for nothing.
    """

    def __init__(self, directory):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.directory = os.fsencode(directory)
        self.fd = self.libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        self.watching_writes = None
        self.watch_writes(True)

    def watch_writes(self, enabled):
        """Adds or drops IN_MODIFY (re-adding a watch on a path replaces its mask)."""
        if enabled == self.watching_writes:
            return
        mask = IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | (IN_MODIFY if enabled else 0)
        if self.libc.inotify_add_watch(self.fd, self.directory, mask) < 0:
            raise OSError(ctypes.get_errno(), "inotify_add_watch failed on %s" % self.directory)
        self.watching_writes = enabled

    def take_events(self):
        """Empty the event queue; True if it held any. Which file changed does not matter (every file
        is re-read): only whether a name may now hold another file (a create, a rename, an overflow).
        Under load, with writes unwatched, the queue is nearly always empty: one read, no lstat."""
        had_events = False
        while True:
            try:
                if not os.read(self.fd, 64 * 1024):
                    return had_events
            except BlockingIOError:
                return had_events
            had_events = True


class ProcessTable:
    """Looks at the other processes of the Pod through /proc (a shared PID namespace)."""

    def __init__(self):
        self.own_pid = os.getpid()

    def pids(self):
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) != self.own_pid:
                yield int(entry)

    def open_files(self, pid):
        """(fd, dev, ino) of each file pid has open; none when it is gone or not ours to look at."""
        try:
            fds = os.listdir("/proc/%d/fd" % pid)
        except OSError:
            return
        for fd in fds:
            try:
                st = os.stat("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            yield fd, st.st_dev, st.st_ino

    def nginx_master(self, files):
        """The pid of the nginx master that has one of files ((dev, ino) pairs) open, or None.

        Only a master holding our files: another nginx the shipper can see (or a process that
        merely calls itself one) is not the one writing them, and is never signalled.
        """
        for pid in self.pids():
            try:
                with open("/proc/%d/cmdline" % pid, "rb") as cmdline:
                    if not cmdline.read().startswith(NGINX_MASTER_PREFIX):
                        continue
            except OSError:
                continue
            if any((dev, ino) in files for _, dev, ino in self.open_files(pid)):
                return pid
        return None

    def writer_of(self, dev, ino):
        """The pid of a process that has the file (dev, ino) open for writing, or None.

        Readers do not count: an operator's `tail -f` or `less` on a rotated file never writes to
        it, so it must not hold back retiring it (and with it, shipping and rotation).
        """
        for pid in self.pids():
            for fd, fd_dev, fd_ino in self.open_files(pid):
                if (fd_dev, fd_ino) == (dev, ino) and self.opened_for_writing(pid, fd):
                    return pid
        return None

    @staticmethod
    def opened_for_writing(pid, fd):
        try:
            with open("/proc/%d/fdinfo/%s" % (pid, fd)) as fdinfo:
                for line in fdinfo:
                    if line.startswith("flags:"):
                        return int(line.split()[1], 8) & os.O_ACCMODE != os.O_RDONLY
        except (OSError, ValueError):
            pass
        return False


class NotRegularFile(Exception):
    """A log path holds something other than a regular file: a symlink, FIFO, directory..."""


class OpenFile:
    """One generation (inode) of a log file, read from an offset."""

    def __init__(self, path, offset):
        # Others can write the shared volume: a symlink here could point at any file the shipper
        # can read, and a FIFO would block the open. Only a regular file, itself, is shipped.
        self.fd = os.open(path, os.O_RDONLY | SAFE_OPEN_FLAGS)
        st = os.fstat(self.fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(self.fd)
            raise NotRegularFile(path)
        self.dev, self.ino = st.st_dev, st.st_ino
        # A file shorter than the saved offset was truncated by someone else: start over.
        self.offset = offset if offset <= st.st_size else 0
        self.draining_since = None  # when it was rotated (monotonic), once it is
        self.size_at_last_pass = st.st_size  # what the last pass read up to: the rotation checks this

    def size(self):
        self.size_at_last_pass = os.fstat(self.fd).st_size
        return self.size_at_last_pass

    def close(self):
        os.close(self.fd)


class LogFile:
    """A log file by name (access.log): its current generation and the rotated ones draining."""

    def __init__(self, directory, name, shipper, is_error_log):
        self.name = name
        self.frame = frame_error_lines if is_error_log else None
        self.path = os.path.join(directory, name)
        self.rotated_path = self.path + ".1"
        self.shipper = shipper
        self.current = None
        self.draining = []  # rotated generations, oldest first

        self.refused = None  # what was last refused at path (dev, ino, mode): warned about once

    def open_safely(self, path, offset):
        """OpenFile(path, offset), or None (with one warning per thing found) when it is not a regular file."""
        try:
            try:
                return OpenFile(path, offset)
            except PermissionError:
                # Made unreadable (chmod 000) by the uid that shares the volume: when it is ours, undo that.
                if not regain_owner_access(path, stat.S_IRUSR):
                    raise
                return OpenFile(path, offset)
        except FileNotFoundError:
            return None
        except (NotRegularFile, OSError) as refused:
            try:
                st = os.lstat(path)
                found = (st.st_dev, st.st_ino, st.st_mode)
            except OSError:
                found = None
            if found != self.refused:
                log("%s is not a regular file (%s): not shipping it" % (path, refused.__class__.__name__))
                self.refused = found
            return None

    def open_saved(self, state):
        """On start, reopen what a previous run of the shipper had not finished."""
        for path in (self.rotated_path, self.path):
            opened = self.open_safely(path, 0)
            if opened is None:
                continue
            saved = self.saved_entry_of(state, path, opened.ino)
            if saved is not None:
                opened.offset = saved["offset"] if saved["offset"] <= opened.size() else 0
            if path == self.rotated_path:
                self.start_draining(opened)
            else:
                self.current = opened
        if self.draining and self.current is None:
            # Renamed but nginx was never told: tell it now (reopening is idempotent).
            self.shipper.signal_reopen()

    def saved_entry_of(self, state, path, ino):
        """The record's entry for the file at path, or None: by its name, and for the rotated file
        also as the current one, which is what a shipper killed between its rename and its save
        recorded it as (else a restart would ship the whole rotated file again). Only that way
        round: a rotated file is never renamed back to the current name.
        """
        names = [os.path.basename(path)] + ([self.name] if path == self.rotated_path else [])
        for name in names:
            entry = state.get(name)
            if entry is not None and entry["ino"] == ino:
                return entry
        return None

    def start_draining(self, generation):
        generation.draining_since = time.monotonic()
        self.draining.append(generation)

    def ship(self, final, names_changed=True):
        """Write every new whole line of every generation to stdout, oldest generation first.

        names_changed: the directory may hold a new file at path (an inotify event, or a start).
        Without one, the file at path is still the current one, or still none: a create, a rename
        onto the name, a hard link all raise an event. With no current file, the path is looked
        at anyway (one lstat): a file refused earlier may have been made readable, which raises none.
        """
        if names_changed or self.current is None:
            self.follow_path()
        for generation in list(self.draining):
            # Ask first, read after: once no writer holds the file, what is read now is all of it.
            finished = final or self.writer_gone(generation)
            self.shipper.ship_from(generation, final or finished, self.frame)
            if finished:
                self.retire(generation)
        # The new file waits until the rotated one is complete: until its last writer has reopened,
        # nginx may still append to the old file lines written before ones already in the new.
        if self.current is not None and not self.draining:
            self.shipper.ship_from(self.current, final, self.frame)

    def writer_gone(self, generation):
        """True once no process has the rotated generation open for writing, or it has had too long.

        nginx's master and workers reopen within milliseconds of SIGUSR1. A writer still there after
        --rotated-writer-seconds is something else (a stuck worker, a process in nginx's container)
        and must not stop shipping and rotation: the file is retired anyway, and what that writer
        writes to it from then on is lost, which the warning says.
        """
        writer = self.shipper.processes.writer_of(generation.dev, generation.ino)
        if writer is None:
            return True
        waited = time.monotonic() - generation.draining_since
        if waited < self.shipper.options.rotated_writer_seconds:
            return False
        log("pid %d still has %s open for writing %.1f s after it was rotated: retiring it anyway; "
            "what that process writes to it from now on is not shipped" % (writer, self.rotated_path, waited))
        return True

    def follow_path(self):
        """Open the file when it appears, and notice when it was replaced by a new one."""
        try:
            st = os.lstat(self.path)
        except OSError:
            return
        if self.current is not None and st.st_ino == self.current.ino and st.st_dev == self.current.dev:
            return
        opened = self.open_safely(self.path, 0)
        if opened is None:
            return
        if self.current is not None:
            # Replaced by someone else than a rotation of ours (which leaves no current): nginx still
            # writes the old file, so have it reopen, or its lines would go on into a file retired
            # after --rotated-writer-seconds.
            self.start_draining(self.current)
            self.shipper.signal_reopen()
        self.current = opened

    def rotate_if_large(self, rotate_bytes):
        """Rename a file past rotate_bytes and have nginx reopen it; one rotation at a time."""
        if self.current is None or self.draining or self.current.size_at_last_pass < rotate_bytes:
            return False
        master = self.shipper.nginx_master_to_signal()
        if master is None:
            return False
        if self.current_is_at_path():
            if not self.shipper.clear_the_way(self.rotated_path):
                return False  # tried again on the next pass
            try:
                os.rename(self.path, self.rotated_path)
            except OSError as error:
                # Something was put back at either name in between: no crash, the next pass retries.
                log("cannot rename %s to %s (%s): rotating on a later pass" % (self.path, self.rotated_path, error.strerror))
                return False
        # Else the file nginx writes is no longer at its name (removed, or renamed and replaced by
        # something that is not a regular file): once that is out of the way, nginx's reopen creates
        # a new file there, and the old one drains from the descriptor held here.
        elif not self.shipper.clear_the_way(self.path):
            return False  # tried again on the next pass
        self.start_draining(self.current)
        self.current = None
        # Saved before nginx is told: a shipper restarted from here on finds access.log.1 with its
        # offset, and replays nothing of it, rather than all of it.
        self.shipper.save_state()
        self.shipper.signal_nginx(master)
        return True

    def current_is_at_path(self):
        """True when the file at path is still the current generation (not removed or replaced since)."""
        try:
            st = os.lstat(self.path)
        except OSError:
            return False
        return (st.st_dev, st.st_ino) == (self.current.dev, self.current.ino)

    def retire(self, generation):
        self.draining.remove(generation)
        try:
            st = os.lstat(self.rotated_path)
            if (st.st_dev, st.st_ino) == (generation.dev, generation.ino):
                os.unlink(self.rotated_path)
        except OSError:
            pass
        generation.close()

    def saved_offsets(self):
        entries = {}
        for generation in self.draining:
            entries[os.path.basename(self.rotated_path)] = generation
        if self.current is not None:
            entries[self.name] = self.current
        return {name: {"ino": g.ino, "offset": g.offset} for name, g in entries.items()}

    def open_generations(self):
        """(dev, ino) of every generation open: nginx's master is the one holding one of them."""
        generations = self.draining + ([self.current] if self.current is not None else [])
        return {(g.dev, g.ino) for g in generations}


def is_valid_state(state):
    """True for a record the shipper wrote: {name: {"ino": int, "offset": int >= 0}}."""
    def is_count(value):
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return isinstance(state, dict) and all(
        isinstance(entry, dict) and is_count(entry.get("ino")) and is_count(entry.get("offset"))
        for entry in state.values())


class Shipper:
    def __init__(self, options):
        self.options = options
        self.processes = ProcessTable()
        self.stdout = LinePipe(1)
        self.read_buffer = bytearray(options.chunk_bytes)  # every read goes here (ship_from)
        self.read_view = memoryview(self.read_buffer)
        self.files = [LogFile(options.dir, name, self, name == options.error_log) for name in options.files]
        self.state_dir = os.path.join(options.dir, STATE_DIR)
        self.state_path = os.path.join(self.state_dir, STATE_FILE)
        self.warned_no_nginx = False
        self.stopping = False
        self.shipped_bytes = 0  # a running total: a pass that moved it found new lines
        self.unsaved_bytes = 0  # shipped since the last record: a restart would replay these, at most a chunk
        self.state_dir_fd = None  # the state directory, opened once: the state file is opened in it
        self.state_fd = None  # the state file, opened on the first save and kept open
        self.state_length = 0  # bytes in it: a shorter record is padded over the longer one
        self.save_failing = False  # the last save failed (said once until one succeeds)
        self.saving = True  # False once the state cannot be kept: shipping goes on, restarts replay

    # --- state that survives a restart of the sidecar ---------------------------------------

    def clear_the_way(self, path):
        """Remove whatever is at path, which others put there; True once path is free.

        A rotation renames over access.log.1, which fails for a directory, and nginx reopens
        access.log with O_CREAT, which would block on a FIFO. A directory is first renamed aside
        (one step, whatever it holds), then removed within bounds (remove_entry); what is left
        of it stays aside, and the volume's sizeLimit counts it against whoever made it.
        """
        try:
            os.unlink(path)  # unlink(2) removes a symlink itself, never what it points at
            log("%s was in the way (not a file of nginx's): removed it" % path)
            return True
        except FileNotFoundError:
            return True
        except IsADirectoryError:
            pass
        except OSError as error:
            log("cannot remove %s, which is in the way (%s): rotating on a later pass" % (path, error.strerror))
            return False
        directory = os.path.dirname(path)
        aside = IN_THE_WAY_PREFIX + os.urandom(8).hex()
        try:
            os.rename(path, os.path.join(directory, aside))
        except FileNotFoundError:
            return True
        except OSError as error:
            log("cannot move the directory %s out of the way (%s): rotating on a later pass" % (path, error.strerror))
            return False
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            removed = remove_entry(dir_fd, aside, [IN_THE_WAY_MAX_ENTRIES])
        finally:
            os.close(dir_fd)
        log("%s was a directory, in the way: %s" % (path, "removed it" if removed else
            "moved it to %s, too deep or too large to remove at once" % os.path.join(directory, aside)))
        return True

    def open_state_directory(self):
        """Open (creating it) the state directory, itself: not a file or a symlink in its place."""
        try:
            os.mkdir(self.state_dir, 0o700)
        except OSError:
            pass  # there already, or not creatable: the open below says which
        try:
            try:
                self.state_dir_fd = os.open(self.state_dir, os.O_RDONLY | os.O_DIRECTORY | SAFE_OPEN_FLAGS)
            except PermissionError:
                if not regain_owner_access(self.state_dir, stat.S_IRWXU):
                    raise
                self.state_dir_fd = os.open(self.state_dir, os.O_RDONLY | os.O_DIRECTORY | SAFE_OPEN_FLAGS)
            os.fchmod(self.state_dir_fd, 0o700)  # searchable again by its owner, whatever mode it was left in
        except OSError as error:
            log("%s is not a directory (%s): offsets are not saved, a restart will ship the files "
                "again from their start" % (self.state_dir, error.strerror))
            self.saving = False

    def load_state(self):
        """The offsets a previous run saved; {} (with a warning when there was a record) if none is usable."""
        if self.state_dir_fd is None:
            return {}
        try:
            fd = os.open(STATE_FILE, os.O_RDONLY | SAFE_OPEN_FLAGS, dir_fd=self.state_dir_fd)
        except FileNotFoundError:
            return {}
        except OSError as error:
            log("%s cannot be opened (%s): starting afresh" % (self.state_path, error.strerror))
            return {}
        with os.fdopen(fd, "rb") as state_file:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                log("%s is not a regular file: starting afresh" % self.state_path)
                return {}
            # Read no more than a record can be: a 4 GiB (sparse) file costs one page, not 4 GiB of memory.
            # A record never holds a NUL: what follows one is a file grown in place past the record
            # (`truncate -s 4G` on the file the last run kept writing), not part of it.
            text = state_file.read(STATE_RECORD_MAX_BYTES + 1).split(b"\0", 1)[0]
            try:
                state = json.loads(text) if len(text) <= STATE_RECORD_MAX_BYTES else None
            except (ValueError, RecursionError):
                state = None  # RecursionError: brackets nested deeper than the parser goes
        if not is_valid_state(state):
            log("%s is not a record of offsets: starting afresh" % self.state_path)
            return {}
        return state

    def open_state_file(self):
        """The state file for writing: a regular file of ours, replacing anything else at its name."""
        flags = os.O_WRONLY | os.O_CREAT | SAFE_OPEN_FLAGS
        for attempt in range(2):
            try:
                fd = os.open(STATE_FILE, flags, 0o600, dir_fd=self.state_dir_fd)
                st = os.fstat(fd)
                if stat.S_ISREG(st.st_mode) and st.st_size <= STATE_RECORD_MAX_BYTES:
                    return fd
                os.close(fd)
            except OSError:
                pass
            if attempt == 0:
                # A symlink (which O_NOFOLLOW refused), a FIFO, a file made unwritable, or one longer than a
                # record (padding a record to its length would take that much memory): remove the name,
                # never what it points at.
                try:
                    os.unlink(STATE_FILE, dir_fd=self.state_dir_fd)
                except OSError:
                    pass
                flags |= os.O_EXCL
        log("%s cannot be written as a regular file: offsets are not saved" % self.state_path)
        return None

    def save_state(self):
        """Record every file's offset: before a write would leave more than a chunk unrecorded
        (ship_from), at a rotation before nginx is told, when shipping goes quiet, and at exit.

        One pwrite of the whole record at offset 0 of a file kept open, padded with spaces (JSON
        ignores them) over what the last record left: no new file and no rename per chunk, which
        took three quarters of the shipper's time. The record is one page at most, and a write of
        it either happens whole or not at all when the process is killed, so a restart reads the
        last record or the one before, never a mix.
        """
        if not self.saving or self.state_dir_fd is None:
            return  # no state directory (yet, or at all)
        state = {}
        for log_file in self.files:
            state.update(log_file.saved_offsets())
        record = json.dumps(state).encode()
        if self.state_fd is None:
            self.state_fd = self.open_state_file()
            if self.state_fd is None:
                self.saving = False
                return
            self.state_length = os.fstat(self.state_fd).st_size
        padded = record.ljust(self.state_length)
        try:
            os.pwrite(self.state_fd, padded, 0)
        except OSError as error:
            # A full volume (ENOSPC on a memory-backed one): keep shipping; a restart replays more.
            if not self.save_failing:
                log("cannot save offsets in %s (%s): shipping on" % (self.state_path, error.strerror))
            self.save_failing = True
            return
        self.save_failing = False
        self.state_length = len(padded)
        self.unsaved_bytes = 0

    # --- reading and writing -----------------------------------------------------------------

    def ship_from(self, generation, final, frame=None):
        """Copy whole lines from generation's offset to stdout; at the end, partial ones too.

        frame, when given, rewrites what is read before it is written (frame_error_lines).

        Reads only up to the size the file had when called: under full load nginx writes as
        fast as this reads, and chasing the end would starve the rotation checks in between.
        Reads go into one buffer kept for the shipper's life and whole lines are written from
        it: no new object per read, and no read that only finds the line still being written.
        """
        end_of_pass = generation.size()
        if end_of_pass < generation.offset:
            # Truncated by someone else (`: > access.log`); nginx appends from 0 again.
            log("%s was truncated (to %d bytes, below the %d already shipped): shipping it from its start"
                % (self.path_of(generation), end_of_pass, generation.offset))
            generation.offset = 0
        buffer, view = self.read_buffer, self.read_view
        while generation.offset < end_of_pass:
            data_end = self.skip_holes(generation, end_of_pass)
            if generation.offset >= end_of_pass:
                return
            read = os.preadv(generation.fd, [view[:min(len(buffer), data_end - generation.offset)]], generation.offset)
            if not read:
                return
            if buffer[0] == 0:
                # The zeroed head of a block after a hole (holes are whole blocks): nginx never writes a NUL.
                generation.offset += read - len(bytes(view[:read]).lstrip(b"\0"))
                continue
            end = buffer.rfind(b"\n", 0, read) + 1
            # Nothing completes a line that a hole follows: nginx appends, it never leaves holes.
            before_hole = data_end < end_of_pass and generation.offset + read == data_end
            if end == 0 and read < len(buffer) and not final and not before_hole:
                return  # a line still being written: wait for its newline
            if self.unsaved_bytes + (end or read) > len(buffer):
                self.save_state()  # so that a kill in the write below replays at most this chunk
            if end and frame is None:
                self.stdout.write(buffer, end)  # whole lines, from the buffer as read
            else:
                chunk = bytes(view[:end or read])
                shipped = chunk.rstrip(b"\0") if end == 0 and before_hole else chunk  # a block's zeroed tail is not a line
                if shipped and frame is not None:
                    shipped = frame(shipped)
                if shipped:
                    # A line cut by the chunk size or left unterminated still ends with a newline.
                    self.stdout.write(shipped if shipped.endswith(b"\n") else shipped + b"\n")
            shipped_to = generation.offset + (end or read)
            read_to = generation.offset + read
            generation.offset = shipped_to
            self.shipped_bytes += end or read
            self.unsaved_bytes += end or read
            if read_to == end_of_pass and shipped_to < read_to and not final:
                return  # what is left of the pass is a line still being written: the next pass reads it

    def skip_holes(self, generation, end_of_pass):
        """Move generation's offset past any hole there, and return where the data from there ends.

        A hole is a range of a sparse file with no blocks (`truncate -s 512M access.log`): it takes
        no room in the volume, so nothing evicts the Pod, and read it is all NULs. nginx never
        writes one. One lseek per read when the offset is in data (always, but for a trap), whatever
        the number of lines.
        """
        try:
            hole_at = os.lseek(generation.fd, generation.offset, os.SEEK_HOLE)
            if hole_at > generation.offset:
                return min(hole_at, end_of_pass)  # data from the offset on
        except OSError:
            pass  # ENXIO: the offset is past the end (shrunk since): as below
        try:
            data_at = os.lseek(generation.fd, generation.offset, os.SEEK_DATA)
            hole_at = os.lseek(generation.fd, data_at, os.SEEK_HOLE)
        except OSError:
            data_at = hole_at = end_of_pass  # ENXIO: nothing but holes from the offset to the end
        if data_at > generation.offset:
            skipped = min(data_at, end_of_pass) - generation.offset
            log("%s: skipped %d bytes with no data (a hole of a sparse file), from offset %d"
                % (self.path_of(generation), skipped, generation.offset))
            generation.offset += skipped
        return min(hole_at, end_of_pass)

    def path_of(self, generation):
        for log_file in self.files:
            if generation is log_file.current:
                return log_file.path
            if generation in log_file.draining:
                return log_file.rotated_path
        return "a log file"

    def ship_all(self, final=False, names_changed=True):
        rotated = False
        for log_file in self.files:
            log_file.ship(final, names_changed)
            if not final and log_file.rotate_if_large(self.options.rotate_bytes):
                rotated = True
        if rotated:
            # Read what the rotation left to drain now rather than at the next wake-up.
            for log_file in self.files:
                log_file.ship(final, names_changed=False)

    # --- nginx -------------------------------------------------------------------------------

    def open_generations(self):
        files = set()
        for log_file in self.files:
            files |= log_file.open_generations()
        return files

    def nginx_master_to_signal(self):
        """nginx's master, or None (said once on stderr) when it cannot be seen, so cannot rotate."""
        master = self.processes.nginx_master(self.open_generations())
        if master is None and not self.warned_no_nginx:
            log("nginx's master process is not visible: not rotating (does the Pod share its "
                "process namespace, with nginx and the sidecar under one uid?)")
            self.warned_no_nginx = True
        return master

    def signal_reopen(self):
        master = self.processes.nginx_master(self.open_generations())
        if master is not None:
            self.signal_nginx(master)

    @staticmethod
    def signal_nginx(master):
        """SIGUSR1 to nginx's master, which may have exited since it was found: then a new master
        opens the files afresh, and the rotated one drains as usual."""
        try:
            os.kill(master, signal.SIGUSR1)
        except ProcessLookupError:
            log("nginx's master (pid %d) exited before it could be told to reopen its logs" % master)
        except PermissionError:
            log("nginx's master (pid %d) cannot be signalled: not ours (another uid?)" % master)

    def wait_for_nginx_exit(self):
        deadline = time.monotonic() + self.options.drain_timeout
        while self.processes.nginx_master(self.open_generations()) is not None and time.monotonic() < deadline:
            time.sleep(0.05)

    # --- main loop ---------------------------------------------------------------------------

    def run(self):
        self.open_state_directory()
        state = self.load_state()
        for log_file in self.files:
            log_file.open_saved(state)

        wake_read, wake_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(wake_write)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.request_stop)

        watch = DirectoryWatch(self.options.dir)
        poller = select.poll()
        poller.register(watch.fd, select.POLLIN)
        poller.register(wake_read, select.POLLIN)
        batch_seconds = self.options.batch_ms / 1000.0
        busy_batch_ms = self.options.busy_batch_ms

        self.ship_all()
        names_changed = True
        while not self.stopping:
            before = self.shipped_bytes
            self.ship_all(names_changed=names_changed)
            if self.shipped_bytes != before:
                # Busy: more is surely coming. Read again after one (longer) batch window, without
                # an event per write in between. Waiting in poll rather than sleep tells, with no
                # read, whether a name changed meanwhile (writes being unwatched, nearly never).
                watch.watch_writes(False)
                names_changed = bool(poller.poll(busy_batch_ms)) and watch.take_events()
                continue
            if self.unsaved_bytes:
                self.save_state()  # quiet: record where it stopped, so that a restart replays nothing
            if not watch.watching_writes:
                # Quiet again: watch writes, then look once more for what came before the watch.
                watch.watch_writes(True)
                names_changed = True
                continue
            # While a rotated file drains, nobody writes to say its last holder closed it: look again soon.
            draining = any(log_file.draining for log_file in self.files)
            if poller.poll(50 if draining else None) and not self.stopping:
                time.sleep(batch_seconds)
            names_changed = watch.take_events()

        self.wait_for_nginx_exit()
        self.ship_all(final=True)
        self.save_state()
        return 0

    def request_stop(self, signum, frame):
        self.stopping = True


def parse_options(argv):
    parser = argparse.ArgumentParser(prog="logshipper", description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, help="the shared log directory")
    parser.add_argument("--rotate-bytes", type=int, required=True,
                        help="rename a file and have nginx reopen it past this size")
    parser.add_argument("--batch-ms", type=int, default=6,
                        help="after a wake-up, wait this long so one read covers a burst")
    parser.add_argument("--busy-batch-ms", type=int, default=10,
                        help="under load, wait this long between reads: a read costs nearly the same however much it ships "
                             "(the wake-up is most of it), so fewer of them cost less CPU, for this much more latency")
    parser.add_argument("--drain-timeout", type=float, default=20.0,
                        help="on SIGTERM, wait at most this long for nginx to exit (the Pod's grace period, less time for the last read)")
    parser.add_argument("--rotated-writer-seconds", type=float, default=5.0,
                        help="retire a rotated file after this long even if a process still has it open for writing "
                             "(nginx reopens within milliseconds; anything slower is not nginx's writer)")
    parser.add_argument("--chunk-bytes", type=int, required=True,
                        help="read (and write) at most this much at once, saving offsets after each: the most a restart replays")
    parser.add_argument("--error-log", default="error.log",
                        help="the one of the files in nginx's error-log format: a newline inside an entry is shipped as \\x0A")
    parser.add_argument("files", nargs="+", help="file names in --dir, e.g. access.log error.log")
    return parser.parse_args(argv)


if __name__ == "__main__":
    if UNDUMPABLE_ERRNO:
        log("prctl(PR_SET_DUMPABLE, 0) failed (%s): other processes of this uid can read this one's /proc"
            % os.strerror(UNDUMPABLE_ERRNO))
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(Shipper(parse_options(sys.argv[1:])).run())
