import * as k8s from "@pulumi/kubernetes";
import { ResolvedNetworkPeer } from "./allowFrom";
import { ResolvedNetworkPolicy } from "./args";
import { NGINX_PORT } from "./podSpec";

type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;
type NetworkPolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;

/**
 * The NetworkPolicy of the WebServer's Pod: ingress only to nginx's port 80 (from `allowFrom`'s
 * peers, or from anywhere when it is unset), and no egress at all, since neither container opens
 * a connection: nginx serves files and the sidecar writes to its stdout.
 * Naming `Egress` in `policyTypes` with no egress rule is what denies egress; the kubelet's probes
 * come from the node, which NetworkPolicy always allows.
 * Pure: it creates nothing.
 * @param policy the resolved `networkPolicy` and `allowFrom` arguments.
 * @param podLabels the Pod's labels, which the policy selects on.
 */
export function buildNetworkPolicySpec(policy: ResolvedNetworkPolicy, podLabels: Record<string, string>): NetworkPolicySpec {
    return {
        podSelector: { matchLabels: podLabels },
        policyTypes: ["Ingress", "Egress"],
        ingress: [{
            ...(policy.allowFrom !== undefined ? { from: policy.allowFrom.map(toPeer) } : {}),
            ports: [{ protocol: "TCP", port: NGINX_PORT }],
        }],
        egress: [],
    };
}

function toPeer(peer: ResolvedNetworkPeer): NetworkPolicyPeer {
    if (peer.kind === "ipBlock") {
        return { ipBlock: { cidr: peer.cidr, ...(peer.except.length > 0 ? { except: [...peer.except] } : {}) } };
    }
    return {
        ...(peer.namespaceSelector !== undefined ? { namespaceSelector: { matchLabels: { ...peer.namespaceSelector } } } : {}),
        ...(peer.podSelector !== undefined ? { podSelector: { matchLabels: { ...peer.podSelector } } } : {}),
    };
}
