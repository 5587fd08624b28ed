import { expect } from "chai";
import { StackResource, podsWithoutNetworkPolicy, selects } from "../policy/networkPolicies";
import { undigestedImageViolations } from "../policy/podPolicies";
import { DEFAULTS, resolveArgs } from "../components/args";
import { buildPodSpec } from "../components/podSpec";

function pod(name: string, labels: Record<string, string>, namespace?: string): StackResource {
    return { type: "kubernetes:core/v1:Pod", urn: `urn:${name}`, name, props: { metadata: { name, namespace, labels } } };
}

function networkPolicy(podSelector: object, namespace?: string): StackResource {
    return { type: "kubernetes:networking.k8s.io/v1:NetworkPolicy", urn: "urn:np", name: "np", props: { metadata: { namespace }, spec: { podSelector } } };
}

describe("the policy pack's checks", () => {
    describe("podsWithoutNetworkPolicy", () => {
        it("passes a Pod its NetworkPolicy selects", () => {
            expect(podsWithoutNetworkPolicy([pod("web", { app: "web" }), networkPolicy({ matchLabels: { app: "web" } })])).to.deep.equal([]);
        });
        it("reports a Pod with no NetworkPolicy, by URN and name", () => {
            expect(podsWithoutNetworkPolicy([pod("web", { app: "web" })])).to.deep.equal([{
                urn: "urn:web",
                message: "Pod web is selected by no NetworkPolicy of this stack, so any source may reach it and it may reach anything"
                    + " (the WebServer creates one unless networkPolicy is false)",
            }]);
        });
        it("reports a Pod whose labels the NetworkPolicy does not select, or that lives in another namespace", () => {
            const resources = [pod("other", { app: "other" }), pod("elsewhere", { app: "web" }, "prod"), networkPolicy({ matchLabels: { app: "web" } }, undefined)];
            expect(podsWithoutNetworkPolicy(resources).map((v) => v.urn)).to.deep.equal(["urn:other", "urn:elsewhere"]);
        });
        it("counts an empty podSelector as selecting every Pod of its namespace", () => {
            expect(podsWithoutNetworkPolicy([pod("web", { app: "web" }, "web"), networkPolicy({}, "web")])).to.deep.equal([]);
        });
    });

    describe("selects", () => {
        const labels = { app: "web", tier: "front" };
        const cases: [object, boolean][] = [
            [{}, true],
            [{ matchLabels: { app: "web" } }, true],
            [{ matchLabels: { app: "web", tier: "back" } }, false],
            [{ matchExpressions: [{ key: "tier", operator: "In", values: ["front", "edge"] }] }, true],
            [{ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] }, false],
            [{ matchExpressions: [{ key: "app", operator: "Exists" }] }, true],
            [{ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, false],
            [{ matchExpressions: [{ key: "app", operator: "Matches" }] }, false],
        ];
        for (const [selector, expected] of cases) {
            it(`${expected ? "selects" : "does not select"} with ${JSON.stringify(selector)}`, () => {
                expect(selects(selector, labels)).to.equal(expected);
            });
        }
    });

    describe("undigestedImageViolations", () => {
        it("passes the component's Pod: both default images carry a digest", () => {
            expect(undigestedImageViolations(buildPodSpec(resolveArgs({})) as never)).to.deep.equal([]);
            expect(DEFAULTS.nginxImage).to.include("@sha256:");
        });
        it("reports an image pinned by tag only", () => {
            expect(undigestedImageViolations({ containers: [{ name: "nginx", image: "nginx:1.30.5" }] })).to.deep.equal([
                'nginx: image "nginx:1.30.5" has no digest (@sha256:...)',
            ]);
        });
    });
});
