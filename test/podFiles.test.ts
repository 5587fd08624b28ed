import { expect } from "chai";
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { PlainWebServerArgs, resolveArgs } from "../components/args";
import { FILES_DIGEST_ANNOTATION, buildSiteConfigMapData, configMapDataDigest, configMapNamesFor, podFilesDigest } from "../components/podFiles";
import { NGINX_CONTAINER, SERVER_CONFIG_VOLUME, SITE_VOLUME, buildPodSpec } from "../components/podSpec";
import { LOG_SHIPPER_PATH } from "../components/sidecar/shipperCommand";
import { WebServer } from "../components";
import { clearRegistered, installMocks, promiseOf, registeredOfType, unhandledRejectionsOf } from "./helpers/mocks";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- builders return Input<> trees; tests read them as plain objects
type Plain = any;

installMocks();

const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const POD = "kubernetes:core/v1:Pod";
const SERVER = "server {\n    listen 80;\n    location / { root /usr/share/nginx/html; }\n}\n";
const SITE: PlainWebServerArgs = { content: { "index.html": "<h1>hi</h1>", "css/site.css": "body {}" }, binaryContent: { "img/a.png": "AAE=" } };

describe("the Pod's files from ConfigMaps: the shipper, the site and the server block (issue 18, items 4 and 6)", () => {
    describe("the builders", () => {
        it("name each instance's ConfigMaps after its Pod, only those given", () => {
            expect(configMapNamesFor("api", resolveArgs({}))).to.deep.equal({ shipper: "api-shipper", site: undefined, serverConfig: undefined, nginxConfig: undefined });
            expect(configMapNamesFor("api", resolveArgs({ ...SITE, serverConfig: SERVER, accessLogFormat: "json" })))
                .to.deep.equal({ shipper: "api-shipper", site: "api-content", serverConfig: "api-server-config", nginxConfig: "api-nginx-config" });
        });

        it("name a Deployment's ConfigMaps by their content: new files, new names; the same files, the same names (issue 27, item 3)", () => {
            const names = (args: PlainWebServerArgs) => configMapNamesFor("api", resolveArgs(args), "byContent");
            const first = names({ ...SITE, serverConfig: SERVER });
            expect(first.shipper).to.match(/^api-shipper-[0-9a-f]{10}$/);
            expect(first.site).to.match(/^api-content-[0-9a-f]{10}$/);
            expect(first.serverConfig).to.match(/^api-server-config-[0-9a-f]{10}$/);
            expect(names({ ...SITE, serverConfig: SERVER })).to.deep.equal(first);
            const changed = names({ ...SITE, content: { ...SITE.content as Record<string, string>, "index.html": "<h1>v2</h1>" }, serverConfig: SERVER });
            expect(changed.site).to.not.equal(first.site);
            // Only the ConfigMap whose files changed gets a new name: the others' Pods' volumes stay as they are.
            expect(changed.serverConfig).to.equal(first.serverConfig);
            expect(changed.shipper).to.equal(first.shipper);
            // Text and bytes under the same key are different files.
            expect(configMapDataDigest({ data: { a: "AAE=" } })).to.not.equal(configMapDataDigest({ data: {}, binaryData: { a: "AAE=" } }));
        });

        it("keep text in data and bytes in binaryData, and map each key back to its path in the Pod's volume", () => {
            const resolved = resolveArgs(SITE);
            expect(buildSiteConfigMapData(resolved.site!)).to.deep.equal({
                data: { "css_site.css": "body {}", "index.html": "<h1>hi</h1>" },
                binaryData: { "img_a.png": "AAE=" },
            });
            const spec: Plain = buildPodSpec(resolved);
            expect(spec.volumes.find((v: Plain) => v.name === SITE_VOLUME).configMap).to.deep.equal({
                name: "webserver-content", defaultMode: 0o444,
                items: [{ key: "css_site.css", path: "css/site.css" }, { key: "img_a.png", path: "img/a.png" }, { key: "index.html", path: "index.html" }],
            });
        });

        it("mount the site on nginx's document root and the server block on its conf.d, read-only, in nginx only", () => {
            const spec: Plain = buildPodSpec(resolveArgs({ ...SITE, serverConfig: SERVER }));
            const nginx = spec.containers.find((c: Plain) => c.name === NGINX_CONTAINER);
            expect(nginx.volumeMounts.filter((m: Plain) => m.readOnly)).to.deep.equal([
                { name: SITE_VOLUME, mountPath: "/usr/share/nginx/html", readOnly: true },
                { name: SERVER_CONFIG_VOLUME, mountPath: "/etc/nginx/conf.d", readOnly: true },
            ]);
            expect(spec.volumes.find((v: Plain) => v.name === SERVER_CONFIG_VOLUME).configMap).to.deep.equal({ name: "webserver-server-config", defaultMode: 0o444 });
            const sidecar = spec.initContainers[0];
            expect(sidecar.volumeMounts.map((m: Plain) => m.name)).to.not.include.members([SITE_VOLUME, SERVER_CONFIG_VOLUME]);
        });

        it("leave the image's pages and server alone when neither is given", () => {
            const spec: Plain = buildPodSpec(resolveArgs({}));
            expect(spec.volumes.map((v: Plain) => v.name)).to.not.include.members([SITE_VOLUME, SERVER_CONFIG_VOLUME]);
        });

        it("digest every file with its path: a change to any one changes it, the same files give the same", () => {
            const digest = (args: PlainWebServerArgs) => podFilesDigest(resolveArgs(args));
            const base = digest(SITE);
            expect(digest(SITE)).to.equal(base);
            expect(digest({ ...SITE, content: { ...SITE.content as Record<string, string>, "index.html": "<h1>hi!</h1>" } })).to.not.equal(base);
            expect(digest({ ...SITE, binaryContent: { "img/b.png": "AAE=" } }), "a renamed file").to.not.equal(base);
            expect(digest({ ...SITE, serverConfig: SERVER })).to.not.equal(base);
            expect(digest({})).to.match(/^[0-9a-f]{64}$/).and.not.equal(base);
        });
    });

    describe("the component (mocks)", () => {
        beforeEach(clearRegistered);

        it("creates the shipper's ConfigMap with logShipper.py's bytes, labelled as the instance", async () => {
            const web = new WebServer("files-default");
            await promiseOf(web.pod!.urn);
            expect(await promiseOf(web.shipperConfigMap.metadata.name)).to.equal("files-default-shipper");
            const [shipper] = registeredOfType(CONFIG_MAP);
            expect(shipper.inputs.data).to.deep.equal({ "logShipper.py": fs.readFileSync(LOG_SHIPPER_PATH, "utf8") });
            expect(shipper.inputs.metadata.labels).to.deep.equal({ "app.kubernetes.io/instance": "files-default", "app.kubernetes.io/name": "webserver-sidecar" });
            expect(web.siteConfigMap).to.equal(undefined);
            expect(web.serverConfigMap).to.equal(undefined);
        });

        it("creates the site's and the server block's ConfigMaps when given, and annotates the Pod with their digest", async () => {
            const web = new WebServer("files-site", { ...SITE, serverConfig: pulumi.output(SERVER) });
            await promiseOf(web.pod!.urn);
            const byName = new Map(registeredOfType(CONFIG_MAP).map((r) => [r.name, r.inputs]));
            expect([...byName.keys()].sort()).to.deep.equal(["files-site-content", "files-site-server-config", "files-site-shipper"]);
            expect(byName.get("files-site-server-config")!.data).to.deep.equal({ "default.conf": SERVER });
            expect(byName.get("files-site-content")!.binaryData).to.deep.equal({ "img_a.png": "AAE=" });
            const [pod] = registeredOfType(POD);
            expect(pod.inputs.metadata.annotations[FILES_DIGEST_ANNOTATION]).to.equal(podFilesDigest(resolveArgs({ ...SITE, serverConfig: SERVER })));
        });

        it("replaces the Pod when the digest changes: deleted first under a fixed name, created first when auto-named", async () => {
            const options = new Map<string, pulumi.CustomResourceOptions>();
            const record: pulumi.ResourceTransformation = (child) => {
                options.set(`${child.name}`, child.opts);
                return undefined;
            };
            await promiseOf(new WebServer("fixed", {}, { transformations: [record] }).pod!.urn);
            await promiseOf(new WebServer("auto", { autoName: true }, { transformations: [record] }).pod!.urn);
            expect(options.get("fixed-pod")?.replaceOnChanges).to.deep.equal([`metadata.annotations["${FILES_DIGEST_ANNOTATION}"]`, "spec.tolerations", "spec.hostUsers"]);
            expect(options.get("fixed-pod")?.deleteBeforeReplace).to.equal(true);
            expect(options.get("auto-pod")?.deleteBeforeReplace).to.equal(false);
            const autoShipper = registeredOfType(CONFIG_MAP).find((r) => r.name === "auto-shipper")!;
            expect(autoShipper.inputs.metadata).to.not.have.property("name");
        });

        it("fails an Output serverConfig that writes its log elsewhere, with the same message as a plain one, registering no Pod", async () => {
            const failures = await unhandledRejectionsOf(() => new WebServer("files-bad", { serverConfig: pulumi.output("server { listen 80; access_log /tmp/a.log; }") }));
            expect((failures[0] as Error).message).to.include("serverConfig (access_log, line 1): got \"(a destination other than /var/log/nginx/access.log)\"");
            expect(registeredOfType(POD)).to.have.length(0);
        });
    });
});
