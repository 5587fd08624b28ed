/**
 * The checks behind each policy: pure functions from a Pod's spec to the violations found, one
 * message each, so that they can be read (and tested) apart from the Pulumi policy machinery.
 */
import { isPinnedImage, parseImageReference } from "./imageReference";
import { RestrictedContainer, RestrictedPodSpec } from "./podSecurity";

/** The parts of a container these checks read. */
interface Container extends RestrictedContainer {
    image?: string;
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

/** The parts of a Pod spec these checks (and the restricted profile's, podSecurity.ts) read. */
export interface PodSpec extends RestrictedPodSpec {
    containers?: Container[];
    initContainers?: Container[];
    ephemeralContainers?: Container[];
    volumes?: { name?: string; emptyDir?: { sizeLimit?: string }; [type: string]: unknown }[];
    automountServiceAccountToken?: boolean;
}

function allContainers(spec: PodSpec): Container[] {
    return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
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

/** The parts of a projected volume this check reads. */
interface ProjectedVolume {
    sources?: { serviceAccountToken?: unknown }[];
}

/**
 * No service account token in the Pod: neither container talks to the API. Not mounted
 * automatically (`automountServiceAccountToken: false`), and not asked for by hand either: a
 * projected volume's `serviceAccountToken` source mounts one whatever automount says.
 */
export function serviceAccountTokenViolations(spec: PodSpec): string[] {
    const found = spec.automountServiceAccountToken === false ? [] : ["automountServiceAccountToken is not false"];
    for (const volume of spec.volumes ?? []) {
        const projected = volume.projected as ProjectedVolume | undefined;
        if ((projected?.sources ?? []).some((source) => source?.serviceAccountToken !== undefined && source?.serviceAccountToken !== null)) {
            found.push(`volume ${volume.name} projects a serviceAccountToken`);
        }
    }
    return found;
}
