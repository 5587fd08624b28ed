/**
 * accessLogFormat (issue 31, item 7): the nginx.conf the component mounts, and what Debian's nginx
 * (1.22, on loopback) writes with its log directives and the real shipper ships: one JSON object per
 * line, every request once, each with the fields a log pipeline reads; `combined` as the image writes it.
 */
import { expect } from "chai";
import * as fs from "fs";
import { execFileSync } from "child_process";
import * as path from "path";
import { waitFor } from "../lab/polling";
import { JSON_LOG_FIELDS, accessLogDirectives, buildNginxConf } from "../components/accessLog";
import { resolveArgs } from "../components/args";
import { buildNginxConfigMapData, configMapNamesFor, podFilesDigest } from "../components/podFiles";
import { NGINX_CONTAINER, NGINX_SCRATCH_VOLUMES, buildPodSpec } from "../components/podSpec";
import { LocalNginx, NGINX_BINARY, useNginxSandbox } from "./helpers/localNginx";

/** NCSA combined, then the quoted X-Forwarded-For: the image's `main` format. */
const MAIN_LINE = /^127\.0\.0\.1 - - \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "GET \/\?n=0 HTTP\/1\.1" 200 \d+ "-" "probe" "-"$/;

describe("accessLogFormat: the access log's format", () => {
    describe("the component's nginx.conf and Pod", () => {
        it("is not mounted unless accessLogFormat is given: the image's own nginx.conf, the Pod and its digest as before", () => {
            const resolved = resolveArgs({});
            expect(resolved.accessLogFormat).to.equal(undefined);
            const spec = buildPodSpec(resolved);
            expect(JSON.stringify(spec)).to.not.include("nginx.conf");
            expect(configMapNamesFor("web", resolved).nginxConfig).to.equal(undefined);
            expect(podFilesDigest(resolved)).to.equal(podFilesDigest({ site: undefined, serverConfig: undefined }));
        });

        it("with json, mounts one nginx.conf over the image's, read-only, from its own ConfigMap", () => {
            const resolved = resolveArgs({ accessLogFormat: "json" });
            const spec = buildPodSpec(resolved);
            const containers = spec.containers as { name: string; volumeMounts: unknown[] }[];
            const nginx = containers.find((c) => c.name === NGINX_CONTAINER)!;
            expect(nginx.volumeMounts).to.deep.include({ name: "nginx-config", mountPath: "/etc/nginx/nginx.conf", subPath: "nginx.conf", readOnly: true });
            expect(spec.volumes).to.deep.include({ name: "nginx-config", configMap: { name: "webserver-nginx-config", defaultMode: 0o444 } });
            expect(buildNginxConfigMapData("json").data["nginx.conf"]).to.include("access_log /var/log/nginx/access.log json;");
        });

        it("replaces the Pod when the format changes (its files' digest)", () => {
            const digest = (format?: "json" | "combined") => podFilesDigest(resolveArgs({ accessLogFormat: format }));
            expect(new Set([digest(), digest("combined"), digest("json")]).size).to.equal(3);
        });

        it("writes the access log once: one access_log, in the http block, for every server", () => {
            for (const format of ["combined", "json"] as const) {
                const conf = buildNginxConf(format);
                expect(conf.match(/access_log /g), format).to.have.length(1);
                expect(conf).to.include(`access_log /var/log/nginx/access.log ${format === "json" ? "json" : "main"};`);
                expect(conf).to.include("include /etc/nginx/conf.d/*.conf;");
                expect(conf).to.include("error_log /var/log/nginx/error.log notice;");
            }
        });

        it("keeps nginx's temp files in the Pod's writable /var/cache/nginx, whatever paths the image's nginx was built with", () => {
            // Debian's nginx (the local cluster's image) was built with /var/lib/nginx, read-only in
            // the Pod: without these it could not start (the change matrix's accessLogFormat row).
            const conf = buildNginxConf("json");
            const cache = NGINX_SCRATCH_VOLUMES.find((volume) => volume.mountPath === "/var/cache/nginx");
            expect(cache, "an emptyDir at /var/cache/nginx").to.not.equal(undefined);
            for (const kind of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) {
                expect(conf).to.match(new RegExp(`\\n    ${kind}_temp_path /var/cache/nginx/[a-z]+_temp;`));
            }
        });

        it("refuses another format, naming the key and the formats", () => {
            expect(() => resolveArgs({ accessLogFormat: "logfmt" as never })).to.throw('accessLogFormat: got "logfmt"; allowed: combined | json, or unset');
        });
    });

    describe("on Debian's nginx, with the real shipper", function () {
        this.timeout(60_000);
        const fx = useNginxSandbox();

        it("nginx -t accepts the component's whole nginx.conf, as the Pod mounts it", () => {
            // Its paths are the image's: check it with a prefix whose conf.d and mime.types exist.
            const etc = path.join(fx.sandbox.root, "etc");
            fs.mkdirSync(path.join(etc, "conf.d"), { recursive: true });
            fs.copyFileSync("/etc/nginx/mime.types", path.join(etc, "mime.types"));
            // The temp paths, the Pod's emptyDir at /var/cache/nginx, here in the sandbox (nginx -t creates them).
            const cache = path.join(fx.sandbox.root, "cache");
            fs.mkdirSync(cache);
            const conf = buildNginxConf("json").replace(/\/etc\/nginx\//g, `${etc}/`).replace(/\/var\/log\/nginx/g, fx.sandbox.logDirectory)
                .replace(/\/var\/cache\/nginx/g, cache).replace("/var/run/nginx.pid", path.join(fx.sandbox.root, "nginx.pid"));
            fs.writeFileSync(path.join(etc, "nginx.conf"), conf);
            const output = execFileSync(NGINX_BINARY, ["-t", "-c", path.join(etc, "nginx.conf"), "-e", path.join(fx.sandbox.logDirectory, "error.log")],
                { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
            expect(output).to.equal("");
        });

        it("json: ships one JSON object per request, each once, with the fields, quotes and backslashes escaped", async () => {
            const shipper = fx.sandbox.startShipper();
            fx.nginx = await LocalNginx.start(fx.sandbox.root, fx.sandbox.logDirectory, accessLogDirectives("json", fx.sandbox.logDirectory));
            const requests = 50;
            const agent = "probe \"quoted\" \\ back";
            for (let i = 0; i < requests; i++) {
                expect(await fx.nginx.get(`/?n=${i}`, { "User-Agent": agent, Referer: "https://example.test/a" })).to.equal(200);
            }
            expect(await fx.nginx.get("/missing")).to.equal(404);
            const shipped = await waitFor(`${requests + 1} access lines shipped`, () => {
                const lines = shipper.output().split("\n").filter((line) => line.startsWith("{"));
                return lines.length >= requests + 1 ? lines : undefined;
            }, 15_000, 20);
            const entries = shipped.map((line) => JSON.parse(line) as Record<string, unknown>);
            expect(entries).to.have.length(requests + 1);
            for (const entry of entries) {
                expect(Object.keys(entry)).to.deep.equal(JSON_LOG_FIELDS.map((field) => field.name));
                expect(entry.time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
                expect(String(entry.msec)).to.match(/^\d{10}\.\d{1,3}$/);
                expect(entry.request_id).to.match(/^[0-9a-f]{32}$/);
                expect(entry.duration).to.be.a("number");
                expect(entry.bytes).to.be.a("number");
                expect(entry.upstream_time).to.equal("");
            }
            expect(entries.slice(0, requests).map((entry) => entry.request)).to.deep.equal(Array.from({ length: requests }, (_, i) => `GET /?n=${i} HTTP/1.1`));
            expect(entries[0]).to.include({ status: 200, user_agent: agent, referer: "https://example.test/a", remote_addr: "127.0.0.1" });
            expect(entries[requests]).to.include({ status: 404, request: "GET /missing HTTP/1.1", user_agent: "" });
            expect(new Set(entries.map((entry) => entry.request_id)).size, "a request id each").to.equal(requests + 1);
            expect(shipper.stderr()).to.not.match(/Traceback/);
        });

        it("combined: ships the image's main format, as before", async () => {
            const shipper = fx.sandbox.startShipper();
            fx.nginx = await LocalNginx.start(fx.sandbox.root, fx.sandbox.logDirectory, accessLogDirectives("combined", fx.sandbox.logDirectory));
            expect(await fx.nginx.get("/?n=0", { "User-Agent": "probe" })).to.equal(200);
            const line = await waitFor("the access line shipped", () => shipper.output().split("\n").find((l) => l.includes("GET /?n=0")), 10_000, 20);
            expect(line).to.match(MAIN_LINE);
        });
    });
});
