/**
 * The sidecars compared on the same Pod: ours (the component's spec, unchanged), the tutorial's
 * `cat; sleep 30` loop, and the streaming sidecar of the Kubernetes logging documentation
 * (`tail -n+1 -F`, busybox). Only the sidecar container's image and command differ; nginx, the
 * volumes and the security settings stay the component's.
 */
import * as k8s from "@pulumi/kubernetes";
import { SIDECAR_CONTAINER } from "../components/podSpec";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;

/** A sidecar to compare. */
export type SidecarVariant = "ours" | "tutorial" | "k8s-docs-tail" | "idle";

/** The replacements of each variant; `ours` has none. */
const REPLACEMENTS: Record<Exclude<SidecarVariant, "ours">, Pick<Container, "image" | "command" | "args">> = {
    // Verbatim from the tutorial's Pod YAML.
    tutorial: {
        image: "ubuntu:latest",
        command: ["sh", "-c", "while true; do cat /var/log/nginx/access.log /var/log/nginx/error.log; sleep 30; done"],
        args: [],
    },
    // The Kubernetes docs' streaming sidecar (busybox, `tail -n+1 -F`), one tail for both files;
    // -q drops the `==> file <==` headers that would otherwise be shipped as log lines.
    "k8s-docs-tail": {
        image: "busybox:1.37.0",
        command: ["tail", "-n+1", "-q", "-F", "/var/log/nginx/access.log", "/var/log/nginx/error.log"],
        args: [],
    },
    // A sidecar that ships nothing: the baseline for nginx's request rate.
    idle: { image: "busybox:1.37.0", command: ["sleep", "3600"], args: [] },
};

/** The variants in benchmark order. */
export const SIDECAR_VARIANTS: readonly SidecarVariant[] = ["idle", "tutorial", "k8s-docs-tail", "ours"];

/**
 * The Pod spec with its sidecar replaced by `variant`'s (the spec itself when `ours`).
 * `LOCAL_POD_SIDECAR=tutorial` in the environment swaps it in the tests too: they must then fail.
 */
export function withSidecar(spec: PodSpec, variant: SidecarVariant = sidecarFromEnvironment()): PodSpec {
    if (variant === "ours") {
        return spec;
    }
    const replace = (containers: Container[] | undefined) => containers?.map((c) =>
        c.name === SIDECAR_CONTAINER ? { ...c, ...REPLACEMENTS[variant] } : c);
    return { ...spec, initContainers: replace(spec.initContainers as Container[] | undefined), containers: replace(spec.containers as Container[])! };
}

/** The variant the tests run, `ours` unless LOCAL_POD_SIDECAR names another. */
export function sidecarFromEnvironment(): SidecarVariant {
    const variant = process.env.LOCAL_POD_SIDECAR ?? "ours";
    if (!["ours", ...Object.keys(REPLACEMENTS)].includes(variant)) {
        throw new Error(`LOCAL_POD_SIDECAR=${variant}: expected ours, ${Object.keys(REPLACEMENTS).join(", ")}`);
    }
    return variant as SidecarVariant;
}
