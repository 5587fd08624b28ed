/**
 * The checks behind each policy: pure functions from a Pod's spec to the violations found, one
 * message each, so that they can be read (and tested) apart from the Pulumi policy machinery.
 */
import { isPinnedImage, parseImageReference } from "../components/validators";

/** The parts of a container these checks read. */
interface Container {
    name?: string;
    image?: string;
    ports?: unknown[];
    restartPolicy?: string;
    readinessProbe?: unknown;
    livenessProbe?: unknown;
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    securityContext?: {
        runAsNonRoot?: boolean;
        runAsUser?: number;
        privileged?: boolean;
        allowPrivilegeEscalation?: boolean;
        capabilities?: { drop?: string[]; add?: string[] };
        seccompProfile?: { type?: string };
    };
}

/** The parts of a Pod spec these checks read. */
export interface PodSpec {
    containers?: Container[];
    initContainers?: Container[];
    volumes?: { name?: string; emptyDir?: { sizeLimit?: string }; hostPath?: unknown }[];
    automountServiceAccountToken?: boolean;
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type?: string } };
}

function allContainers(spec: PodSpec): Container[] {
    return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

/** The Pod Security Standards' `restricted` profile, the controls this project's Pod is held to. */
export function restrictedProfileViolations(spec: PodSpec): string[] {
    const found: string[] = [];
    for (const field of ["hostNetwork", "hostPID", "hostIPC"] as const) {
        if (spec[field] === true) found.push(`${field} is true`);
    }
    for (const volume of spec.volumes ?? []) {
        if (volume.hostPath !== undefined) found.push(`volume ${volume.name} is a hostPath`);
    }
    const podSeccomp = spec.securityContext?.seccompProfile?.type;
    for (const c of allContainers(spec)) {
        const sc = c.securityContext ?? {};
        if (sc.privileged === true) found.push(`${c.name}: privileged`);
        if (sc.allowPrivilegeEscalation !== false) found.push(`${c.name}: allowPrivilegeEscalation is not false`);
        if (!(sc.capabilities?.drop ?? []).includes("ALL")) found.push(`${c.name}: capabilities do not drop ALL`);
        for (const added of sc.capabilities?.add ?? []) {
            if (added !== "NET_BIND_SERVICE") found.push(`${c.name}: adds capability ${added}`);
        }
        if ((sc.runAsNonRoot ?? spec.securityContext?.runAsNonRoot) !== true) found.push(`${c.name}: runAsNonRoot is not true`);
        if ((sc.runAsUser ?? spec.securityContext?.runAsUser) === 0) found.push(`${c.name}: runAsUser is 0`);
        const seccomp = sc.seccompProfile?.type ?? podSeccomp;
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") found.push(`${c.name}: seccompProfile is not RuntimeDefault or Localhost`);
    }
    return found;
}

/** Every image pinned to a tag other than `latest`, or to a digest. */
export function unpinnedImageViolations(spec: PodSpec): string[] {
    return allContainers(spec).filter((c) => !isPinnedImage(c.image ?? "")).map((c) => `${c.name}: image ${JSON.stringify(c.image)} is not pinned`);
}

/**
 * Every image pinned by digest. A tag, even an exact one, can be re-pointed: the official
 * `nginx:1.30.5` was rebuilt under the same tag at least three times in its first weeks.
 */
export function undigestedImageViolations(spec: PodSpec): string[] {
    return allContainers(spec)
        .filter((c) => parseImageReference(c.image ?? "")?.digest === undefined)
        .map((c) => `${c.name}: image ${JSON.stringify(c.image)} has no digest (@sha256:...)`);
}

/** CPU and memory requests, and a memory limit, on every container. */
export function resourceViolations(spec: PodSpec): string[] {
    const found: string[] = [];
    for (const c of allContainers(spec)) {
        for (const resource of ["cpu", "memory"]) {
            if (c.resources?.requests?.[resource] === undefined) found.push(`${c.name}: no ${resource} request`);
        }
        if (c.resources?.limits?.memory === undefined) found.push(`${c.name}: no memory limit`);
    }
    return found;
}

/** Readiness and liveness probes on every container that serves a port. */
export function probeViolations(spec: PodSpec): string[] {
    const found: string[] = [];
    for (const c of allContainers(spec).filter((container) => (container.ports ?? []).length > 0)) {
        if (c.readinessProbe === undefined) found.push(`${c.name}: no readinessProbe`);
        if (c.livenessProbe === undefined) found.push(`${c.name}: no livenessProbe`);
    }
    return found;
}

/** The shared-logs emptyDir has a sizeLimit (the kubelet evicts the Pod past it; the shipper rotates below it). */
export function sharedLogsViolations(spec: PodSpec): string[] {
    const volume = (spec.volumes ?? []).find((v) => v.name === "shared-logs");
    if (volume === undefined) return [];
    return volume.emptyDir?.sizeLimit === undefined ? ["volume shared-logs has no emptyDir sizeLimit"] : [];
}

/** No service account token in the Pod: neither container talks to the API. */
export function serviceAccountTokenViolations(spec: PodSpec): string[] {
    return spec.automountServiceAccountToken === false ? [] : ["automountServiceAccountToken is not false"];
}
