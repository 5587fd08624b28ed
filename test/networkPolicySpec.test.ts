import { expect } from "chai";
import { resolveArgs } from "../components/args";
import { buildNetworkPolicySpec } from "../components/networkPolicySpec";

/** The spec for the given allowFrom, resolved the way the component does it. */
function specFor(allowFrom?: Parameters<typeof resolveArgs>[0]["allowFrom"]) {
    return buildNetworkPolicySpec(resolveArgs({ allowFrom }).networkPolicy!, { app: "webserver" });
}

describe("buildNetworkPolicySpec", () => {
    it("selects the Pod by its labels", () => {
        expect(specFor().podSelector).to.deep.equal({ matchLabels: { app: "webserver" } });
    });

    it("allows ingress only to nginx's port 80, from any source by default", () => {
        expect(specFor().ingress).to.deep.equal([{ ports: [{ protocol: "TCP", port: 80 }] }]);
    });

    it("allows no egress: Egress is a policy type with no rule", () => {
        const spec = specFor();
        expect(spec.policyTypes).to.deep.equal(["Ingress", "Egress"]);
        expect(spec.egress).to.deep.equal([]);
    });

    it("restricts ingress to allowFrom's peers, in order, still to port 80 only", () => {
        const spec = specFor([
            { namespaceSelector: { "kubernetes.io/metadata.name": "ingress" }, podSelector: { app: "proxy" } },
            { podSelector: { role: "monitoring" } },
            { namespaceSelector: {} },
            { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] },
            { cidr: "fd00::/8" },
        ]);
        expect(spec.ingress).to.deep.equal([{
            from: [
                { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress" } }, podSelector: { matchLabels: { app: "proxy" } } },
                { podSelector: { matchLabels: { role: "monitoring" } } },
                { namespaceSelector: { matchLabels: {} } },
                { ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } },
                { ipBlock: { cidr: "fd00::/8" } },
            ],
            ports: [{ protocol: "TCP", port: 80 }],
        }]);
    });
});
