"""The node's side of lab/nodeHelper.ts: what the end-to-end tests look at or do on the node that runs
a Pod, from a privileged Pod with the node's PID namespace (hostPID) and its root filesystem mounted
at /host, as `kubectl debug node/...` sets one up. Works on any node whose kubelet runs containers
in cgroups named after their container IDs (containerd and CRI-O, either cgroup driver, v1 or v2).

    python3 nodeTools.py COMMAND ARGS...

Paths on the node are given as the node sees them; a Pod's files are reached through
/proc/PID/root of one of its processes, so they need no knowledge of the kubelet's directories.
Commands that watch something run until their stdin closes, then print their result.
"""

import ctypes
import json
import os
import select
import shutil
import signal
import sys
import time

HOST = os.environ.get("NODE_TOOLS_HOST_ROOT", "/host")
CLONE_NEWNET = 0x40000000


def on_node(path):
    """A path on the node, as this process reaches it."""
    return HOST.rstrip("/") + path


def processes_in_cgroups_naming(needles):
    """The pids whose cgroup path contains one of `needles`."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cgroup") as f:
                text = f.read()
        except OSError:
            continue  # exited meanwhile
        if any(needle in text for needle in needles):
            pids.append(int(entry))
    return pids


def container_pids(container_id):
    """A container's processes: its cgroup is named after its ID (without the runtime's prefix)."""
    return processes_in_cgroups_naming([container_id.split("://")[-1]])


def pod_pids(pod_uid):
    """A Pod's processes: its cgroup is named pod<uid> (cgroupfs) or pod<uid with underscores> (systemd)."""
    return processes_in_cgroups_naming([f"pod{pod_uid}", f"pod{pod_uid.replace('-', '_')}"])


class PodDirectory:
    """A directory as a Pod's containers see it (a volume's mount point), through one of their processes."""

    def __init__(self, pod_uid, directory):
        self.pod_uid = pod_uid
        self.directory = directory
        self.pid = None

    def path(self, name=""):
        """The directory (or a file in it) through a live process that has it; another one when that one exits."""
        if self.pid is None or not os.path.isdir(f"/proc/{self.pid}/root{self.directory}"):
            self.pid = next((p for p in pod_pids(self.pod_uid) if os.path.isdir(f"/proc/{p}/root{self.directory}")), None)
            if self.pid is None:
                raise FileNotFoundError(f"no process of pod {self.pod_uid} has {self.directory}")
        return f"/proc/{self.pid}/root{self.directory}" + (f"/{name}" if name else "")


def pod_file_exists(pod_directory, name):
    """Whether a file of a Pod's directory exists (not while none of its containers runs)."""
    try:
        return os.path.exists(pod_directory.path(name))
    except FileNotFoundError:
        return False


def disk_usage(directory):
    """Bytes in allocated blocks under `directory` (what du counts, and the kubelet against sizeLimit)."""
    total = 0
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    for entry in entries:
        try:
            total += entry.stat(follow_symlinks=False).st_blocks * 512
            if entry.is_dir(follow_symlinks=False):
                total += disk_usage(entry.path)
        except OSError:
            pass  # rotated away between the listing and the stat
    return total


def stdin_closed(timeout_seconds):
    """Waits up to `timeout_seconds` for stdin to close; True once it has."""
    readable, _, _ = select.select([sys.stdin], [], [], timeout_seconds)
    return bool(readable) and sys.stdin.buffer.read1(4096) == b""


def boot_seconds():
    """Seconds since the node booted: the clock of /proc/PID/stat's start times."""
    return time.clock_gettime(time.CLOCK_BOOTTIME)


def start_seconds(pid):
    """When a process started, in seconds since the node booted."""
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    ticks = int(stat[stat.rindex(")") + 2:].split(" ")[19])  # field 22, starttime
    return ticks / os.sysconf("SC_CLK_TCK")


def command_mkdir(path):
    """A directory on the node that any uid may write, as an emptyDir is."""
    os.makedirs(on_node(path), exist_ok=True)
    os.chmod(on_node(path), 0o1777)


def command_cat(path):
    with open(on_node(path), "rb") as f:
        shutil.copyfileobj(f, sys.stdout.buffer)


def command_rm(path):
    shutil.rmtree(on_node(path), ignore_errors=True)


def command_pod_cat(pod_uid, directory, name):
    with open(PodDirectory(pod_uid, directory).path(name), "rb") as f:
        shutil.copyfileobj(f, sys.stdout.buffer)


def command_pod_usage(pod_uid, directory, interval_ms):
    """Samples the disk usage of a Pod's directory until stdin closes; prints the peak."""
    pod_directory = PodDirectory(pod_uid, directory)
    peak = 0
    print("watching", flush=True)
    while True:
        try:
            peak = max(peak, disk_usage(pod_directory.path()))
        except FileNotFoundError:
            pass  # between a container's exit and its restart
        if stdin_closed(int(interval_ms) / 1000):
            break
    print(peak)


def command_kill(signal_name, container_id, *wait_for):
    """Kills every process of a container, as a crash would; first waits for a Pod's file to exist, when given one."""
    if wait_for:
        pod_uid, directory, name, timeout_ms = wait_for
        pod_directory = PodDirectory(pod_uid, directory)
        deadline = time.monotonic() + int(timeout_ms) / 1000
        while not pod_file_exists(pod_directory, name):
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out after {int(timeout_ms) / 1000} s waiting for {directory}/{name}")
            time.sleep(0.002)
    pids = container_pids(container_id)
    if not pids:
        raise SystemExit(f"container {container_id} has no process")
    for pid in pids:
        try:
            os.kill(pid, getattr(signal, signal_name))
        except ProcessLookupError:
            pass  # gone: once a container's first process dies, its shim kills the rest
    print(len(pids))


def command_netdrop(container_id, port, action):
    """Inserts (-I) or deletes (-D) a rule dropping new TCP connections to `port` in the container's
    network namespace, with the node's own iptables."""
    pids = container_pids(container_id)
    if not pids:
        raise SystemExit(f"container {container_id} has no process")
    fd = os.open(f"/proc/{pids[0]}/ns/net", os.O_RDONLY)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns into the Pod's network namespace")
    os.chroot(HOST)
    os.chdir("/")
    os.execvp("iptables", ["iptables", "-w", action, "INPUT", "-p", "tcp", "--dport", port, "--syn", "-j", "DROP"])


def command_keep_logs(source, keep):
    """Hard-links each run's CRI log file (<restartCount>.log) from `source` into `keep` as soon as it
    appears (every 100 ms), until stdin closes; prints the runs kept. See lab/containerLogKeeper.ts."""
    os.makedirs(on_node(keep), exist_ok=True)
    kept = set()

    def keep_new_runs():
        try:
            names = os.listdir(on_node(source))
        except FileNotFoundError:
            return  # not made yet, or removed with the Pod
        for name in names:
            run = name[:-4]
            if not (name.endswith(".log") and run.isdigit()) or int(run) in kept:
                continue
            try:
                os.link(f"{on_node(source)}/{name}", f"{on_node(keep)}/{name}")
                kept.add(int(run))
            except FileNotFoundError:
                pass

    keep_new_runs()
    print("keeping", flush=True)
    while not stdin_closed(0.1):
        keep_new_runs()
    keep_new_runs()
    print(json.dumps(sorted(kept)))


def command_starts(*container_ids):
    """When each container's first process started, in seconds since the node booted."""
    starts = {}
    for container_id in container_ids:
        times = [start_seconds(pid) for pid in container_pids(container_id)]
        starts[container_id] = min(times) if times else None
    print(json.dumps(starts))


def command_exits(*container_ids):
    """Polls every 10 ms until each container has no process left (or stdin closes); prints when each
    was first seen without one, in seconds since the node booted."""
    exits = {}
    print("watching", flush=True)
    while len(exits) < len(container_ids):
        for container_id in container_ids:
            if container_id not in exits and not container_pids(container_id):
                exits[container_id] = boot_seconds()
        if stdin_closed(0.01):
            break
    print(json.dumps(exits))


COMMANDS = {
    "mkdir": command_mkdir,
    "cat": command_cat,
    "rm": command_rm,
    "pod-cat": command_pod_cat,
    "pod-usage": command_pod_usage,
    "kill": command_kill,
    "netdrop": command_netdrop,
    "keep-logs": command_keep_logs,
    "starts": command_starts,
    "exits": command_exits,
}

if __name__ == "__main__":
    COMMANDS[sys.argv[1]](*sys.argv[2:])
