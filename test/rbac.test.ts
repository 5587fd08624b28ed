/**
 * rbac/, read as files: the preview ServiceAccount may read what the stack manages, and may write
 * only together with the policy that limits its writes to dry runs. (test/integration/
 * readOnlyPreview.test.ts applies it to a real cluster.)
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";

const RBAC = path.join(__dirname, "..", "rbac");

interface Rule { apiGroups: string[]; resources: string[]; verbs: string[] }
interface Manifest { kind: string; metadata: { name: string }; rules?: Rule[]; spec?: { validations?: { expression: string }[]; policyName?: string; validationActions?: string[] } }

function manifests(file: string): Manifest[] {
    return yaml.loadAll(fs.readFileSync(path.join(RBAC, file), "utf8")) as Manifest[];
}

/** Each `group/resource verb` a file's Roles grant. */
function grants(file: string): string[] {
    return manifests(file).filter((m) => m.kind === "Role").flatMap((role) => (role.rules ?? []).flatMap((rule) =>
        rule.apiGroups.flatMap((group) => rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${group}/${resource} ${verb}`))))).sort();
}

/** The kinds the WebServer creates (components/webServer.ts), as RBAC names them. */
const MANAGED = ["/pods", "/configmaps", "/services", "networking.k8s.io/networkpolicies", "apps/deployments", "policy/poddisruptionbudgets"];

describe("rbac/ (the preview credential)", () => {
    it("lets the reader get each kind the stack manages, and list Endpoints (the Service's read), nothing else", () => {
        expect(grants("previewReader.yaml")).to.deep.equal([...MANAGED.map((kind) => `${kind} get`), "/endpoints list"].sort());
    });

    it("grants create and patch (the provider's server-side dry runs) on every kind but the Pod, and no delete, update or wildcard", () => {
        // A dry run of a Pod's replacement fails the preview with provider 4.25.0 (previewDryRun.yaml says why).
        expect(grants("previewDryRun.yaml")).to.deep.equal(MANAGED.filter((kind) => kind !== "/pods").flatMap((kind) => [`${kind} create`, `${kind} patch`]).sort());
    });

    it("grants them only beside a ValidatingAdmissionPolicy, bound with Deny, that admits nothing but dry runs, written first", () => {
        const dryRun = manifests("previewDryRun.yaml");
        const kinds = dryRun.map((m) => m.kind);
        expect(kinds.indexOf("ValidatingAdmissionPolicy")).to.be.lessThan(kinds.indexOf("Role"));
        expect(kinds.indexOf("ValidatingAdmissionPolicyBinding")).to.be.lessThan(kinds.indexOf("Role"));
        const policy = dryRun.find((m) => m.kind === "ValidatingAdmissionPolicy");
        expect(policy?.spec?.validations?.map((v) => v.expression)).to.deep.equal(["has(request.dryRun) && request.dryRun == true"]);
        const binding = dryRun.find((m) => m.kind === "ValidatingAdmissionPolicyBinding");
        expect(binding?.spec).to.deep.include({ policyName: policy?.metadata.name, validationActions: ["Deny"] });
    });

    it("is applied in the order written (kustomize would otherwise put Roles before the policy)", () => {
        const kustomization = yaml.load(fs.readFileSync(path.join(RBAC, "kustomization.yaml"), "utf8")) as { sortOptions: { order: string }; resources: string[] };
        expect(kustomization.sortOptions.order).to.equal("fifo");
        expect(kustomization.resources).to.deep.equal(["previewReader.yaml", "previewDryRun.yaml"]);
    });
});
