/**
 * The component's Pod outside Pulumi, for tests and benchmarks that start it on a node themselves:
 * its spec, and the ConfigMap it mounts (the shipper's program), which Pulumi would otherwise create.
 */
import * as k8s from "@pulumi/kubernetes";
import * as crypto from "crypto";
import { PlainWebServerArgs, resolveArgs } from "../components/args";
import { buildShipperConfigMapData } from "../components/podFiles";
import { buildPodSpec } from "../components/podSpec";
import { NodePodConfigMap } from "./nodePod";

/**
 * The component's Pod spec for `args`, and the shipper's ConfigMap under a name of its own. No
 * site or server block: those take `args` that these callers do not give.
 */
export function componentPod(args: PlainWebServerArgs = {}): { spec: k8s.types.input.core.v1.PodSpec; configMaps: NodePodConfigMap[] } {
    const shipper = `lab-shipper-${crypto.randomBytes(3).toString("hex")}`;
    const spec = buildPodSpec(resolveArgs(args), { shipper, site: undefined, serverConfig: undefined, nginxConfig: undefined });
    return { spec, configMaps: [{ name: shipper, ...buildShipperConfigMapData() }] };
}
