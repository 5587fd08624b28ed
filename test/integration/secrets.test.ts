/**
 * A key set with `--secret` stays secret (issue 27, item 7), through the real CLI: after `up`,
 * `pulumi stack export` (secrets encrypted, as a user runs it), every file of the backend, the
 * stack's outputs and `pulumi preview --diff` of a change show none of the values; and a bad
 * secret value's problem names the key, not the value. On main, `stack export` showed a secret
 * annotation three times.
 */
import { expect } from "chai";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl } from "../../lab/pulumiHarness";
import { runCli } from "../../lab/pulumiCli";

/** The secret values, each a string no other part of the stack could hold. */
const SECRETS = {
    annotation: "s3cret-annotation-7f1c",
    label: "s3cret-label-7f1c",
    page: "s3cret-page-7f1c",
    block: "s3cret-block-7f1c",
    bytes: "czNjcmV0LWJ5dGVz", // base64 of "s3cret-bytes"
};

describe("a stack key set with --secret stays secret in the state, the outputs, the diff and the messages (issue 27, item 7)", function () {
    this.timeout(600_000);
    let namespace: string;
    let stack: TestStack;

    /** Every place a value must not appear in plain text; the value found, if any. */
    async function leaks(...values: string[]): Promise<string[]> {
        const places = [stack.exportState(), stack.backendFiles(), JSON.stringify(await stack.stack.outputs())];
        return values.filter((value) => places.some((place) => place.includes(value)));
    }

    before(async () => {
        namespace = createNamespace("secrets");
        stack = await TestStack.create({ kubeconfig: clusterKubeconfig(), namespace });
        await stack.setConfig({ kubeconfig: clusterKubeconfig(), namespace }, {
            podLabels: JSON.stringify({ team: SECRETS.label }),
            content: JSON.stringify({ "index.html": `<h1>${SECRETS.page}</h1>` }),
            binaryContent: JSON.stringify({ "favicon.ico": SECRETS.bytes }),
            serverConfig: `server {\n    listen 80;\n    location / {\n        root /usr/share/nginx/html;\n        add_header X-Block ${SECRETS.block};\n    }\n}\n`,
        });
        // The form the issue used: one secret entry of an object, set by its path.
        const set = await runCli(stack, ["config", "set", "--secret", "--path", 'webserver-sidecar:podAnnotations["team.example/token"]', SECRETS.annotation]);
        expect(set.code, set.output).to.equal(0);
    });
    after(async () => {
        await stack?.dispose();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    it("deploys them, and the cluster holds them as Kubernetes stores them", async () => {
        await stack.up();
        const pod = JSON.parse(kubectl(["get", "pod", "webserver", "-n", namespace, "-o", "json"]));
        expect(pod.metadata.annotations["team.example/token"]).to.equal(SECRETS.annotation);
        expect(pod.metadata.labels.team).to.equal(SECRETS.label);
    });

    it("shows none of them in pulumi stack export, the backend's files or the outputs", async () => {
        expect(await leaks(...Object.values(SECRETS))).to.deep.equal([]);
    });

    it("shows none of them, old or new, in pulumi preview --diff of a change", async () => {
        const set = await runCli(stack, ["config", "set", "--secret", "--path", 'webserver-sidecar:podAnnotations["team.example/token"]', `${SECRETS.annotation}-2`]);
        expect(set.code, set.output).to.equal(0);
        const preview = await runCli(stack, ["preview", "--diff"]);
        expect(preview.code, preview.output).to.equal(0);
        expect(preview.output).to.include("webserver-pod");
        for (const value of [...Object.values(SECRETS), `${SECRETS.annotation}-2`]) {
            expect(preview.output, value).to.not.include(value);
        }
    });

    it("names a bad secret value's key, not its value, and changes nothing", async () => {
        const set = await runCli(stack, ["config", "set", "--secret", "--path", 'webserver-sidecar:podAnnotations["pulumi.com/waitFor"]', "s3cret-bad-7f1c"]);
        expect(set.code, set.output).to.equal(0);
        const preview = await runCli(stack, ["preview"]);
        expect(preview.code).to.not.equal(0);
        expect(preview.output).to.include('webserver-sidecar:podAnnotations: got "[secret]"');
        expect(preview.output).to.not.include("s3cret-bad-7f1c");
        expect(preview.output).to.not.include(SECRETS.annotation);
    });
});
