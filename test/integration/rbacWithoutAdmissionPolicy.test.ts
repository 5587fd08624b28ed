/**
 * rbac/ on an API server that does not enforce ValidatingAdmissionPolicy, in both ways one can:
 *   - its admission plugin off (`--disable-admission-plugins=ValidatingAdmissionPolicy`): the
 *     policy's kind is served and stored, and never consulted, which a `kubectl get` of the policy
 *     cannot tell from the real thing;
 *   - its kind not served either (`--runtime-config=...validatingadmissionpolicies=false`, with the
 *     plugin off, without which 1.36's API server does not start): kubectl fails on the policy
 *     ("the server could not find the requested resource"; older kubectl: "no matches for kind")
 *     and applies the rest.
 * Neither `kubectl apply -k rbac/` nor `bash rbac/apply.sh` may leave the preview ServiceAccount
 * any write there (`kubectl auth can-i`): a binding of the dry-run Role would make its dry runs
 * real writes.
 *
 * Each cluster is a control plane of its own (etcd and kube-apiserver only, started by kwokctl's
 * binary runtime from the toolchain's binaries, as scripts/cluster/controlPlane.sh starts the
 * local cluster's), under its own name, on ports kwokctl picks, deleted after. Where the
 * toolchain has not built kwokctl and Kubernetes (GitHub's kind job), the tests skip and say so.
 */
import { expect } from "chai";
import { execFileSync, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { skipBecause } from "./clusterCapabilities";

const REPO = path.join(__dirname, "..", "..");
const SERVICE_ACCOUNT = "webserver-sidecar-preview";
/** What rbac/'s Roles may grant the ServiceAccount: each is asked of the API server (`kubectl auth can-i`). */
const WRITES = ["configmaps", "services", "deployments.apps", "poddisruptionbudgets.policy", "networkpolicies.networking.k8s.io", "pods"]
    .flatMap((resource) => ["create", "patch", "update", "delete"].map((verb) => `${verb} ${resource}`));

/** The toolchain's binaries, as scripts/lib/common.sh and versions.env place them. */
function toolchainBinaries(): { kwokctl: string; kubernetes: string } {
    const versions = fs.readFileSync(path.join(REPO, "scripts", "toolchain", "versions.env"), "utf8");
    const version = (name: string) => new RegExp(`^${name}=(\\S+)$`, "m").exec(versions)?.[1] ?? "";
    const cache = process.env.WEBSERVER_SIDECAR_CACHE ?? path.join(os.homedir(), ".cache", "webserver-sidecar");
    return {
        kwokctl: path.join(cache, "bin", `kwok-v${version("KWOK_VERSION")}`, "kwokctl"),
        kubernetes: path.join(cache, "bin", `kubernetes-v${version("KUBERNETES_VERSION")}`),
    };
}

/** How each API server under test leaves ValidatingAdmissionPolicy unenforced: its extra flags. */
const VARIANTS: { title: string; served: boolean; apiServerArgs: [string, string][] }[] = [
    { title: "its admission plugin off (the kind served)", served: true, apiServerArgs: [["disable-admission-plugins", "ValidatingAdmissionPolicy"]] },
    {
        title: "its kind not served",
        served: false,
        apiServerArgs: [
            ["disable-admission-plugins", "ValidatingAdmissionPolicy"],
            ["runtime-config", "admissionregistration.k8s.io/v1/validatingadmissionpolicies=false,admissionregistration.k8s.io/v1/validatingadmissionpolicybindings=false"],
        ],
    },
];

/** A control plane whose API server runs with `apiServerArgs`. */
class ControlPlaneWithoutAdmissionPolicy {
    private constructor(
        private readonly kwokctl: string,
        private readonly name: string,
        private readonly workdir: string,
        readonly kubeconfig: string,
        readonly kubectlBinary: string,
    ) {}

    static create(apiServerArgs: [string, string][]): ControlPlaneWithoutAdmissionPolicy {
        const { kwokctl, kubernetes } = toolchainBinaries();
        const name = `webserver-sidecar-novap-${crypto.randomBytes(3).toString("hex")}`;
        const workdir = fs.mkdtempSync(path.join(os.tmpdir(), "novap-"));
        const config = path.join(workdir, "kwok.yaml");
        const kubeVersion = path.basename(kubernetes).replace(/^kubernetes-/, "");
        fs.writeFileSync(config, [
            "apiVersion: config.kwok.x-k8s.io/v1alpha1",
            "kind: KwokctlConfiguration",
            "options:",
            "  runtime: binary",
            "  bindAddress: 127.0.0.1",
            `  kubeVersion: ${kubeVersion}`,
            `  etcdVersion: ${fs.readFileSync(path.join(kubernetes, ".etcd-version"), "utf8").trim()}`,
            `  etcdBinary: ${kubernetes}/etcd`,
            `  kubeApiserverBinary: ${kubernetes}/kube-apiserver`,
            `  kubeControllerManagerBinary: ${kubernetes}/kube-controller-manager`,
            `  kubeSchedulerBinary: ${kubernetes}/kube-scheduler`,
            `  kubectlBinary: ${kubernetes}/kubectl`,
            // RBAC and admission are the API server's: nothing else is needed, and CPU is scarce.
            "  disable: [kwok-controller, kube-scheduler, kube-controller-manager]",
            "componentsPatches:",
            "- name: kube-apiserver",
            "  extraArgs:",
            ...apiServerArgs.map(([key, value]) => `  - { key: ${key}, value: "${value}" }`),
            "",
        ].join("\n"));
        const env = { ...process.env, KWOK_WORKDIR: workdir };
        const run = (args: string[]) => execFileSync(kwokctl, ["--name", name, ...args], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
        const plane = new ControlPlaneWithoutAdmissionPolicy(kwokctl, name, workdir, path.join(workdir, "kubeconfig"), path.join(kubernetes, "kubectl"));
        try {
            run(["--config", config, "create", "cluster", "--kubeconfig", path.join(workdir, "kubeconfig.merged"), "--wait", "120s"]);
            fs.writeFileSync(plane.kubeconfig, run(["get", "kubeconfig"]), { mode: 0o600 });
        } catch (e) {
            plane.delete();
            throw new Error(`kwokctl create cluster ${name}: ${String((e as { stderr?: string }).stderr ?? e)}`, { cause: e });
        }
        return plane;
    }

    /** kubectl against this control plane, as the administrator; its output, or its error output when it fails. */
    kubectl(args: string[]): { ok: boolean; output: string } {
        const result = spawnSync(this.kubectlBinary, ["--kubeconfig", this.kubeconfig, ...args], { encoding: "utf8" });
        return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
    }

    /** The writes of WRITES that the API server's authorizer lets the ServiceAccount of `namespace` make. */
    grantedWrites(namespace: string): string[] {
        return WRITES.filter((write) => this.kubectl(["auth", "can-i", ...write.split(" "), "-n", namespace, `--as=system:serviceaccount:${namespace}:${SERVICE_ACCOUNT}`]).output.trim() === "yes");
    }

    delete(): void {
        spawnSync(this.kwokctl, ["--name", this.name, "delete", "cluster", "--kubeconfig", path.join(this.workdir, "kubeconfig.merged")], {
            env: { ...process.env, KWOK_WORKDIR: this.workdir }, stdio: "ignore",
        });
        fs.rmSync(this.workdir, { recursive: true, force: true });
    }
}

for (const variant of VARIANTS) {
    describe(`rbac/ on an API server with ValidatingAdmissionPolicy unenforced, ${variant.title}: the preview identity gets no write`, function () {
        this.timeout(300_000);
        let plane: ControlPlaneWithoutAdmissionPolicy | undefined;

        before(function () {
            const { kwokctl, kubernetes } = toolchainBinaries();
            if (!fs.existsSync(kwokctl) || !fs.existsSync(path.join(kubernetes, "kube-apiserver"))) {
                skipBecause(this, `needs the toolchain's kwokctl and Kubernetes binaries (${kwokctl}, ${kubernetes}), which scripts/toolchain.sh builds`);
            }
            plane = ControlPlaneWithoutAdmissionPolicy.create(variant.apiServerArgs);
        });

        after(() => {
            plane?.delete();
        });

        if (variant.served) {
            it("stores the policy and does not enforce it: a real write of the policy's probe user goes through", () => {
                const namespace = "probe-check";
                expect(plane!.kubectl(["create", "namespace", namespace]).ok).to.equal(true);
                const policy = plane!.kubectl(["apply", "-f", path.join(REPO, "rbac", "previewDryRun.yaml"), "-n", namespace]);
                expect(policy.output).to.include("validatingadmissionpolicy.admissionregistration.k8s.io/webserver-sidecar-preview-dry-run-only");
                const write = plane!.kubectl(["create", "configmap", "real-write", "-n", namespace, "--as=webserver-sidecar-preview-admission-probe", "--as-group=system:masters"]);
                expect(write, "the policy would refuse this where it is enforced").to.deep.include({ ok: true });
            });
        }

        it("kubectl apply -k rbac/ (as committed, namespace default): the reader only, no write", () => {
            const apply = plane!.kubectl(["apply", "-k", path.join(REPO, "rbac")]);
            console.log(`      kubectl apply -k rbac/: ${apply.ok ? "succeeded" : "failed"}: ${apply.output.trim().split("\n").filter((l) => !l.includes("Sorting order")).join("; ")}`);
            // Without the kind, kubectl fails on the policy (kubectl 1.36.3: "the server could not
            // find the requested resource"; older ones: "no matches for kind"), after the rest.
            expect(apply.ok, apply.output).to.equal(variant.served);
            expect(plane!.grantedWrites("default")).to.deep.equal([]);
            expect(plane!.kubectl(["auth", "can-i", "get", "pods/webserver", "-n", "default", `--as=system:serviceaccount:default:${SERVICE_ACCOUNT}`]).output.trim()).to.equal("yes");
        });

        it("bash rbac/apply.sh: fails, saying why, and leaves no write (nor its probe binding)", () => {
            const namespace = "team";
            expect(plane!.kubectl(["create", "namespace", namespace]).ok).to.equal(true);
            const kubectlDir = path.dirname(plane!.kubectlBinary);
            const result = spawnSync("bash", [path.join(REPO, "rbac", "apply.sh"), namespace], {
                env: { ...process.env, KUBECONFIG: plane!.kubeconfig, PATH: `${kubectlDir}:${process.env.PATH ?? ""}`, PROBE_SECONDS: "5" }, encoding: "utf8",
            });
            console.log(`      rbac/apply.sh: exit ${result.status}: ${result.stderr.trim().split("\n").at(-1)}`);
            expect(result.status).to.equal(1);
            expect(result.stderr).to.include(variant.served
                ? "does not enforce the ValidatingAdmissionPolicy webserver-sidecar-preview-dry-run-only"
                : "without the ValidatingAdmissionPolicy, dry-run writes would be real writes");
            expect(plane!.grantedWrites(namespace)).to.deep.equal([]);
            expect(plane!.kubectl(["get", "rolebindings", "-n", namespace, "-o", "name"]).output.trim().split("\n")).to.deep.equal([
                "rolebinding.rbac.authorization.k8s.io/webserver-sidecar-preview-read",
            ]);
            expect(plane!.kubectl(["get", "configmap", "webserver-sidecar-preview-admission-probe", "-n", namespace]).ok, "the probe's ConfigMap is gone").to.equal(false);
        });
    });
}
