/**
 * Turns a Pod spec (the one the component builds) into the processes, mounts and settings that run
 * it on this machine: what the kubelet and the container runtime would do, minus images.
 */
import * as k8s from "@pulumi/kubernetes";
import { localImageFor } from "./localImages";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;

/** One container, as a process to start. */
export interface ContainerPlan {
    readonly name: string;
    /** `sidecar`: started first and stopped last (native), or alongside (classic). */
    readonly role: "main" | "sidecar";
    readonly argv: string[];
    readonly env: Record<string, string>;
    readonly uid: number;
    readonly gid: number;
    readonly groups: number[];
    readonly noNewPrivileges: boolean;
    readonly stopSignal: NodeJS.Signals;
    /** The CPU request ("100m"), from which the kubelet derives the container's CPU weight. */
    readonly cpuRequest: string | undefined;
    /** The container's cgroup.procs, when the runner placed it in a cgroup of its own. */
    cgroupProcsFile?: string;
}

/** An emptyDir and where it is mounted (both containers share one mount namespace here). */
export interface MountPlan {
    readonly volume: string;
    readonly mountPath: string;
}

/** Everything the Pod's init process needs, serialisable to JSON. */
export interface PodPlan {
    readonly podName: string;
    /** `native`: the sidecar is an init container with restartPolicy Always. */
    readonly sidecarMode: "native" | "classic";
    readonly containers: ContainerPlan[];
    readonly volumes: string[];
    readonly mounts: MountPlan[];
    readonly sysctls: Record<string, string>;
    readonly gracePeriodSeconds: number;
    readonly readOnlyRootFilesystem: boolean;
    /** The port nginx serves, probed to tell when the Pod is ready. */
    readonly readinessPort: number;
    /** Runner-only: hold the main containers back this long after the sidecar (files appear late). */
    readonly mainStartDelayMs: number;
}

/** The spec's plain values (builders return plain objects; Inputs would be a bug here). */
function plain<T>(value: unknown): T {
    return value as T;
}

/**
 * Plans a Pod. Only what this project's Pods use is supported; anything else is refused rather
 * than silently ignored, so the local run never differs from the spec without saying so.
 * @param nginxConfigFile the nginx.conf the nginx image's default command is given.
 * @throws when the spec uses something the runner cannot reproduce.
 */
export function planPod(podName: string, spec: PodSpec, nginxConfigFile: string, mainStartDelayMs = 0): PodPlan {
    const initContainers = plain<Container[]>(spec.initContainers ?? []);
    const containers = plain<Container[]>(spec.containers);
    const nativeSidecars = initContainers.filter((c) => plain<string>(c.restartPolicy) === "Always");
    if (nativeSidecars.length !== initContainers.length) {
        throw new Error("the local Pod runner supports only init containers that are native sidecars");
    }
    const sidecarMode = nativeSidecars.length > 0 ? "native" : "classic";
    const podSecurity = plain<k8s.types.input.core.v1.PodSecurityContext>(spec.securityContext ?? {});

    const planContainer = (container: Container, role: "main" | "sidecar"): ContainerPlan => {
        const image = localImageFor(plain<string>(container.image));
        const command = plain<string[] | undefined>(container.command);
        const args = plain<string[]>(container.args ?? []);
        const argv = command !== undefined ? [...command, ...args] : image.defaultCommand?.(nginxConfigFile);
        if (argv === undefined) {
            throw new Error(`container ${plain<string>(container.name)}: no command and no known default for ${plain<string>(container.image)}`);
        }
        const security = plain<k8s.types.input.core.v1.SecurityContext>(container.securityContext ?? {});
        const uid = plain<number | undefined>(security.runAsUser ?? podSecurity.runAsUser) ?? 0;
        const gid = plain<number | undefined>(security.runAsGroup ?? podSecurity.runAsGroup) ?? 0;
        const fsGroup = plain<number | undefined>(podSecurity.fsGroup);
        return {
            name: plain<string>(container.name),
            role,
            argv,
            env: { PATH: image.path, HOSTNAME: podName },
            uid,
            gid,
            groups: fsGroup === undefined ? [] : [fsGroup],
            noNewPrivileges: plain<boolean | undefined>(security.allowPrivilegeEscalation) === false,
            stopSignal: image.stopSignal,
            cpuRequest: plain<{ requests?: { cpu?: string } }>(container.resources ?? {}).requests?.cpu,
        };
    };

    // In classic mode, the sidecar is the container that is not nginx: the one with a command.
    const planned = sidecarMode === "native"
        ? [...nativeSidecars.map((c) => planContainer(c, "sidecar")), ...containers.map((c) => planContainer(c, "main"))]
        : containers.map((c) => planContainer(c, plain<string[] | undefined>(c.command) === undefined ? "main" : "sidecar"));

    const volumes = plain<k8s.types.input.core.v1.Volume[]>(spec.volumes ?? []);
    for (const volume of volumes) {
        if (volume.emptyDir === undefined) {
            throw new Error(`volume ${plain<string>(volume.name)}: the local Pod runner supports emptyDir volumes only`);
        }
    }
    const mounts = new Map<string, MountPlan>();
    for (const container of [...initContainers, ...containers]) {
        for (const mount of plain<k8s.types.input.core.v1.VolumeMount[]>(container.volumeMounts ?? [])) {
            mounts.set(plain<string>(mount.mountPath), { volume: plain<string>(mount.name), mountPath: plain<string>(mount.mountPath) });
        }
    }
    const allContainers = [...initContainers, ...containers];
    return {
        podName,
        sidecarMode,
        containers: planned,
        volumes: volumes.map((v) => plain<string>(v.name)),
        mounts: [...mounts.values()],
        sysctls: Object.fromEntries(plain<{ name: string; value: string }[]>(podSecurity.sysctls ?? []).map((s) => [s.name, s.value])),
        gracePeriodSeconds: plain<number | undefined>(spec.terminationGracePeriodSeconds) ?? 30,
        readOnlyRootFilesystem: allContainers.every((c) => plain<boolean | undefined>(plain<k8s.types.input.core.v1.SecurityContext>(c.securityContext ?? {}).readOnlyRootFilesystem) === true),
        mainStartDelayMs,
        readinessPort: plain<number>(plain<{ containerPort: number }[]>(containers[0].ports ?? [{ containerPort: 80 }])[0].containerPort),
    };
}
