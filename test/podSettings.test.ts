import { expect } from "chai";
import { PlainWebServerArgs, resolveArgs } from "../components/args";
import { NGINX_CONTAINER, SIDECAR_CONTAINER, buildPodSpec } from "../components/podSpec";
import { parseQuantity } from "../components/validators";

// Builders take plain values; these tests read them back as plain objects.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- builders return Input<> trees; tests read them as plain objects
type Plain = any;

function podSpecFor(args: PlainWebServerArgs = {}): Plain {
    return buildPodSpec(resolveArgs(args));
}

function container(spec: Plain, name: string): Plain {
    return [...(spec.initContainers ?? []), ...spec.containers].find((c: Plain) => c.name === name);
}

describe("buildPodSpec: the Pod's settings (issue 18, item 5)", () => {
    it("leaves every optional setting out of the spec when not given, so an existing stack's Pod does not change", () => {
        const spec = podSpecFor();
        for (const field of ["nodeSelector", "tolerations", "affinity", "imagePullSecrets", "hostUsers"]) {
            expect(spec, field).to.not.have.property(field);
        }
    });

    it("gives each container its own resources, merged over the defaults", () => {
        const spec = podSpecFor({ resources: { nginx: { limits: { memory: "256Mi" } }, sidecar: { requests: { cpu: "20m" } } } });
        expect(container(spec, NGINX_CONTAINER).resources).to.deep.equal({ requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "256Mi" } });
        expect(container(spec, SIDECAR_CONTAINER).resources).to.deep.equal({ requests: { cpu: "20m", memory: "32Mi" }, limits: { memory: "64Mi" } });
    });

    it("puts nodeSelector, tolerations, affinity, imagePullSecrets and hostUsers: false in the Pod's spec", () => {
        const affinity = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } };
        const spec = podSpecFor({
            nodeSelector: { "kubernetes.io/arch": "arm64" }, tolerations: [{ key: "dedicated", value: "web", effect: "NoSchedule" }],
            affinity, imagePullSecrets: ["registry-credentials"], hostUsers: false,
        });
        expect(spec.nodeSelector).to.deep.equal({ "kubernetes.io/arch": "arm64" });
        expect(spec.tolerations).to.deep.equal([{ key: "dedicated", value: "web", effect: "NoSchedule" }]);
        expect(spec.affinity).to.deep.equal(affinity);
        expect(spec.imagePullSecrets).to.deep.equal([{ name: "registry-credentials" }]);
        expect(spec.hostUsers).to.equal(false);
    });
});

describe("parseQuantity", () => {
    const cases: [string, number | undefined][] = [
        ["100m", 0.1], ["0.5", 0.5], ["2", 2], ["64Mi", 64 * 2 ** 20], ["1G", 1e9], ["1e3", 1000], [".5", 0.5], ["+1", 1],
        ["-1", undefined], ["1.5.2", undefined], ["10 Mi", undefined], ["lots", undefined], ["1mi", undefined], ["", undefined],
    ];
    for (const [value, expected] of cases) {
        it(`reads ${JSON.stringify(value)} as ${expected}`, () => expect(parseQuantity(value)).to.equal(expected));
    }
});
