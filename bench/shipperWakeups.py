"""What a log follower's wake-ups cost, with no cluster: the shipper at several read intervals, busybox
`tail -F`, and the floor of any Python follower that wakes that often.

The shipping benchmark (bench/shipping.ts) measures each sidecar in the Pod, with nginx under full
load. This one isolates the follower: an nginx-like writer appends access lines at a steady rate
(one write per line, in 10 ms bursts), the follower's stdout is a 1 MiB pipe read 32 KiB at a
time as the shim does, and both run in a private PID and mount namespace as in the Pod (a handful
of processes in /proc, which the shipper's rotation looks through). For each follower it prints
CPU seconds per GB shipped (user + system, from /proc) and the latency from each line's write to
its read from the pipe.

The "python floor" rows are what a Python process costs that wakes every N ms and does only the
system calls of one of the shipper's passes (poll, fstat of both files, one lseek, one preadv into
a kept buffer, one write): no follower written in Python can cost less at that interval.

    npm run bench:wakeups [-- --seconds 20 --rate 30000]     # as root: python3 bench/shipperWakeups.py

Needs root (unshare) and busybox. Writes bench/results/shipper-wakeups.md and .json.
"""

import argparse
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHIPPER = os.path.join(HERE, "..", "components", "sidecar", "logShipper.py")
RESULTS = os.path.join(HERE, "results")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# nginx's master as the shipper finds it (argv[0]), appending lines as nginx does and reopening on SIGUSR1.
WRITER = r'''
import os, signal, sys, time
directory, rate, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
path = os.path.join(directory, "access.log")
fds = [os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)]
def reopen(signum, frame):
    fresh = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.close(fds[0])
    fds[0] = fresh
signal.signal(signal.SIGUSR1, reopen)
written, start = 0, time.time()
while time.time() - start < seconds:
    stamp = time.time()
    for _ in range(rate // 100):
        line = '10.0.0.1 - - [07/Dec/2026:06:00:00 +0000] "GET /?id=%010d HTTP/1.1" 200 615 "-" "wrk/4.2" "-" %.3f\n' % (written, stamp)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
        os.write(fds[0], line.encode())
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})
        written += 1
    pause = start + written / rate - time.time()
    if pause > 0:
        time.sleep(pause)
print(written, flush=True)
'''

# The system calls of one pass of the shipper under load, and nothing else.
FLOOR = r'''
import os, select, sys
directory, interval_ms = sys.argv[1], int(sys.argv[2])
access = os.open(os.path.join(directory, "access.log"), os.O_RDONLY)
error = os.open(os.path.join(directory, "error.log"), os.O_RDONLY)
buffer = bytearray(262144)
view = memoryview(buffer)
poller = select.poll()
offset = 0
while True:
    poller.poll(interval_ms)
    size = os.fstat(access).st_size
    os.fstat(error)
    if size > offset:
        os.lseek(access, offset, os.SEEK_HOLE)
        read = os.preadv(access, [view[:min(len(buffer), size - offset)]], offset)
        end = buffer.rfind(b"\n", 0, read) + 1
        os.write(1, view[:end])
        offset += end
'''


def follower_commands(directory):
    """(name, command) of each follower measured, following the logs in directory."""
    files = [os.path.join(directory, name) for name in ("access.log", "error.log")]
    shipper = [sys.executable, "-u", SHIPPER, "--dir", directory, "--rotate-bytes", str(4 * 1024 * 1024),
               "--chunk-bytes", "262144", "access.log", "error.log"]
    return [
        ("busybox tail -F (reads once a second)", ["busybox", "tail", "-q", "-n+1", "-F", *files]),
        ("ours, reading every 25 ms under load", [*shipper, "--busy-batch-ms", "25"]),
        ("ours, reading every 10 ms under load (the default)", shipper),
        ("ours, reading every 5 ms under load", [*shipper, "--busy-batch-ms", "5"]),
        ("python floor, waking every 25 ms", [sys.executable, "-c", FLOOR, directory, "25"]),
        ("python floor, waking every 10 ms", [sys.executable, "-c", FLOOR, directory, "10"]),
    ]


def cpu_seconds(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class PipeReader(threading.Thread):
    """Reads the follower's stdout as the shim does; samples each 50th line's latency."""

    def __init__(self, fd):
        super().__init__(daemon=True)
        self.fd, self.bytes, self.latencies_ms = fd, 0, []

    def run(self):
        pending = b""
        while True:
            data = os.read(self.fd, 32768)
            if not data:
                return
            now = time.time()
            self.bytes += len(data)
            lines = (pending + data).split(b"\n")
            pending = lines.pop()
            for line in lines[::50]:
                self.latencies_ms.append((now - float(line.rsplit(b" ", 1)[1])) * 1000)


def measure(index, seconds, rate):
    """The index-th of follower_commands, measured for seconds at rate lines/s."""
    directory = tempfile.mkdtemp(prefix="shipper-wakeups-")
    name, command = follower_commands(directory)[index]
    print("bench: %s..." % name, file=sys.stderr, flush=True)
    try:
        for log in ("access.log", "error.log"):
            open(os.path.join(directory, log), "w").close()
        count_file = os.path.join(directory, ".written")
        # The follower is the namespace's first process; the writer starts once it runs.
        script = '(sleep 0.7; exec -a "nginx: master process bench" %s -c %s %s %d %s > %s) & exec %s' % (
            shlex.quote(sys.executable), shlex.quote(WRITER), shlex.quote(directory), rate, seconds, shlex.quote(count_file),
            " ".join(map(shlex.quote, command)))
        read_end, write_end = os.pipe()
        namespace = subprocess.Popen(["unshare", "--fork", "--pid", "--mount-proc", "bash", "-c", script],
                                     stdout=write_end, stderr=subprocess.DEVNULL)
        os.close(write_end)
        time.sleep(0.3)
        follower = int(open("/proc/%d/task/%d/children" % (namespace.pid, namespace.pid)).read().split()[0])
        reader = PipeReader(read_end)
        reader.start()
        while not (os.path.exists(count_file) and open(count_file).read().strip()):
            time.sleep(0.2)
        time.sleep(1.5)  # the last lines' way through
        cpu = cpu_seconds(follower)
        os.kill(follower, signal.SIGKILL)  # the namespace's init: SIGTERM would be ignored by tail
        namespace.wait()
        reader.join()
        latencies = sorted(reader.latencies_ms)
        return {
            "follower": name, "lines": int(open(count_file).read()), "bytes": reader.bytes, "cpuSeconds": cpu,
            "cpuSecondsPerGB": cpu / (reader.bytes / 1e9),
            "latencyMs": {"p50": latencies[len(latencies) // 2], "p99": latencies[int(len(latencies) * 0.99)], "max": latencies[-1]},
        }
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def table(results, seconds, rate):
    rows = ["| follower | lines | CPU s | CPU s / GB | latency p50 / p99 / max (ms) |", "|---|---|---|---|---|"]
    for r in results:
        latency = r["latencyMs"]
        rows.append("| %s | %s | %.2f | %.1f | %.1f / %.1f / %.1f |" % (
            r["follower"], format(r["lines"], ","), r["cpuSeconds"], r["cpuSecondsPerGB"], latency["p50"], latency["p99"], latency["max"]))
    return "\n".join([
        "%d s per follower at %s access lines/s (%.1f MB/s), one after another, on this machine; "
        "CPU from /proc (10 ms ticks). Command: `python3 bench/shipperWakeups.py --seconds %d --rate %d`" % (
            seconds, format(rate, ","), results[0]["bytes"] / seconds / 1e6, seconds, rate),
        "", *rows, ""])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rate", type=int, default=30000, help="access lines per second")
    options = parser.parse_args()
    results = [measure(index, options.seconds, options.rate) for index in range(len(follower_commands("")))]
    text = table(results, options.seconds, options.rate)
    print(text)
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "shipper-wakeups.md"), "w") as markdown:
        markdown.write(text)
    with open(os.path.join(RESULTS, "shipper-wakeups.json"), "w") as raw:
        json.dump({"seconds": options.seconds, "rate": options.rate, "results": results}, raw, indent=2)


if __name__ == "__main__":
    main()
