/**
 * rbac/, read as files: the preview ServiceAccount may read the stack's own objects by name, may
 * write only through a binding that rbac/ alone never applies, and rbac/apply.sh applies that
 * binding only once the API server has refused a real write under the policy (run here against a
 * stand-in kubectl). (test/integration/readOnlyPreview.test.ts applies it to a real cluster, and
 * test/integration/rbacWithoutAdmissionPolicy.test.ts to one without the policy's enforcement.)
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { CONFIG_MAP_ROLES } from "../components/podFiles";

const RBAC = path.join(__dirname, "..", "rbac");

interface Rule { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }
interface Manifest {
    kind: string;
    metadata: { name: string };
    rules?: Rule[];
    roleRef?: { kind: string; name: string };
    subjects?: { kind: string; name: string }[];
    spec?: { validations?: { expression: string }[]; matchConditions?: { expression: string }[]; policyName?: string; validationActions?: string[] };
}

function manifests(file: string): Manifest[] {
    return yaml.loadAll(fs.readFileSync(path.join(RBAC, file), "utf8")) as Manifest[];
}

/** Every manifest a kustomization directory of rbac/ applies. */
function kustomized(directory: string): Manifest[] {
    const kustomization = yaml.load(fs.readFileSync(path.join(RBAC, directory, "kustomization.yaml"), "utf8")) as { resources: string[] };
    return kustomization.resources.flatMap((file) => manifests(path.join(directory, file)));
}

/** Each `group/resource verb [names]` a file's Roles grant. */
function grants(file: string): string[] {
    return manifests(file).filter((m) => m.kind === "Role").flatMap((role) => (role.rules ?? []).flatMap((rule) =>
        rule.apiGroups.flatMap((group) => rule.resources.flatMap((resource) => rule.verbs.map((verb) =>
            `${group}/${resource} ${verb}${rule.resourceNames === undefined ? "" : ` ${[...rule.resourceNames].sort().join(",")}`}`))))).sort();
}

/** The program's (index.ts) object name, and its ConfigMaps' (components/podFiles.ts configMapNamesFor). */
const NAME = "webserver";
const CONFIG_MAPS = Object.values(CONFIG_MAP_ROLES).map((role) => `${NAME}-${role}`).sort().join(",");
/** The kinds the WebServer creates (components/webServer.ts), as RBAC names them, but its ConfigMaps. */
const NAMED = ["/pods", "/services", "networking.k8s.io/networkpolicies", "apps/deployments", "policy/poddisruptionbudgets"];
const PROBE_USER = "webserver-sidecar-preview-admission-probe";

describe("rbac/ (the preview credential)", () => {
    it("lets the reader get only the stack's own objects, by name, and list Endpoints (the Service's read), nothing else", () => {
        expect(grants("previewReader.yaml")).to.deep.equal([
            ...NAMED.map((kind) => `${kind} get ${NAME}`), `/configmaps get ${CONFIG_MAPS}`, "/endpoints list",
        ].sort());
    });

    it("names the objects as the program does (index.ts names its WebServer's objects webserver)", () => {
        expect(fs.readFileSync(path.join(__dirname, "..", "index.ts"), "utf8")).to.include(`const TUTORIAL_NAME = "${NAME}";`);
    });

    it("has the dry-run Role create every kind but the Pod, patch them by name, and no delete, update or wildcard", () => {
        // A dry run of a Pod's replacement fails the preview with provider 4.25.0 (previewDryRun.yaml says why).
        const kinds = [...NAMED.filter((kind) => kind !== "/pods"), "/configmaps"];
        expect(grants("previewDryRun.yaml")).to.deep.equal(kinds.flatMap((kind) => [
            `${kind} create`, `${kind} patch ${kind === "/configmaps" ? CONFIG_MAPS : NAME}`,
        ]).sort());
    });

    it("binds nothing that writes in `kubectl apply -k rbac/`: on a cluster without the policy, that alone grants reads only", () => {
        const applied = kustomized(".");
        const roles = new Map(applied.filter((m) => m.kind === "Role").map((role) => [role.metadata.name, role]));
        const bound = applied.filter((m) => m.kind === "RoleBinding" || m.kind === "ClusterRoleBinding").map((binding) => roles.get(binding.roleRef!.name));
        expect(bound.map((role) => role?.metadata.name)).to.deep.equal(["webserver-sidecar-preview-read"]);
        const verbs = bound.flatMap((role) => (role?.rules ?? []).flatMap((rule) => rule.verbs));
        expect([...new Set(verbs)].sort()).to.deep.equal(["get", "list"]);
    });

    it("keeps the dry-run RoleBinding alone in rbac/dryRun/, naming the dry-run Role and the ServiceAccount", () => {
        expect(kustomized("dryRun").map((m) => `${m.kind} ${m.roleRef?.name} ${JSON.stringify(m.subjects)}`)).to.deep.equal([
            `RoleBinding webserver-sidecar-preview-dry-run ${JSON.stringify([{ kind: "ServiceAccount", name: "webserver-sidecar-preview" }])}`,
        ]);
    });

    it("has a ValidatingAdmissionPolicy, bound with Deny, that admits nothing but dry runs of the ServiceAccount and the probe user, written first", () => {
        const dryRun = manifests("previewDryRun.yaml");
        const kinds = dryRun.map((m) => m.kind);
        expect(kinds.indexOf("ValidatingAdmissionPolicy")).to.be.lessThan(kinds.indexOf("Role"));
        expect(kinds.indexOf("ValidatingAdmissionPolicyBinding")).to.be.lessThan(kinds.indexOf("Role"));
        const policy = dryRun.find((m) => m.kind === "ValidatingAdmissionPolicy");
        expect(policy?.spec?.validations?.map((v) => v.expression)).to.deep.equal(["has(request.dryRun) && request.dryRun == true"]);
        expect(policy?.spec?.matchConditions?.map((c) => c.expression).join(" ")).to.include(`request.userInfo.username == '${PROBE_USER}'`);
        const binding = dryRun.find((m) => m.kind === "ValidatingAdmissionPolicyBinding");
        expect(binding?.spec).to.deep.include({ policyName: policy?.metadata.name, validationActions: ["Deny"] });
    });

    it("is applied in the order written (kustomize would otherwise put Roles before the policy)", () => {
        const kustomization = yaml.load(fs.readFileSync(path.join(RBAC, "kustomization.yaml"), "utf8")) as { sortOptions: { order: string }; resources: string[] };
        expect(kustomization.sortOptions.order).to.equal("fifo");
        expect(kustomization.resources).to.deep.equal(["previewReader.yaml", "previewDryRun.yaml"]);
    });
});

describe("rbac/apply.sh (fails closed), against a stand-in kubectl", () => {
    /**
     * Runs apply.sh with a kubectl that records its arguments and answers the probe's real create
     * as `probeAnswer` says; returns the exit status, stderr, and the kubectl calls.
     */
    function applyWith(probeAnswer: "refused" | "created" | "kind not served", namespace = "team") {
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "rbac-apply-"));
        const log = path.join(bin, "calls");
        fs.writeFileSync(path.join(bin, "kubectl"), [
            "#!/usr/bin/env bash",
            `printf '%s\\n' "$*" >>${JSON.stringify(log)}`,
            // The namespace apply.sh wrote into its copy of the kustomization.
            `if [[ "$1" == apply && "$2" == -k ]]; then grep '^namespace:' "$3/kustomization.yaml" >>${JSON.stringify(log)}; fi`,
            ...(probeAnswer === "kind not served" ? [
                // What kubectl 1.36 does without the policy's kind: applies the rest, then fails.
                'if [[ "$1" == apply && "$2" == -k && "$3" != */dryRun ]]; then',
                "  echo 'error: resource mapping not found for name: \"webserver-sidecar-preview-dry-run-only\" namespace: \"\" from \"...\": no matches for kind \"ValidatingAdmissionPolicy\" in version \"admissionregistration.k8s.io/v1\"' >&2; exit 1",
                "fi",
            ] : []),
            `if [[ "$*" == *"--as=${PROBE_USER} create configmap"* ]]; then`,
            probeAnswer === "refused"
                ? "  echo 'error: configmaps \"x\" is forbidden: ValidatingAdmissionPolicy ... denied request: webserver-sidecar-preview may only dry-run changes' >&2; exit 1"
                : "  echo 'configmap/x created'",
            "fi",
            "exit 0",
            "",
        ].join("\n"), { mode: 0o755 });
        const result = spawnSync("bash", [path.join(RBAC, "apply.sh"), namespace], {
            env: { PATH: `${bin}:${process.env.PATH ?? ""}`, PROBE_SECONDS: "2" }, encoding: "utf8",
        });
        const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
        fs.rmSync(bin, { recursive: true, force: true });
        return { status: result.status, stderr: result.stderr, calls };
    }

    it("applies rbac/, then the dry-run binding only after the policy refused the probe's real write, in the namespace given", () => {
        const { status, stderr, calls } = applyWith("refused");
        expect(status, stderr).to.equal(0);
        const applies = calls.filter((c) => c.startsWith("apply -k") || c.startsWith("namespace:"));
        expect(applies.map((c) => c.replace(/^apply -k \S*?(\/dryRun)?$/, "apply -k DIR$1"))).to.deep.equal([
            "apply -k DIR", "namespace: team", "apply -k DIR/dryRun", "namespace: team",
        ]);
        const probe = calls.findIndex((c) => c.includes(`--as=${PROBE_USER} create configmap`));
        expect(probe).to.be.greaterThan(calls.findIndex((c) => c.startsWith("apply -k")));
        expect(probe).to.be.lessThan(calls.findIndex((c) => c.endsWith("/dryRun")));
        // The probe user's binding does not outlive the script.
        expect(calls.at(-1)).to.equal(`delete rolebinding ${PROBE_USER} -n team --ignore-not-found`);
    });

    it("never applies the dry-run binding where a real write goes through (the policy not enforced), removes an old one, and fails saying why", () => {
        const { status, stderr, calls } = applyWith("created");
        expect(status).to.equal(1);
        expect(stderr).to.include("does not enforce the ValidatingAdmissionPolicy webserver-sidecar-preview-dry-run-only");
        expect(calls.filter((c) => c.endsWith("/dryRun"))).to.deep.equal([]);
        expect(calls).to.include(`delete configmap ${PROBE_USER} -n team --ignore-not-found`);
        expect(calls).to.include("delete rolebinding webserver-sidecar-preview-dry-run -n team --ignore-not-found");
    });

    it("stops after rbac/ where the policy's kind is not served (kubectl: no matches for kind), probing nothing and binding nothing", () => {
        const { status, stderr, calls } = applyWith("kind not served");
        expect(status).to.equal(1);
        expect(stderr).to.include("no matches for kind");
        expect(stderr).to.include("the dry-run RoleBinding is not");
        expect(calls.filter((c) => c.includes("create configmap") || c.endsWith("/dryRun"))).to.deep.equal([]);
        expect(calls).to.include("delete rolebinding webserver-sidecar-preview-dry-run -n team --ignore-not-found");
    });

    it("refuses a namespace that is not a namespace name, naming it", () => {
        const { status, stderr, calls } = applyWith("refused", "Team/../x");
        expect(status).to.equal(1);
        expect(stderr).to.include('namespace "Team/../x" is not a namespace name');
        expect(calls).to.deep.equal([]);
    });
});
