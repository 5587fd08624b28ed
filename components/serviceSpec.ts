import * as k8s from "@pulumi/kubernetes";
import { ResolvedService } from "./args";
import { NGINX_PORT } from "./podSpec";

/**
 * The Service in front of the Pod: `port` forwards to nginx's named port, selecting the Pod's labels.
 * Pure: it creates nothing.
 */
export function buildServiceSpec(service: ResolvedService, selector: Record<string, string>): k8s.types.input.core.v1.ServiceSpec {
    return {
        type: service.type,
        selector,
        ports: [{ name: "http", port: service.port, targetPort: NGINX_PORT, protocol: "TCP" }],
        ...(service.loadBalancerSourceRanges !== undefined ? { loadBalancerSourceRanges: [...service.loadBalancerSourceRanges] } : {}),
    };
}
