import { expect } from "chai";
import { DEFAULTS, ResolvedWebServerArgs, WebServerArgs, resolveArgs } from "../components/args";
import { WebServerConfigError } from "../components/errors";

/** Runs resolveArgs and returns the error it throws, failing the test if it does not throw. */
function errorOf(args: WebServerArgs): WebServerConfigError {
    try {
        resolveArgs(args);
    } catch (e) {
        expect(e).to.be.instanceOf(WebServerConfigError);
        return e as WebServerConfigError;
    }
    throw new Error(`resolveArgs accepted ${JSON.stringify(args)}`);
}

describe("resolveArgs", () => {
    describe("defaults", () => {
        const resolved = resolveArgs({});
        const table: [keyof ResolvedWebServerArgs, unknown][] = [
            ["podName", "webserver"],
            ["nginxImage", "nginx:1.30.3"],
            ["sidecarImage", DEFAULTS.sidecarImage],
            ["logSizeLimit", "128Mi"],
            ["logSizeLimitBytes", 128 * 2 ** 20],
            ["sidecarMode", "native"],
            ["service", undefined],
            ["terminationGracePeriodSeconds", 30],
        ];
        for (const [field, expected] of table) {
            it(`${field} defaults to ${JSON.stringify(expected)}`, () => {
                expect(resolved[field]).to.deep.equal(expected);
            });
        }
        it("pins the sidecar image by tag and digest, never latest", () => {
            expect(DEFAULTS.sidecarImage).to.match(/^python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}$/);
        });
        it("fills a Service's type and port when only the Service is asked for", () => {
            expect(resolveArgs({ service: {} }).service).to.deep.equal({ type: "ClusterIP", port: 80 });
        });
        it("keeps zero-like values instead of replacing them with defaults", () => {
            // `??`, not `||`: a wrong value must be reported, not silently replaced by a default.
            expect(errorOf({ terminationGracePeriodSeconds: 0 }).message).to.include("terminationGracePeriodSeconds: got 0");
            expect(errorOf({ podName: "" }).message).to.include('podName: got ""');
        });
        it("leaves the name to Pulumi with autoName", () => {
            expect(resolveArgs({ autoName: true }).podName).to.equal(undefined);
        });
    });

    describe("bad arguments", () => {
        const cases: [string, WebServerArgs, string][] = [
            ["a latest nginx image", { nginxImage: "nginx:latest" }, 'nginxImage: got "nginx:latest"; allowed: an image reference pinned'],
            ["an untagged sidecar image", { sidecarImage: "ubuntu" }, 'sidecarImage: got "ubuntu"; allowed: an image reference pinned'],
            ["a size that is not a quantity", { logSizeLimit: "lots" }, 'logSizeLimit: got "lots"; allowed: a Kubernetes quantity of bytes of at least 1Mi'],
            ["a size too small to rotate in", { logSizeLimit: "100Ki" }, 'logSizeLimit: got "100Ki"'],
            ["an unknown sidecar mode", { sidecarMode: "sidecar" as never }, 'sidecarMode: got "sidecar"; allowed: native | classic'],
            ["an unknown Service type", { service: { type: "Ingress" as never } }, 'service.type: got "Ingress"; allowed: ClusterIP | NodePort | LoadBalancer'],
            ["a port out of range", { service: { port: 70000 } }, "service.port: got 70000; allowed: an integer port from 1 to 65535"],
            ["a fractional port", { service: { port: 80.5 } }, "service.port: got 80.5"],
            ["a Pod name that is not a DNS label", { podName: "Web_Server" }, 'podName: got "Web_Server"; allowed: a DNS-1123 label'],
            ["a grace period too short to drain", { terminationGracePeriodSeconds: 1 }, "terminationGracePeriodSeconds: got 1; allowed: a whole number of seconds, at least 5"],
            ["a fixed name together with auto-naming", { podName: "web", autoName: true }, "podName + autoName: got"],
        ];
        for (const [what, args, message] of cases) {
            it(`refuses ${what}`, () => {
                expect(errorOf(args).message).to.include(message);
            });
        }

        it("reports every problem at once", () => {
            const error = errorOf({ nginxImage: "nginx", sidecarImage: "busybox:latest", logSizeLimit: "x", service: { port: 0 } });
            expect(error.problems.map((p) => p.key)).to.deep.equal(["nginxImage", "sidecarImage", "logSizeLimit", "service.port"]);
            expect(error.message).to.match(/^invalid webserver-sidecar configuration \(4 problems\)/);
        });

        it("names stack config keys with their namespace when asked", () => {
            try {
                resolveArgs({ nginxImage: "nginx" }, "webserver-sidecar:");
                expect.fail("accepted an unpinned image");
            } catch (e) {
                expect((e as Error).message).to.include('webserver-sidecar:nginxImage: got "nginx"');
            }
        });
    });
});
