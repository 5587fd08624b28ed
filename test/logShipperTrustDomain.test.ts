/**
 * nginx and the shipper run under one uid in a shared PID namespace (the shipper must see nginx's
 * open files and signal its master to rotate). The shipper makes itself non-dumpable at start-up,
 * so that nginx, or whatever runs in nginx's container, can no longer read its /proc entries
 * (environ, fd/, mem, root/) or ptrace it. These tests run both under a non-root uid, as the Pod
 * does, and probe from a third process of that uid: what it can no longer do to the shipper, and
 * what stays possible (signals; and everything towards nginx, which the shipper needs).
 */
import { expect } from "chai";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { LOG_SHIPPER_PATH } from "../components/sidecar/shipperCommand";
import { expectedLines, PYTHON, shippedAtLeast, ShipperSandbox } from "./helpers/shipperSandbox";

/** A uid no account uses, as the Pod's uid is no account's in the images. */
const POD_UID = 23456;
const AS_POD_UID = ["setpriv", `--reuid=${POD_UID}`, `--regid=${POD_UID}`, "--clear-groups", "--inh-caps=-all"];
const PROBE_PATH = path.join(__dirname, "helpers", "procAccessProbe.py");
/** Debian's python3: one the Pod's uid can run (a pyenv under /root is not readable by it). */
const SYSTEM_PYTHON = "/usr/bin/python3";

interface Access {
    environ: string;
    fd: string;
    mem: string;
    ptrace: string;
    signal: string;
}

/** What a process of the Pod's uid can do to `pid` (the probe run from the sandbox, which that uid can read). */
function probeAsPodUid(sandbox: ShipperSandbox, pid: number): Access {
    return JSON.parse(execFileSync(AS_POD_UID[0], [...AS_POD_UID.slice(1), SYSTEM_PYTHON, sandbox.program(PROBE_PATH), String(pid)], { encoding: "utf8" })) as Access;
}

/** True when Yama restricts ptrace to descendants (then no probe can attach to anything it did not start). */
function yamaRestrictsPtrace(): boolean {
    try {
        return Number(fs.readFileSync("/proc/sys/kernel/yama/ptrace_scope", "utf8")) > 0;
    } catch {
        return false;
    }
}

describe("the shipper and nginx under one uid, with a shared PID namespace", function () {
    this.timeout(30_000);
    let sandbox: ShipperSandbox;

    before(function () {
        // setpriv to another uid needs root; the shipper needs Linux.
        if (process.platform !== "linux" || process.getuid?.() !== 0 || !fs.existsSync(SYSTEM_PYTHON)) {
            this.skip();
        }
    });
    beforeEach(() => {
        sandbox = new ShipperSandbox(SYSTEM_PYTHON, AS_POD_UID);
        fs.chownSync(sandbox.root, POD_UID, POD_UID);
        fs.chownSync(sandbox.logDirectory, POD_UID, POD_UID);
    });
    afterEach(async () => {
        await sandbox.cleanup();
    });

    it("nginx's uid can no longer read the shipper's /proc entries or ptrace it, and the shipper still rotates nginx's logs", async () => {
        const nginx = await sandbox.startNginx();
        const shipper = sandbox.startShipper({ rotateBytes: 64 * 1024 });
        await nginx.write("access.log", 1000, 100);
        await nginx.usr1Received(1); // it still reads nginx's open files and signals its master
        await shippedAtLeast([shipper], 1000);

        const toShipper = probeAsPodUid(sandbox, shipper.pid);
        expect(toShipper.environ, "reading the shipper's /proc/PID/environ").to.equal("EACCES");
        expect(toShipper.fd, "listing the shipper's /proc/PID/fd").to.equal("EACCES");
        expect(toShipper.mem, "opening the shipper's /proc/PID/mem").to.equal("EACCES");
        expect(toShipper.ptrace, "ptrace(PTRACE_ATTACH) on the shipper").to.equal("EPERM");
        expect(fs.readFileSync(`/proc/${shipper.pid}/status`, "utf8"), "the shipper's /proc entries").to.match(new RegExp(`^Uid:\\s+${POD_UID}\\b`, "m"));
        expect(shipper.output().split("\n").slice(0, 1000)).to.deep.equal(expectedLines("access.log", 0, 1000, 100));
    });

    it("what stays possible: nginx's uid can still signal the shipper, and read and ptrace nginx itself", async () => {
        const nginx = await sandbox.startNginx();
        const shipper = sandbox.startShipper();
        await nginx.write("access.log", 10, 100);
        await shippedAtLeast([shipper], 10);

        // Signals are not covered by dumpability: a process of the uid can stop the shipper (SIGSTOP).
        expect(probeAsPodUid(sandbox, shipper.pid).signal).to.equal("sent");
        // nginx stays dumpable: the shipper needs its /proc/PID/fd, so this uid can read nginx's /proc
        // (environ, mem: a key nginx has loaded) and, without Yama, ptrace it.
        const toNginx = probeAsPodUid(sandbox, nginx.pid);
        expect(toNginx.environ).to.equal("read");
        expect(toNginx.fd).to.equal("read");
        expect(toNginx.mem).to.equal("read");
        expect(toNginx.ptrace).to.equal(yamaRestrictsPtrace() ? "EPERM" : "attached");
    });
});

describe("the shipper's start-up, while it is still dumpable", () => {
    /**
     * The shipper run as the Pod runs it (its file as __main__, here with --help so that it stops
     * once started), under an audit hook that records, in order, each module it imports and its
     * look-up of prctl: a /proc/PID/environ or mem descriptor opened before the prctl keeps working
     * after it, so every import before it is time the process could still be read (docs/security.md).
     */
    function startUpEvents(): string[] {
        const script = `
import json, runpy, sys
events = []
def hook(event, args):
    if event == "compile" and args[1] == sys.argv[0]:
        events.append("compile")  # the shipper's own code: what comes after is its doing
    elif event == "import" and events:
        events.append("import " + args[0])
    elif event == "ctypes.dlsym" and "prctl" in str(args[1]):
        events.append("prctl")
sys.addaudithook(hook)
sys.argv = [sys.argv[1], "--help"]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit:
    pass
sys.stderr.write(json.dumps(events))
`;
        // The events on stderr: --help prints on stdout.
        const result = spawnSync(PYTHON, ["-c", script, LOG_SHIPPER_PATH], { encoding: "utf8" });
        return JSON.parse(result.stderr) as string[];
    }

    it("makes itself non-dumpable before it imports anything but ctypes", function () {
        if (process.platform !== "linux") {
            this.skip();
        }
        const events = startUpEvents();
        const prctl = events.indexOf("prctl");
        expect(prctl, `prctl among ${JSON.stringify(events)}`).to.be.at.least(0);
        const argparse = events.indexOf("import argparse");
        expect(argparse, "argparse imported, after prctl").to.be.greaterThan(prctl);
        expect(events[0], "the shipper's code compiled first").to.equal("compile");
        // The shipper's own imports (those python had not loaded already, and not what ctypes itself loads).
        const ownImports = ["argparse", "fcntl", "json", "select", "signal", "termios"].map((name) => `import ${name}`);
        expect(events.slice(0, prctl).filter((event) => ownImports.includes(event)), "the shipper's imports before prctl").to.deep.equal([]);
    });
});
