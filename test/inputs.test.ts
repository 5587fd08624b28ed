import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { WebServerConfigError } from "../components/errors";
import { holdsUnknown, resolveWhenKnown, splitKnown } from "../components/inputs";

/** How an Output settles: its value, or the error it failed with. */
function settle<T>(output: pulumi.Output<T>): Promise<{ value?: T; error?: unknown }> {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Output's promise() is internal and untyped in the public d.ts
    return ((output as any).promise() as Promise<T>).then((value) => ({ value }), (error: unknown) => ({ error }));
}

describe("holdsUnknown and splitKnown", () => {
    const cases: [string, unknown, boolean][] = [
        ["a string", "nginx:1.30.5", false],
        ["an Output", pulumi.output("nginx:1.30.5"), true],
        ["a Promise", Promise.resolve(80), true],
        ["an object holding an Output", { type: "ClusterIP", port: pulumi.output(80) }, true],
        ["a list holding an object holding an Output", [{ cidr: pulumi.output("10.0.0.0/8") }], true],
        ["a plain nested object", { podSelector: { app: "lb" } }, false],
    ];
    for (const [what, value, expected] of cases) {
        it(`says ${what} ${expected ? "holds" : "does not hold"} an unknown`, () => expect(holdsUnknown(value)).to.equal(expected));
    }

    it("leaves out whole every field holding an Output, keeping the plain ones", () => {
        const { known, deferred } = splitKnown({ nginxImage: pulumi.output("x"), logSizeLimit: "64Mi", service: { type: "NodePort", port: pulumi.output(80) } });
        expect(known).to.deep.equal({ logSizeLimit: "64Mi" });
        expect(deferred).to.deep.equal(["nginxImage", "service"]);
    });
});

describe("resolveWhenKnown", () => {
    it("resolves Outputs to the values the builders take", async () => {
        const { value } = await settle(resolveWhenKnown("api", { nginxImage: pulumi.output("nginx:1.30.2"), service: { port: pulumi.output(8080) } }));
        expect(value?.nginxImage).to.equal("nginx:1.30.2");
        expect(value?.service).to.deep.include({ type: "ClusterIP", port: 8080 });
    });

    it("fails with the plain value's message once a bad Output value is known", async () => {
        const { error } = await settle(resolveWhenKnown("api", { service: { port: pulumi.output(70000) } }));
        expect(error).to.be.instanceOf(WebServerConfigError);
        expect((error as Error).message).to.include("service.port: got 70000; allowed: an integer port from 1 to 65535");
    });
});
