import { expect } from "chai";
import { buildServiceSpec } from "../components/serviceSpec";

describe("buildServiceSpec", () => {
    it("forwards the Service port to nginx's port 80 and selects the Pod's labels", () => {
        expect(buildServiceSpec({ type: "NodePort", port: 8080 }, { app: "webserver" })).to.deep.equal({
            type: "NodePort",
            selector: { app: "webserver" },
            ports: [{ name: "http", port: 8080, targetPort: 80, protocol: "TCP" }],
        });
    });
});
