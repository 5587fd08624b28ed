/**
 * The team's own site, for real (issue 18): `content`, `binaryContent` and `serverConfig` set as
 * stack keys of the project's program, served by nginx from their ConfigMaps; a changed file served
 * after the next `up`, which replaces the Pod (its preview says so and succeeds); and the shipper run
 * from its ConfigMap, so the Pod as stored holds no Python. Against the cluster KUBECONFIG names.
 */
import { expect } from "chai";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl } from "../../lab/pulumiHarness";
import { livePods } from "../../lab/livePods";
import { readContainerOutput } from "../../lab/logFollower";
import { waitFor } from "../../lab/polling";
import { getThroughPortForward } from "../../lab/portForward";
import { LOG_SHIPPER_PATH } from "../../components/sidecar/shipperCommand";
import * as fs from "fs";

/** A 1×1 PNG: bytes that are not UTF-8, as a site's images are. */
const PIXEL_PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==", "base64");

/** A server block as a team writes one: its own header and a health endpoint, logs left to the component. */
const SERVER_CONFIG = `
server {
    listen 80;
    server_name _;
    root /usr/share/nginx/html;
    add_header X-Served-By team-site always;
    location / {
        index index.html;
    }
    location = /healthz {
        access_log off;
        return 200 "ok\\n";
    }
}
`;

function siteConfig(namespace: string, indexHtml: string): Record<string, string> {
    return {
        kubeconfig: clusterKubeconfig(),
        namespace,
        content: JSON.stringify({ "index.html": indexHtml, "css/site.css": "body { color: #333; }\n" }),
        binaryContent: JSON.stringify({ "img/pixel.png": PIXEL_PNG.toString("base64") }),
        serverConfig: SERVER_CONFIG,
    };
}

describe("the team's own site and server block, and the shipper from its ConfigMap", function () {
    this.timeout(600_000);
    let namespace: string;
    let stack: TestStack;

    before(async () => {
        namespace = createNamespace("site");
        stack = await TestStack.create(siteConfig(namespace, "<h1>first</h1>\n"));
        await stack.up();
    });
    after(async () => {
        await stack?.dispose();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    it("serves the content, text and binary, through the team's server block", async () => {
        const [index, css, pixel, health] = await getThroughPortForward("webserver", namespace, ["/", "/css/site.css", "/img/pixel.png", "/healthz"]);
        expect(index.status).to.equal(200);
        expect(index.body.toString()).to.equal("<h1>first</h1>\n");
        expect(index.headers["x-served-by"]).to.equal("team-site");
        expect(css.body.toString()).to.equal("body { color: #333; }\n");
        expect(pixel.headers["content-type"]).to.equal("image/png");
        expect(pixel.body.equals(PIXEL_PNG), "the PNG's bytes, unchanged").to.equal(true);
        expect(health.body.toString()).to.equal("ok\n");
    });

    it("ships the server block's request lines (its access log is the component's)", async () => {
        await getThroughPortForward("webserver", namespace, ["/?shipped-from=team-site"]);
        await waitFor("the request's line in the sidecar's output", () =>
            (readContainerOutput({ namespace, pod: "webserver", container: "sidecar-container" }).shipped.includes("GET /?shipped-from=team-site") ? true : undefined), 30_000, 500);
    });

    it("runs the shipper from its ConfigMap: the Pod as stored holds its path, not its Python", () => {
        const podYaml = kubectl(["get", "pod", "webserver", "-n", namespace, "-o", "yaml"]);
        expect(podYaml).to.include("/opt/webserver-sidecar/logShipper.py");
        const firstDefinition = /^def .*$/m.exec(fs.readFileSync(LOG_SHIPPER_PATH, "utf8"))![0];
        expect(podYaml).to.not.include(firstDefinition);
        expect(kubectl(["get", "configmap", "webserver-shipper", "-n", namespace, "-o", "jsonpath={.data.logShipper\\.py}"]))
            .to.equal(fs.readFileSync(LOG_SHIPPER_PATH, "utf8"));
    });

    it("previews nothing to change when nothing changed", async () => {
        const preview = await stack.preview();
        expect(preview.changeSummary).to.not.have.any.keys("create", "update", "replace", "delete");
    });

    it("previews a changed file as a replacement of the Pod, and serves the new file after up", async () => {
        const firstUid = livePods(namespace)[0].uid;
        await stack.setConfig(siteConfig(namespace, "<h1>second</h1>\n"));
        const preview = await stack.preview();
        expect(preview.changeSummary.replace, JSON.stringify(preview.changeSummary)).to.be.at.least(1);
        expect(stack.steps()).to.deep.include(["replace", "kubernetes:core/v1:Pod"]);

        await stack.up();
        const pods = livePods(namespace);
        expect(pods, "one Pod, the new one").to.have.length(1);
        expect(pods[0].uid).to.not.equal(firstUid);
        const [index] = await getThroughPortForward("webserver", namespace, ["/"]);
        expect(index.body.toString()).to.equal("<h1>second</h1>\n");
    });
});
