import { expect } from "chai";
import { buildServiceSpec } from "../components/serviceSpec";

describe("buildServiceSpec", () => {
    it("forwards the Service port to nginx's port 80 and selects the Pod's labels", () => {
        expect(buildServiceSpec({ type: "NodePort", port: 8080, annotations: undefined, loadBalancerSourceRanges: undefined }, { app: "webserver" })).to.deep.equal({
            type: "NodePort",
            selector: { app: "webserver" },
            ports: [{ name: "http", port: 8080, targetPort: 80, protocol: "TCP" }],
        });
    });

    it("admits only loadBalancerSourceRanges' clients when given", () => {
        const spec = buildServiceSpec({ type: "LoadBalancer", port: 80, annotations: undefined, loadBalancerSourceRanges: ["203.0.113.0/24"] }, { app: "webserver" });
        expect(spec.loadBalancerSourceRanges).to.deep.equal(["203.0.113.0/24"]);
    });
});
