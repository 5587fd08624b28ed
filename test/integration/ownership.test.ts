/**
 * Objects of the component's names that someone else made (issue #27, item 2), for real: a
 * ConfigMap `webserver-shipper`, a Service `webserver` and a Pod `webserver`, each created with
 * kubectl in the stack's namespace, stop `pulumi preview` and `pulumi up` with a message naming
 * them, are left exactly as they were, and survive `pulumi destroy`. Without the check, the provider
 * 4.25.0 would "create" each over the existing one (server-side apply), take it into the stack and
 * delete it on destroy. Once they are gone the stack comes up, and its own objects, or ones from
 * before the owner annotation (the instance's labels, no annotation), pass the check.
 */
import { expect } from "chai";
import { DEFAULTS } from "../../components/args";
import { OWNER_ANNOTATION } from "../../components/ownership";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl, localClusterImages } from "../../lab/pulumiHarness";

/** How long a preview or an up stopped by the check may take, from the CLI's start: the program's start and one round of GETs. */
const STOP_BOUND_MS = 60_000;

/** What must not change on an object that is not ours: its identity, version, labels, annotations and contents. */
interface Snapshot {
    readonly uid: string;
    readonly resourceVersion: string;
    readonly labels: unknown;
    readonly annotations: unknown;
    readonly contents: unknown;
}

function snapshot(resource: string, namespace: string): Snapshot {
    const object = JSON.parse(kubectl(["get", resource, "-n", namespace, "-o", "json"])) as {
        metadata: { uid: string; resourceVersion: string; labels?: unknown; annotations?: unknown };
        data?: unknown; spec?: unknown;
    };
    return {
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
        labels: object.metadata.labels,
        annotations: object.metadata.annotations,
        contents: object.data ?? object.spec,
    };
}

/** The Pods, Services, NetworkPolicies and ConfigMaps in the namespace (but the cluster's own kube-root-ca.crt), as `kind/name`. */
function objectsIn(namespace: string): string[] {
    return kubectl(["get", "pods,services,networkpolicies,configmaps", "-n", namespace, "-o", "name"]).trim().split("\n")
        .filter((line) => line !== "" && line !== "configmap/kube-root-ca.crt").sort();
}

/** The message an operation failed with, and how long it took ("" when it succeeded). */
async function failureOf(operation: () => Promise<unknown>): Promise<{ message: string; elapsedMs: number }> {
    const started = Date.now();
    try {
        await operation();
        return { message: "", elapsedMs: Date.now() - started };
    } catch (e) {
        return { message: String(e), elapsedMs: Date.now() - started };
    }
}

/** A foreign object of each kind the check reads, as a team would make it with kubectl. */
function foreignManifests(): { resource: string; kind: string; name: string; manifest: object }[] {
    const image = localClusterImages().nginxImage ?? DEFAULTS.nginxImage;
    return [
        {
            resource: "configmap/webserver-shipper", kind: "ConfigMap", name: "webserver-shipper",
            manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "webserver-shipper", labels: { team: "theirs" } }, data: { theirs: "their data" } },
        },
        {
            resource: "service/webserver", kind: "Service", name: "webserver",
            manifest: { apiVersion: "v1", kind: "Service", metadata: { name: "webserver", labels: { app: "webserver" } }, spec: { selector: { app: "webserver" }, ports: [{ port: 8080, targetPort: 80 }] } },
        },
        {
            resource: "pod/webserver", kind: "Pod", name: "webserver",
            // The tutorial's Pod as a team may already run it: the same name and label.
            manifest: { apiVersion: "v1", kind: "Pod", metadata: { name: "webserver", labels: { app: "webserver" } }, spec: { containers: [{ name: "nginx-container", image }] } },
        },
    ];
}

describe("objects of the component's names that this stack did not create", function () {
    this.timeout(600_000);
    let namespace: string;
    let stack: TestStack;

    before(async () => {
        namespace = createNamespace("ownership");
        stack = await TestStack.create({ kubeconfig: clusterKubeconfig(), namespace, service: JSON.stringify({ type: "ClusterIP" }) });
    });
    after(async () => {
        await stack?.dispose();
        if (namespace !== undefined) {
            deleteNamespace(namespace);
        }
    });

    for (const foreign of foreignManifests()) {
        it(`stops preview and up on a ${foreign.kind} "${foreign.name}" made with kubectl, changing nothing, and destroy leaves it`, async () => {
            kubectl(["apply", "-n", namespace, "-f", "-"], clusterKubeconfig(), JSON.stringify(foreign.manifest));
            if (foreign.kind === "Pod") {
                // Settled, so that only a change of ours could move its resourceVersion.
                kubectl(["wait", "--for=condition=Ready", "-n", namespace, foreign.resource, "--timeout=120s"]);
            }
            const before = snapshot(foreign.resource, namespace);
            const named = `${foreign.kind} "${foreign.name}" in namespace "${namespace}" exists and is not this stack's (its ${OWNER_ANNOTATION} annotation: none;`;

            for (const [operation, run] of [["preview", () => stack.preview()], ["up", () => stack.up()]] as const) {
                const { message, elapsedMs } = await failureOf(run);
                console.log(`      ${operation} stopped in ${(elapsedMs / 1000).toFixed(1)} s`);
                expect(message, `${operation} must fail`).to.include(named);
                expect(message, "what to do").to.include(`kubectl annotate --overwrite -n ${namespace} ${foreign.kind.toLowerCase()}/${foreign.name} ${OWNER_ANNOTATION}=`);
                // A RunError: the message alone, no stack trace of the program.
                expect(message).to.not.include("unhandled exception");
                expect(elapsedMs).to.be.below(STOP_BOUND_MS);
                expect(snapshot(foreign.resource, namespace), `${operation} left it as it was`).to.deep.equal(before);
                expect(objectsIn(namespace), `${operation} created nothing`).to.deep.equal([foreign.resource]);
            }
            await stack.stack.destroy();
            expect(snapshot(foreign.resource, namespace), "destroy left it as it was").to.deep.equal(before);

            kubectl(["delete", "-n", namespace, foreign.resource, "--wait=true"]);
        });
    }

    it("comes up once they are gone, stamping each object with the stack as owner, and passes its own objects on the next preview and up", async () => {
        await stack.up();
        const owner = `organization/webserver-sidecar/${stack.stack.name}`;
        const ours = ["configmap/webserver-shipper", "networkpolicy.networking.k8s.io/webserver", "pod/webserver", "service/webserver"];
        expect(objectsIn(namespace)).to.deep.equal(ours);
        for (const resource of ours) {
            expect((snapshot(resource, namespace).annotations as Record<string, string>)[OWNER_ANNOTATION], resource).to.equal(owner);
        }
        await stack.preview();
        expect(stack.steps().filter(([op]) => op !== "same"), "no change").to.deep.equal([]);
        const result = await stack.up();
        expect(result.summary.result).to.equal("succeeded");
    });

    it("passes an object with the instance's labels and no owner annotation: made by a version from before the annotation", async () => {
        kubectl(["annotate", "-n", namespace, "configmap/webserver-shipper", "service/webserver", `${OWNER_ANNOTATION}-`]);
        await stack.preview();
        expect(stack.steps().filter(([op]) => op !== "same")).to.deep.equal([]);
        await stack.up();
    });

    it("stops on an object that another stack owns, naming that stack", async () => {
        kubectl(["annotate", "--overwrite", "-n", namespace, "networkpolicy/webserver", `${OWNER_ANNOTATION}=organization/webserver-sidecar/other`]);
        const { message } = await failureOf(() => stack.preview());
        expect(message).to.include(`NetworkPolicy "webserver" in namespace "${namespace}" exists and is not this stack's (its ${OWNER_ANNOTATION} annotation: "organization/webserver-sidecar/other";`);
        kubectl(["annotate", "--overwrite", "-n", namespace, "networkpolicy/webserver", `${OWNER_ANNOTATION}=organization/webserver-sidecar/${stack.stack.name}`]);
        await stack.preview();
    });
});
