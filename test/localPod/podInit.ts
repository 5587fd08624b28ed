/**
 * The local Pod's first process (PID 1 of a private mount, PID and network namespace), doing what
 * the kubelet and the container runtime do for a Pod: mount its emptyDirs, set its sysctls, start
 * its containers as their users, restart a sidecar that died, and stop them in the kubelet's order.
 *
 * Run by localPod.ts as: unshare ... node podInit.js PLAN_FILE POD_DIR, with these descriptors:
 *   0: commands from the runner, one JSON object a line ({"cmd":"stop"}, {"cmd":"kill-sidecar",...})
 *   1: the sidecar's stdout (handed to the sidecar process itself, so nothing is copied here)
 *   2: stderr of this process and of the containers
 *   3: events for the runner, one JSON object a line
 *   4: nginx's stdout and stderr (what `kubectl logs -c nginx-container` shows)
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import * as readline from "readline";
import type { ContainerPlan, PodPlan } from "./podPlan";

const EVENTS_FD = 3;
const MAIN_OUTPUT_FD = 4;

/** A command from the runner. */
export type PodCommand =
    | { cmd: "stop" }
    /** Kill the sidecar with a signal; the "kubelet" restarts it after restartAfterMs. */
    | { cmd: "kill-sidecar"; signal: NodeJS.Signals; restartAfterMs: number };

/** An event for the runner. */
export type PodEvent =
    | { event: "started"; name: string; pid: number }
    | { event: "ready" }
    | { event: "exited"; name: string; code: number | null; signal: string | null; atMs: number }
    | { event: "stopped"; order: string[] };

function emit(event: PodEvent): void {
    fs.writeSync(EVENTS_FD, `${JSON.stringify(event)}\n`);
}

function mustRun(command: string, args: string[]): void {
    const result = spawnSync(command, args, { stdio: ["ignore", "ignore", "inherit"] });
    if (result.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} failed with ${result.status ?? result.signal}`);
    }
}

/** Mounts the emptyDirs and makes everything else read-only, as the runtime does for the Pod. */
function prepareFilesystem(plan: PodPlan, podDir: string, writableExtra: string[]): void {
    mustRun("mount", ["--make-rprivate", "/"]);
    for (const mount of plan.mounts) {
        fs.mkdirSync(mount.mountPath, { recursive: true });
        mustRun("mount", ["--bind", path.join(podDir, "volumes", mount.volume), mount.mountPath]);
    }
    for (const directory of writableExtra) {
        // A bind mount onto itself is a mount of its own, so it stays writable below.
        mustRun("mount", ["--bind", directory, directory]);
    }
    if (plan.readOnlyRootFilesystem) {
        mustRun("mount", ["-o", "remount,bind,ro", "/"]);
    }
}

/** Brings up loopback and sets the Pod's (network-namespaced) sysctls. */
function prepareNetwork(plan: PodPlan): void {
    mustRun("ip", ["link", "set", "lo", "up"]);
    for (const [name, value] of Object.entries(plan.sysctls)) {
        fs.writeFileSync(path.join("/proc/sys", ...name.split(".")), value);
    }
}

class PodInit {
    private readonly running = new Map<string, ChildProcess>();
    private stopping = false;
    private readonly exitOrder: string[] = [];

    constructor(private readonly plan: PodPlan) {}

    async start(): Promise<void> {
        const sidecars = this.plan.containers.filter((c) => c.role === "sidecar");
        const mains = this.plan.containers.filter((c) => c.role === "main");
        // A native sidecar starts before the main containers; classic ones start with them.
        for (const container of this.plan.sidecarMode === "native" ? sidecars : []) {
            this.startContainer(container);
        }
        await sleep(this.plan.mainStartDelayMs);
        for (const container of this.plan.sidecarMode === "native" ? mains : this.plan.containers) {
            this.startContainer(container);
        }
        await this.announceReady();
    }

    private startContainer(container: ContainerPlan): void {
        const dropPrivileges = container.uid === 0 ? [] : ["--inh-caps=-all", "--bounding-set=-all"];
        // The container's first act is to enter its cgroup, so that everything it forks is in it.
        const enterCgroup = container.cgroupProcsFile === undefined ? [] : ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', container.cgroupProcsFile];
        const [program, ...programArgs] = [...enterCgroup, "/usr/bin/setpriv", [
            `--reuid=${container.uid}`, `--regid=${container.gid}`,
            ...(container.groups.length > 0 ? [`--groups=${container.groups.join(",")}`] : ["--clear-groups"]),
            ...(container.noNewPrivileges ? ["--no-new-privs"] : []),
            ...dropPrivileges,
            "--", ...container.argv,
        ]].flat();
        // Absolute paths: PATH is the container's, which need not contain sh or setpriv.
        const child = spawn(program, programArgs, {
            cwd: "/",
            env: container.env,
            stdio: container.role === "sidecar" ? ["ignore", 1, 2] : ["ignore", MAIN_OUTPUT_FD, MAIN_OUTPUT_FD],
        });
        this.running.set(container.name, child);
        emit({ event: "started", name: container.name, pid: child.pid ?? -1 });
        child.on("exit", (code, signal) => {
            this.running.delete(container.name);
            this.exitOrder.push(container.name);
            emit({ event: "exited", name: container.name, code, signal, atMs: Date.now() });
        });
    }

    private async announceReady(): Promise<void> {
        while (!this.stopping) {
            const open = await new Promise<boolean>((resolve) => {
                const socket = net.connect(this.plan.readinessPort, "127.0.0.1", () => { socket.destroy(); resolve(true); });
                socket.on("error", () => resolve(false));
            });
            if (open) {
                emit({ event: "ready" });
                return;
            }
            await sleep(20);
        }
    }

    /** As the kubelet restarts a container with restartPolicy Always. */
    async killSidecar(signal: NodeJS.Signals, restartAfterMs: number): Promise<void> {
        const sidecar = this.plan.containers.find((c) => c.role === "sidecar")!;
        const child = this.running.get(sidecar.name);
        if (child === undefined) {
            return;
        }
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill(signal);
        await exited;
        await sleep(restartAfterMs);
        if (!this.stopping) {
            this.startContainer(sidecar);
        }
    }

    /**
     * Stops the Pod as the kubelet does, within the grace period: with native sidecars, the main
     * containers get their stop signal first and the sidecars theirs only after the main ones have
     * exited; classic containers all get theirs at once. What is left at the deadline is killed.
     */
    async stop(): Promise<void> {
        this.stopping = true;
        const deadline = Date.now() + this.plan.gracePeriodSeconds * 1000;
        const stopGroup = async (containers: ContainerPlan[]) => {
            const children = containers.map((c) => this.running.get(c.name)).filter((c): c is ChildProcess => c !== undefined);
            const exits = children.map((child) => new Promise((resolve) => child.once("exit", resolve)));
            containers.forEach((c) => this.running.get(c.name)?.kill(c.stopSignal));
            await Promise.race([Promise.all(exits), sleep(Math.max(0, deadline - Date.now()))]);
        };
        if (this.plan.sidecarMode === "native") {
            await stopGroup(this.plan.containers.filter((c) => c.role === "main"));
            await stopGroup(this.plan.containers.filter((c) => c.role === "sidecar"));
        } else {
            await stopGroup(this.plan.containers);
        }
        for (const child of this.running.values()) {
            child.kill("SIGKILL");
        }
        await sleep(50);
        emit({ event: "stopped", order: this.exitOrder });
    }
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

function main(): void {
    const [planFile, podDir, ...writableExtra] = process.argv.slice(2);
    const plan = JSON.parse(fs.readFileSync(planFile, "utf8")) as PodPlan;
    prepareFilesystem(plan, podDir, writableExtra);
    prepareNetwork(plan);
    const pod = new PodInit(plan);
    void pod.start();

    let stopped = false;
    const stop = () => {
        if (!stopped) {
            stopped = true;
            void pod.stop().then(() => process.exit(0));
        }
    };
    process.on("SIGTERM", stop);
    readline.createInterface({ input: process.stdin }).on("line", (line) => {
        const command = JSON.parse(line) as PodCommand;
        if (command.cmd === "stop") {
            stop();
        } else if (command.cmd === "kill-sidecar") {
            void pod.killSidecar(command.signal, command.restartAfterMs);
        }
    }).on("close", stop);
}

main();
