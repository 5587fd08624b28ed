import { expect } from "chai";
import * as fs from "fs";
import { resolveArgs } from "../components/args";
import {
    CONTAINER_SECURITY_CONTEXT, DOCUMENT_ROOT, LOG_DIRECTORY, NGINX_CONTAINER, POD_UID, SHARED_LOGS_VOLUME, SHIPPER_VOLUME, SIDECAR_CONTAINER, SITE_VOLUME, buildPodSpec,
} from "../components/podSpec";
import { NGINX_LAYOUT_CONTAINER, NGINX_LAYOUT_SCRIPT } from "../components/nginxLayout";
import { podFilesDigest } from "../components/podFiles";
import { LOG_SHIPPER_PATH, SHIPPER_DIRECTORY } from "../components/sidecar/shipperCommand";

// Builders take plain values; these tests read them back as plain objects.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- builders return Input<> trees; tests read them as plain objects
type Plain = any;

function podSpecFor(args = {}): Plain {
    return buildPodSpec(resolveArgs(args));
}

function container(spec: Plain, name: string): Plain {
    return [...(spec.initContainers ?? []), ...spec.containers].find((c: Plain) => c.name === name);
}

describe("buildPodSpec", () => {
    describe("faithful to the tutorial", () => {
        const spec = podSpecFor();
        it("runs nginx-container with port 80", () => {
            expect(container(spec, NGINX_CONTAINER).ports).to.deep.equal([{ name: "http", containerPort: 80, protocol: "TCP" }]);
        });
        it("has a sidecar-container", () => {
            expect(container(spec, SIDECAR_CONTAINER)).to.not.equal(undefined);
        });
        it("mounts the shared-logs emptyDir at /var/log/nginx in both containers", () => {
            expect(spec.volumes[0]).to.deep.include({ name: "shared-logs" });
            expect(spec.volumes[0].emptyDir).to.not.equal(undefined);
            for (const name of [NGINX_CONTAINER, SIDECAR_CONTAINER]) {
                expect(container(spec, name).volumeMounts).to.deep.include({ name: SHARED_LOGS_VOLUME, mountPath: LOG_DIRECTORY });
            }
        });
    });

    describe("sidecar modes", () => {
        it("makes the sidecar a native sidecar by default: an init container that restarts always", () => {
            const spec = podSpecFor();
            expect(spec.initContainers.map((c: Plain) => [c.name, c.restartPolicy])).to.deep.equal([[SIDECAR_CONTAINER, "Always"]]);
            expect(spec.containers.map((c: Plain) => c.name)).to.deep.equal([NGINX_CONTAINER]);
        });
        it("makes the sidecar a second regular container in classic mode", () => {
            const spec = podSpecFor({ sidecarMode: "classic" });
            expect(spec.initContainers).to.equal(undefined);
            expect(spec.containers.map((c: Plain) => c.name)).to.deep.equal([NGINX_CONTAINER, SIDECAR_CONTAINER]);
            expect(container(spec, SIDECAR_CONTAINER).restartPolicy).to.equal(undefined);
        });
    });

    describe("hardened", () => {
        const spec = podSpecFor();
        const containers = [NGINX_CONTAINER, SIDECAR_CONTAINER].map((name) => container(spec, name));

        it("pins both images, never latest", () => {
            expect(containers.map((c) => c.image)).to.deep.equal([resolveArgs({}).nginxImage, resolveArgs({}).sidecarImage]);
            for (const c of containers) {
                expect(c.image).to.not.match(/:latest$/);
            }
        });
        it("runs as a non-root uid above 10000, with seccomp RuntimeDefault (restricted profile, Pod level)", () => {
            expect(POD_UID).to.be.greaterThan(10000);
            expect(spec.securityContext).to.deep.include({
                runAsNonRoot: true, runAsUser: POD_UID, runAsGroup: POD_UID, fsGroup: POD_UID,
                seccompProfile: { type: "RuntimeDefault" },
            });
        });
        it("lets nginx bind port 80 through the namespaced unprivileged-port sysctl, not a capability", () => {
            expect(spec.securityContext.sysctls).to.deep.equal([{ name: "net.ipv4.ip_unprivileged_port_start", value: "80" }]);
        });
        for (const name of [NGINX_CONTAINER, SIDECAR_CONTAINER]) {
            it(`${name}: no privilege escalation, all capabilities dropped, read-only root filesystem`, () => {
                expect(container(spec, name).securityContext).to.deep.equal({
                    allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] },
                });
            });
            it(`${name}: requests cpu and memory and limits memory`, () => {
                const { resources } = container(spec, name);
                expect(resources.requests).to.have.all.keys("cpu", "memory");
                expect(resources.limits).to.have.all.keys("memory");
            });
        }
        it("gives nginx writable emptyDirs only where it writes: temp files and pid file", () => {
            expect(container(spec, NGINX_CONTAINER).volumeMounts.map((m: Plain) => m.mountPath))
                .to.deep.equal([LOG_DIRECTORY, "/var/cache/nginx", "/var/run"]);
            for (const volume of spec.volumes.filter((v: Plain) => v.name !== SHIPPER_VOLUME)) {
                expect(Object.keys(volume)).to.deep.equal(["name", "emptyDir"]);
            }
        });
        it("gives the sidecar the logs to read and rotate, and its program read-only from its ConfigMap", () => {
            expect(container(spec, SIDECAR_CONTAINER).volumeMounts).to.deep.equal([
                { name: SHARED_LOGS_VOLUME, mountPath: LOG_DIRECTORY },
                { name: SHIPPER_VOLUME, mountPath: SHIPPER_DIRECTORY, readOnly: true },
            ]);
            expect(spec.volumes.find((v: Plain) => v.name === SHIPPER_VOLUME))
                .to.deep.equal({ name: SHIPPER_VOLUME, configMap: { name: "webserver-shipper", defaultMode: 0o444 } });
        });
        it("probes nginx: ready when it serves a page on port 80, alive while it accepts connections", () => {
            const nginx = container(spec, NGINX_CONTAINER);
            expect(nginx.readinessProbe.httpGet).to.deep.equal({ path: "/", port: 80 });
            // A second for nginx to bind before the first probe: no "connection refused" event at every start.
            expect(nginx.readinessProbe.initialDelaySeconds).to.equal(1);
            expect(nginx.livenessProbe.tcpSocket).to.deep.equal({ port: 80 });
            expect(nginx.livenessProbe.httpGet).to.equal(undefined);
        });
        it("asks the readiness probe's readinessPath instead of /, the liveness probe unchanged", () => {
            const nginx = container(podSpecFor({ readinessPath: "/healthz", serverConfig: "server { listen 80; }" }), NGINX_CONTAINER);
            expect(nginx.readinessProbe.httpGet).to.deep.equal({ path: "/healthz", port: 80 });
            expect(nginx.livenessProbe.tcpSocket).to.deep.equal({ port: 80 });
        });
        it("mounts no service account token", () => {
            expect(spec.automountServiceAccountToken).to.equal(false);
        });
        it("shares the process namespace, so the sidecar can signal nginx to reopen rotated logs", () => {
            expect(spec.shareProcessNamespace).to.equal(true);
        });
        it("bounds shared-logs with logSizeLimit", () => {
            expect(podSpecFor({ logSizeLimit: "32Mi" }).volumes[0].emptyDir).to.deep.equal({ sizeLimit: "32Mi" });
            expect(spec.volumes[0].emptyDir).to.deep.equal({ sizeLimit: "128Mi" });
        });
        it("sets the grace period", () => {
            expect(spec.terminationGracePeriodSeconds).to.equal(30);
            expect(podSpecFor({ terminationGracePeriodSeconds: 45 }).terminationGracePeriodSeconds).to.equal(45);
        });
    });

    describe("the sidecar's command", () => {
        const sidecar = container(podSpecFor({ logSizeLimit: "64Mi" }), SIDECAR_CONTAINER);
        it("runs the log shipper from its ConfigMap's file: the Pod's spec holds its path, not its source", () => {
            expect(sidecar.command).to.deep.equal(["python3", "-u", `${SHIPPER_DIRECTORY}/logShipper.py`]);
            const strings = (value: unknown): string[] => typeof value === "string" ? [value]
                : typeof value === "object" && value !== null ? Object.values(value).flatMap(strings) : [];
            const firstDefinition = /^def .*$/m.exec(fs.readFileSync(LOG_SHIPPER_PATH, "utf8"))![0];
            expect(strings(podSpecFor({})).filter((text) => text.includes(firstDefinition))).to.deep.equal([]);
        });
        it("follows both log files in the shared directory, rotates at an eighth of the limit, waits for nginx within the grace period", () => {
            expect(sidecar.args).to.deep.equal(["--dir", "/var/log/nginx", "--rotate-bytes", String(8 * 2 ** 20), "--drain-timeout", "28", "--chunk-bytes", String(256 * 1024), "access.log", "error.log"]);
        });
        it("keeps its wait for nginx inside a short grace period, leaving time for the last read", () => {
            const short = container(podSpecFor({ terminationGracePeriodSeconds: 5 }), SIDECAR_CONTAINER);
            expect(short.args[short.args.indexOf("--drain-timeout") + 1]).to.equal("3");
        });
        it("is not the tutorial's cat-and-sleep loop", () => {
            expect(sidecar.command.join(" ")).to.not.include("sleep 30");
        });
    });

    describe("the site from the team's object (contentFrom)", () => {
        it("mounts the team's ConfigMap whole, read-only, on the document root, with no ConfigMap of its own", () => {
            const spec = podSpecFor({ contentFrom: { configMap: "team-site" } });
            expect(spec.volumes.find((v: Plain) => v.name === SITE_VOLUME)).to.deep.equal({ name: SITE_VOLUME, configMap: { name: "team-site", defaultMode: 0o444 } });
            expect(container(spec, NGINX_CONTAINER).volumeMounts).to.deep.include({ name: SITE_VOLUME, mountPath: DOCUMENT_ROOT, readOnly: true });
            expect(spec.volumes.filter((v: Plain) => v.configMap?.name === "webserver-content")).to.deep.equal([]);
        });
        it("mounts the team's claim read-only, in the volume and in the mount, so no Pod can write the team's files", () => {
            const spec = podSpecFor({ contentFrom: { persistentVolumeClaim: "team-site" } });
            expect(spec.volumes.find((v: Plain) => v.name === SITE_VOLUME)).to.deep.equal({ name: SITE_VOLUME, persistentVolumeClaim: { claimName: "team-site", readOnly: true } });
            expect(container(spec, NGINX_CONTAINER).volumeMounts).to.deep.include({ name: SITE_VOLUME, mountPath: DOCUMENT_ROOT, readOnly: true });
            expect(container(spec, SIDECAR_CONTAINER).volumeMounts.map((m: Plain) => m.name)).to.not.include(SITE_VOLUME);
        });
        it("changes the Pod's digest when the source changes, and leaves an existing stack's digest alone", () => {
            const digest = (args: object) => podFilesDigest(resolveArgs(args));
            expect(digest({ contentFrom: { configMap: "a" } })).to.not.equal(digest({ contentFrom: { configMap: "b" } }));
            expect(digest({ contentFrom: { configMap: "a" } })).to.not.equal(digest({ contentFrom: { persistentVolumeClaim: "a" } }));
            expect(digest({})).to.equal(podFilesDigest({ site: undefined, serverConfig: undefined }));
        });
    });

    describe("who assigns the uid (uidAssignment)", () => {
        it("pins uid, gid and fsGroup 10101 by default", () => {
            expect(podSpecFor().securityContext).to.deep.include({ runAsNonRoot: true, runAsUser: POD_UID, runAsGroup: POD_UID, fsGroup: POD_UID });
        });
        it("with platform, sets no uid, gid or fsGroup anywhere, for the platform's admission to assign, and still requires non-root", () => {
            const spec = podSpecFor({ uidAssignment: "platform" });
            expect(spec.securityContext).to.deep.equal({
                runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" },
                sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "80" }],
            });
            for (const c of [...spec.initContainers, ...spec.containers]) {
                expect(c.securityContext, c.name).to.deep.equal(CONTAINER_SECURITY_CONTEXT);
            }
        });
        it("keeps the shared process namespace, which rotation needs with either", () => {
            expect(podSpecFor({ uidAssignment: "platform" }).shareProcessNamespace).to.equal(true);
        });
    });

    describe("the check of a team's nginx image (nginxLayout.ts)", () => {
        const image = "registry.example/web/nginx:1.30.5";
        it("adds no check for the pinned default image, so an existing stack's Pod is unchanged", () => {
            expect(podSpecFor().initContainers.map((c: Plain) => c.name)).to.deep.equal([SIDECAR_CONTAINER]);
            expect(podSpecFor({ sidecarMode: "classic" }).initContainers).to.equal(undefined);
        });
        it("checks a given image after the native sidecar (still the first init container) and before nginx", () => {
            const spec = podSpecFor({ nginxImage: image });
            expect(spec.initContainers.map((c: Plain) => c.name)).to.deep.equal([SIDECAR_CONTAINER, NGINX_LAYOUT_CONTAINER]);
            expect(podSpecFor({ nginxImage: image, sidecarMode: "classic" }).initContainers.map((c: Plain) => c.name)).to.deep.equal([NGINX_LAYOUT_CONTAINER]);
        });
        it("runs the check in that image, least-privileged, its log becoming the reason the Pod shows", () => {
            const check = container(podSpecFor({ nginxImage: image }), NGINX_LAYOUT_CONTAINER);
            expect(check).to.deep.include({ image, command: ["sh", "-c", NGINX_LAYOUT_SCRIPT], terminationMessagePolicy: "FallbackToLogsOnError" });
            expect(check.securityContext).to.deep.equal(CONTAINER_SECURITY_CONTEXT);
            expect(check.resources.limits.memory).to.equal("32Mi");
            expect(check.volumeMounts).to.equal(undefined);
            expect(check.restartPolicy).to.equal(undefined);
        });
        it("gives the check nginx's configuration mounts, read-only, so that it reads what nginx will", () => {
            const spec = podSpecFor({ nginxImage: image, serverConfig: "server {\n    listen 80;\n}\n", accessLogFormat: "json" });
            const mounts = container(spec, NGINX_LAYOUT_CONTAINER).volumeMounts;
            expect(mounts.map((m: Plain) => m.mountPath)).to.deep.equal(["/etc/nginx/conf.d", "/etc/nginx/nginx.conf"]);
            expect(mounts.every((m: Plain) => m.readOnly === true)).to.equal(true);
            expect(container(spec, NGINX_CONTAINER).volumeMounts).to.deep.include.members(mounts);
        });
    });

    it("builds the same spec twice (no diff on an unchanged preview)", () => {
        expect(JSON.stringify(podSpecFor())).to.equal(JSON.stringify(podSpecFor()));
    });
});
