/**
 * The policy pack (policy/) for real: `pulumi preview --policy-pack policy` passes on the dev stack
 * and on a stack with `networkPolicy: false`, names every violation of a program that registers
 * the tutorial's Pod verbatim, and, in one more preview, judges a passing and a failing resource
 * for each rule: the Pod rules on every kind that carries a Pod template (a Job, a CronJob, a
 * ReplicationController, a DeploymentPatch), and a helm.v3.Release, whose chart the pack cannot see.
 */
import { expect } from "chai";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import * as k8s from "@pulumi/kubernetes";
import { LocalWorkspace, PulumiFn } from "@pulumi/pulumi/automation";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, policyPack, renderProvider } from "../../lab/pulumiHarness";
import { WebServer, buildNetworkPolicySpec, buildPodSpec, resolveArgs } from "../../components";

const REPO = path.join(__dirname, "..", "..");

/** One violation as `pulumi preview` prints it: `- [level]  policy  (type: resource)` and its lines. */
interface Violation {
    readonly level: string;
    readonly policy: string;
    readonly resource: string;
    readonly text: string;
}

/** The violations in a preview's output, each with the lines that follow its heading. */
function parseViolations(colored: string): Violation[] {
    // eslint-disable-next-line no-control-regex -- the CLI's colour codes, when it uses them
    const output = colored.replace(/\x1b\[[0-9;]*m/g, "");
    const heading = /\[(mandatory|advisory)\]\s+(\S+)\s+\((\S+): ([^)]+)\)/g;
    const matches = [...output.matchAll(heading)];
    return matches.map((match, i) => ({
        level: match[1],
        policy: match[2],
        resource: match[4].trim(),
        text: output.slice(match.index, matches[i + 1]?.index ?? output.length),
    }));
}

/**
 * Previews an inline program with the pack, its resources rendered to files (the policies judge the
 * inputs: no cluster is needed). Returns the CLI's output, and whether the preview failed.
 */
async function previewRendered(project: string, pack: string, program: (render: (namespace?: string) => k8s.Provider) => void): Promise<{ output: string; failed: boolean }> {
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "policy-state-"));
    const rendered = fs.mkdtempSync(path.join(os.tmpdir(), "policy-render-"));
    const run: PulumiFn = async () => {
        let providers = 0;
        program((namespace) => renderProvider(`render-${providers++}`, path.join(rendered, String(providers)), namespace));
    };
    const stack = await LocalWorkspace.createStack({ projectName: project, stackName: `${project}-${crypto.randomBytes(3).toString("hex")}`, program: run }, {
        envVars: { PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: "policy" },
        projectSettings: { name: project, runtime: "nodejs", backend: { url: `file://${state}` } },
    });
    try {
        const result = await stack.preview({ policyPacks: [pack] });
        return { output: result.stdout + result.stderr, failed: false };
    } catch (e) {
        return { output: String(e), failed: true };
    } finally {
        await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
        fs.rmSync(state, { recursive: true, force: true });
        fs.rmSync(rendered, { recursive: true, force: true });
    }
}

/**
 * A chart of one privileged Pod, in a directory of its own: what a helm.v3.Release would install
 * out of the pack's sight.
 */
function localChart(): string {
    const chart = fs.mkdtempSync(path.join(os.tmpdir(), "policy-chart-"));
    fs.mkdirSync(path.join(chart, "templates"));
    fs.writeFileSync(path.join(chart, "Chart.yaml"), "apiVersion: v2\nname: privileged\nversion: 0.1.0\n");
    fs.writeFileSync(path.join(chart, "templates", "pod.yaml"), [
        "apiVersion: v1", "kind: Pod", "metadata: { name: privileged }",
        "spec: { containers: [{ name: c, image: busybox, securityContext: { privileged: true } }] }", "",
    ].join("\n"));
    return chart;
}

type PodSpec = k8s.types.input.core.v1.PodSpec;
type Container = k8s.types.input.core.v1.Container;

/** The component's Pod spec (plain values), changed by `change`. */
function componentPodSpec(change: (spec: PodSpec & { containers: Container[] }) => void = () => undefined): PodSpec & { containers: Container[] } {
    const spec = JSON.parse(JSON.stringify(buildPodSpec(resolveArgs({})))) as PodSpec & { containers: Container[] };
    change(spec);
    return spec;
}

describe("the policy pack, enforced by pulumi preview --policy-pack policy", function () {
    this.timeout(300_000);
    let pack: string;

    before(() => {
        pack = policyPack();
    });

    it("declares runtime nodejs, so that a stock Pulumi CLI runs it as committed", () => {
        const manifest = yaml.load(fs.readFileSync(path.join(REPO, "policy", "PulumiPolicy.yaml"), "utf8")) as { runtime: string };
        expect(manifest.runtime).to.equal("nodejs");
    });

    it("passes the dev stack", async () => {
        const namespace = createNamespace("policy");
        const stack = await TestStack.create({ kubeconfig: clusterKubeconfig(), namespace });
        try {
            const result = await stack.stack.preview({ policyPacks: [pack] });
            expect(result.stdout).to.include("webserver-sidecar-hardening");
            expect(result.stdout).to.not.match(/mandatory|advisory/);
        } finally {
            await stack.dispose();
            deleteNamespace(namespace);
        }
    });

    it("passes a stack with networkPolicy: false, with only the advisory note that the namespace's policies isolate its Pod", async () => {
        const namespace = createNamespace("policy-np-off");
        const stack = await TestStack.create({ kubeconfig: clusterKubeconfig(), namespace, networkPolicy: "false" });
        try {
            const result = await stack.stack.preview({ policyPacks: [pack] });
            const violations = parseViolations(result.stdout);
            expect(violations.map((v) => `${v.level} ${v.policy}`)).to.deep.equal(["advisory pods-left-to-namespace-policies"]);
            expect(violations[0].text).to.include("Pod webserver: this stack declares no NetworkPolicy in its namespace");
        } finally {
            await stack.dispose();
            deleteNamespace(namespace);
        }
    });

    it("judges one passing and one failing resource for each rule, in one preview", async () => {
        // Each failing resource breaks one rule (the images-pinned-by-digest advisory aside): in the
        // namespace "bad", which a good NetworkPolicy of the stack covers by the label app=covered.
        const covered = { app: "covered" };
        const bad = (name: string, labels = covered) => ({ name, namespace: "bad", labels });
        const digestOnly = componentPodSpec().containers[0].image as string;
        const failing: Record<string, string[]> = {
            "pss": ["pod-security-restricted"],
            "unpinned": ["pinned-images", "images-pinned-by-digest"],
            "tag-only": ["images-pinned-by-digest"],
            "no-resources": ["resource-requests-and-limits"],
            "no-probes": ["serving-containers-have-probes"],
            "unbounded-logs": ["shared-logs-size-limit"],
            "token": ["no-service-account-token"],
            "uncovered": ["pods-have-network-policy"],
            "np-open": ["network-policies-restrict-traffic"],
            // Every port of a protocol, and a range of all of them, beside egress to anywhere.
            "np-wide": ["network-policies-restrict-traffic"],
            "projected-token": ["no-service-account-token"],
            // Every kind that carries a Pod template, each with a privileged container.
            "job": ["pod-security-restricted"],
            "cron-job": ["pod-security-restricted"],
            "replication-controller": ["pod-security-restricted"],
            "deployment-patch": ["pod-security-restricted"],
            // A chart the pack cannot see into.
            "helm-release": ["no-unseen-helm-releases"],
            "owned-pod": ["pods-left-to-namespace-policies"],
            // The tutorial's Pod verbatim, in a namespace of its own: every Pod rule but the network's.
            "tutorial": [
                "pod-security-restricted", "pinned-images", "images-pinned-by-digest", "resource-requests-and-limits",
                "serving-containers-have-probes", "shared-logs-size-limit", "no-service-account-token", "pods-left-to-namespace-policies",
            ],
        };
        const tutorial = yaml.load(fs.readFileSync(path.join(REPO, "test", "fixtures", "tutorial-pod.yaml"), "utf8")) as k8s.core.v1.PodArgs;
        const privileged = () => componentPodSpec((s) => {
            s.restartPolicy = "Never";
            s.containers[0].securityContext = { ...s.containers[0].securityContext, privileged: true };
        });
        const template = () => ({ metadata: { labels: covered }, spec: privileged() });
        const chart = localChart();
        const { output, failed } = await previewRendered("policy-rules", pack, (render) => {
            const provider = render();
            // Passing: the component as the dev stack has it (its Pod and NetworkPolicy, in "good"),
            // a Pod the good NetworkPolicy of "bad" covers, and that NetworkPolicy.
            new WebServer("good", {}, { provider: render("good") });
            new k8s.core.v1.Pod("covered", { metadata: bad("covered"), spec: componentPodSpec() }, { provider });
            new k8s.networking.v1.NetworkPolicy("np-good", { metadata: bad("np-good"), spec: buildNetworkPolicySpec(resolveArgs({}).networkPolicy!, covered) }, { provider });
            // Failing, one per rule.
            new k8s.core.v1.Pod("pss", {
                metadata: { ...bad("pss"), annotations: { "container.apparmor.security.beta.kubernetes.io/nginx-container": "unconfined" } },
                spec: componentPodSpec((s) => {
                    s.hostNetwork = true;
                    s.containers[0].ports = [{ containerPort: 80, hostPort: 80 }];
                    s.containers[0].securityContext = { ...s.containers[0].securityContext, procMount: "Unmasked", seLinuxOptions: { type: "spc_t" } };
                    s.securityContext = { ...s.securityContext as object, sysctls: [{ name: "kernel.msgmax", value: "65536" }] };
                    (s.volumes as object[]).push({ name: "share", nfs: { server: "nfs.example", path: "/" } });
                }),
            }, { provider });
            new k8s.core.v1.Pod("unpinned", { metadata: bad("unpinned"), spec: componentPodSpec((s) => { s.containers[0].image = "nginx:latest"; }) }, { provider });
            new k8s.core.v1.Pod("tag-only", { metadata: bad("tag-only"), spec: componentPodSpec((s) => { s.containers[0].image = digestOnly.replace(/@sha256:.*/, ""); }) }, { provider });
            new k8s.core.v1.Pod("no-resources", { metadata: bad("no-resources"), spec: componentPodSpec((s) => { delete s.containers[0].resources; }) }, { provider });
            new k8s.core.v1.Pod("no-probes", { metadata: bad("no-probes"), spec: componentPodSpec((s) => { delete s.containers[0].readinessProbe; delete s.containers[0].livenessProbe; }) }, { provider });
            new k8s.core.v1.Pod("unbounded-logs", { metadata: bad("unbounded-logs"), spec: componentPodSpec((s) => { (s.volumes as object[])[0] = { name: "shared-logs", emptyDir: {} }; }) }, { provider });
            new k8s.core.v1.Pod("token", { metadata: bad("token"), spec: componentPodSpec((s) => { delete s.automountServiceAccountToken; }) }, { provider });
            new k8s.core.v1.Pod("uncovered", { metadata: bad("uncovered", { app: "other" }), spec: componentPodSpec() }, { provider });
            new k8s.networking.v1.NetworkPolicy("np-open", { metadata: bad("np-open"), spec: { podSelector: { matchLabels: covered }, policyTypes: ["Ingress"], ingress: [{}] } }, { provider });
            new k8s.networking.v1.NetworkPolicy("np-wide", {
                metadata: bad("np-wide"),
                spec: {
                    podSelector: { matchLabels: covered },
                    policyTypes: ["Ingress", "Egress"],
                    ingress: [{ ports: [{ protocol: "TCP" }] }],
                    egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 1, endPort: 65535 }] }],
                },
            }, { provider });
            new k8s.core.v1.Pod("projected-token", {
                metadata: bad("projected-token"),
                spec: componentPodSpec((s) => { (s.volumes as object[]).push({ name: "api-token", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } }); }),
            }, { provider });
            new k8s.batch.v1.Job("job", { metadata: bad("job"), spec: { template: template() } }, { provider });
            new k8s.batch.v1.CronJob("cron-job", { metadata: bad("cron-job"), spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: template() } } } }, { provider });
            new k8s.core.v1.ReplicationController("replication-controller", { metadata: bad("replication-controller"), spec: { selector: covered, template: template() } }, { provider });
            new k8s.apps.v1.DeploymentPatch("deployment-patch", { metadata: bad("deployment-patch"), spec: { template: template() } }, { provider });
            new k8s.helm.v3.Release("helm-release", { chart, namespace: "bad" }, { provider });
            // networkPolicy: false, alone in its namespace "owned": only the advisory note.
            new WebServer("owned", { networkPolicy: false, podName: "owned-pod" }, { provider: render("owned") });
            new k8s.core.v1.Pod("tutorial", tutorial, { provider: render("tutorial") });
        });
        fs.rmSync(chart, { recursive: true, force: true });
        expect(failed, `preview must fail on the mandatory violations:\n${output}`).to.equal(true);
        const violations = parseViolations(output);
        // The policies each resource violates (a policy reports each of its findings separately).
        const byResource = (resource: string) => [...new Set(violations.filter((v) => v.resource === resource).map((v) => v.policy))].sort();
        for (const [resource, policies] of Object.entries(failing)) {
            expect(byResource(resource), `${resource}'s violations`).to.deep.equal([...policies].sort());
        }
        for (const resource of ["good-pod", "good-network-policy", "covered", "np-good"]) {
            expect(byResource(resource), `${resource} passes`).to.deep.equal([]);
        }
        expect(violations.find((v) => v.resource === "owned-pod")?.level).to.equal("advisory");
        const pss = violations.filter((v) => v.resource === "pss").map((v) => v.text).join("\n");
        for (const control of ["hostNetwork is true", "hostPort 80", "procMount is Unmasked", "seLinuxOptions.type is spc_t", "sysctl kernel.msgmax", "volume share is of type nfs", "annotation container.apparmor"]) {
            expect(pss, control).to.include(control);
        }
        expect(violations.find((v) => v.resource === "tutorial" && v.policy === "pinned-images")?.text).to.include('image "nginx:latest" is not pinned');
    });
});
