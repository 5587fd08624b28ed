/**
 * The sidecars compared on the same Pod: ours (the component's spec, unchanged), the tutorial's
 * `cat; sleep 30` loop, and the streaming sidecar of the Kubernetes logging documentation
 * (`tail -n+1 -F`, busybox). Only the sidecar container's image and command differ; nginx, the
 * volumes and the security settings stay the component's. Two more are references, not
 * shippers: an idle sidecar (nginx's rate without any), and ours with its stdout sent to
 * /dev/null, which splits ours' cost to nginx into its own (following, reading, rotating) and that
 * of the node's log path (the shim and containerd carrying each line into the CRI log file).
 */
import * as k8s from "@pulumi/kubernetes";
import { SIDECAR_CONTAINER } from "../components/podSpec";
import { localImages } from "./localNode";

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;

/** A sidecar to compare. */
export type SidecarVariant = "ours" | "tutorial" | "k8s-docs-tail" | "idle" | "ours-to-devnull";

/**
 * The replacements of each variant; `ours` has none. The images are the local node's busybox
 * stand-in (scripts/images/busybox-bookworm): the tutorial's `ubuntu:latest` and the docs'
 * busybox image are not to be had here, and only their shell, cat, tail and sleep are used.
 */
function replacements(): Record<Exclude<SidecarVariant, "ours" | "ours-to-devnull">, Pick<Container, "image" | "command" | "args">> {
    const busybox = localImages().busybox;
    return {
        // The tutorial's command, verbatim.
        tutorial: {
            image: busybox,
            command: ["sh", "-c", "while true; do cat /var/log/nginx/access.log /var/log/nginx/error.log; sleep 30; done"],
            args: [],
        },
        // The Kubernetes docs' streaming sidecar (busybox, `tail -n+1 -F`), one tail for both files;
        // -q drops the `==> file <==` headers that would otherwise be shipped as log lines.
        "k8s-docs-tail": {
            image: busybox,
            command: ["tail", "-n+1", "-q", "-F", "/var/log/nginx/access.log", "/var/log/nginx/error.log"],
            args: [],
        },
        // A sidecar that ships nothing: the baseline for nginx's request rate.
        idle: { image: busybox, command: ["sleep", "3600"], args: [] },
    };
}

/** The variants in benchmark order. */
export const SIDECAR_VARIANTS: readonly SidecarVariant[] = ["idle", "tutorial", "k8s-docs-tail", "ours", "ours-to-devnull"];

/** The variants whose stdout carries nginx's lines to the container log: the others' have nothing to count. */
export function shipsToContainerLog(variant: SidecarVariant): boolean {
    return variant !== "idle" && variant !== "ours-to-devnull";
}

/** The variants that run our shipper, which rotates nginx's logs: the others let them grow. */
export function rotatesLogs(variant: SidecarVariant): boolean {
    return variant === "ours" || variant === "ours-to-devnull";
}

/** Our sidecar's container, unchanged but for its stdout, which a shell sends to /dev/null before it starts the shipper. */
function withStdoutDiscarded(sidecar: Container): Container {
    const argv = [...(sidecar.command as string[]), ...((sidecar.args as string[] | undefined) ?? [])];
    return { ...sidecar, command: ["sh", "-c", 'exec "$@" >/dev/null', "sh", ...argv], args: [] };
}

/**
 * The Pod spec with its sidecar replaced by `variant`'s (the spec itself when `ours`).
 * `SHIPPING_SIDECAR=tutorial` in the environment swaps it in the tests too: they must then fail.
 */
export function withSidecar(spec: PodSpec, variant: SidecarVariant = sidecarFromEnvironment()): PodSpec {
    if (variant === "ours") {
        return spec;
    }
    const replaced = (c: Container) => (variant === "ours-to-devnull" ? withStdoutDiscarded(c) : { ...c, ...replacements()[variant] });
    const replace = (containers: Container[] | undefined) => containers?.map((c) => (c.name === SIDECAR_CONTAINER ? replaced(c) : c));
    return { ...spec, initContainers: replace(spec.initContainers as Container[] | undefined), containers: replace(spec.containers as Container[])! };
}

/** The variant the tests run, `ours` unless SHIPPING_SIDECAR names another. */
export function sidecarFromEnvironment(): SidecarVariant {
    const variant = process.env.SHIPPING_SIDECAR ?? "ours";
    if (!SIDECAR_VARIANTS.includes(variant as SidecarVariant)) {
        throw new Error(`SHIPPING_SIDECAR=${variant}: expected one of ${SIDECAR_VARIANTS.join(", ")}`);
    }
    return variant as SidecarVariant;
}
