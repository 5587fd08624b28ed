import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { builtinModules } from "module";
import * as policyImages from "../policy/imageReference";
import { NetworkPolicySpec, StackResource, networkPolicyViolations, podsLeftToNamespacePolicies, podsWithoutNetworkPolicy, selects } from "../policy/networkPolicies";
import {
    PodSpec, probeViolations, resourceViolations, serviceAccountTokenViolations, sharedLogsViolations, undigestedImageViolations, unpinnedImageViolations,
} from "../policy/podPolicies";
import { restrictedProfileViolations } from "../policy/podSecurity";
import { kindOf, podTemplateOf, podTemplatesOf } from "../policy/podTemplates";
import { configMapNamesFor } from "../components/podFiles";
import { buildDeploymentSpec } from "../components/workloadSpec";
import * as componentImages from "../components/validators";
import { DEFAULTS, PlainWebServerArgs, resolveArgs } from "../components/args";
import { buildNetworkPolicySpec } from "../components/networkPolicySpec";
import { buildPodSpec } from "../components/podSpec";

const POLICY_DIR = path.join(__dirname, "..", "policy");

function pod(name: string, labels: Record<string, string>, namespace?: string): StackResource {
    return { type: "kubernetes:core/v1:Pod", urn: `urn:${name}`, name, props: { metadata: { name, namespace, labels } } };
}

function networkPolicy(podSelector: object, namespace?: string): StackResource {
    return { type: "kubernetes:networking.k8s.io/v1:NetworkPolicy", urn: "urn:np", name: "np", props: { metadata: { namespace }, spec: { podSelector } } };
}

/** The component's Pod spec as the policies see it (plain JSON, as the engine hands it over). */
function componentPod(args: PlainWebServerArgs = {}): PodSpec {
    return JSON.parse(JSON.stringify(buildPodSpec(resolveArgs(args)))) as PodSpec;
}

/** The component's Pod spec with one change made to a copy. */
function changedPod(change: (spec: PodSpec) => void): PodSpec {
    const spec = componentPod();
    change(spec);
    return spec;
}

/** The nginx container (the one that serves a port) of a Pod spec. */
function nginx(spec: PodSpec) {
    return (spec.containers ?? [])[0];
}

describe("the policy pack's checks", () => {
    describe("the component's own Pod and NetworkPolicy pass every mandatory check, in each sidecar mode and with allowFrom", () => {
        const variants: [string, PlainWebServerArgs][] = [
            ["native", { sidecarMode: "native" }],
            ["classic", { sidecarMode: "classic" }],
            ["allowFrom", { allowFrom: [{ cidr: "10.0.0.0/8" }, { namespaceSelector: { team: "edge" } }] }],
        ];
        for (const [title, args] of variants) {
            it(title, () => {
                const spec = componentPod(args);
                for (const check of [restrictedProfileViolations, unpinnedImageViolations, resourceViolations, probeViolations, sharedLogsViolations, serviceAccountTokenViolations]) {
                    expect(check(spec), check.name).to.deep.equal([]);
                }
                const resolved = resolveArgs(args);
                expect(networkPolicyViolations(buildNetworkPolicySpec(resolved.networkPolicy!, { app: "web" }) as NetworkPolicySpec)).to.deep.equal([]);
            });
        }
    });

    describe("pod-security-restricted (restrictedProfileViolations): the whole restricted profile", () => {
        const failing: [string, (spec: PodSpec) => void, string][] = [
            ["hostNetwork", (s) => { s.hostNetwork = true; }, "hostNetwork is true"],
            ["hostPID", (s) => { s.hostPID = true; }, "hostPID is true"],
            ["hostIPC", (s) => { s.hostIPC = true; }, "hostIPC is true"],
            ["a hostPath volume", (s) => { s.volumes!.push({ name: "host", hostPath: { path: "/" } }); }, "volume host is of type hostPath"],
            ["an nfs volume", (s) => { s.volumes!.push({ name: "share", nfs: { server: "nfs", path: "/" } }); }, "volume share is of type nfs"],
            ["an unsafe sysctl", (s) => { s.securityContext!.sysctls!.push({ name: "kernel.msgmax" }); }, "sysctl kernel.msgmax is not one of the safe sysctls"],
            ["a privileged container", (s) => { nginx(s).securityContext = { ...nginx(s).securityContext, privileged: true }; }, "nginx-container: privileged"],
            ["privilege escalation", (s) => { nginx(s).securityContext = { ...nginx(s).securityContext, allowPrivilegeEscalation: true }; }, "nginx-container: allowPrivilegeEscalation is not false"],
            ["capabilities not dropped", (s) => { nginx(s).securityContext = { ...nginx(s).securityContext, capabilities: {} }; }, "nginx-container: capabilities do not drop ALL"],
            ["an added capability", (s) => { nginx(s).securityContext = { ...nginx(s).securityContext, capabilities: { drop: ["ALL"], add: ["NET_ADMIN"] } }; }, "nginx-container: adds capability NET_ADMIN"],
            ["procMount Unmasked", (s) => { nginx(s).securityContext = { ...nginx(s).securityContext, procMount: "Unmasked" }; }, "nginx-container: procMount is Unmasked, not Default"],
            ["a hostPort", (s) => { nginx(s).ports = [{ containerPort: 80, hostPort: 8080 } as never]; }, "nginx-container: hostPort 8080"],
            ["a probe on another host", (s) => { nginx(s).readinessProbe = { httpGet: { host: "10.0.0.1" } }; }, 'nginx-container: readinessProbe.httpGet.host is "10.0.0.1"'],
            ["a lifecycle handler on another host", (s) => { nginx(s).lifecycle = { preStop: { tcpSocket: { host: "db" } } }; }, 'nginx-container: lifecycle.preStop.tcpSocket.host is "db"'],
            ["runAsNonRoot unset everywhere", (s) => { delete s.securityContext!.runAsNonRoot; }, "nginx-container: runAsNonRoot is not set, on it or on the pod"],
            ["runAsNonRoot false on a container", (s) => { nginx(s).securityContext = { ...nginx(s).securityContext, runAsNonRoot: false }; }, "nginx-container: runAsNonRoot is false"],
            ["runAsUser 0 on the pod", (s) => { s.securityContext!.runAsUser = 0; }, "pod: runAsUser is 0"],
            ["runAsUser 0 on a container", (s) => { nginx(s).securityContext = { ...nginx(s).securityContext, runAsUser: 0 }; }, "nginx-container: runAsUser is 0"],
            ["seccomp unset everywhere", (s) => { delete s.securityContext!.seccompProfile; }, "nginx-container: seccompProfile is not set (RuntimeDefault or Localhost), on it or on the pod"],
            ["seccomp Unconfined on a container", (s) => { nginx(s).securityContext = { ...nginx(s).securityContext, seccompProfile: { type: "Unconfined" } }; }, "nginx-container: seccompProfile is Unconfined"],
            ["seccomp Unconfined on the pod", (s) => { s.securityContext!.seccompProfile = { type: "Unconfined" }; }, "pod: seccompProfile is Unconfined"],
            ["AppArmor Unconfined", (s) => { nginx(s).securityContext = { ...nginx(s).securityContext, appArmorProfile: { type: "Unconfined" } }; }, "nginx-container: appArmorProfile is Unconfined"],
            ["an SELinux type", (s) => { s.securityContext!.seLinuxOptions = { type: "spc_t" }; }, "pod: seLinuxOptions.type is spc_t"],
            ["an SELinux user", (s) => { nginx(s).securityContext = { ...nginx(s).securityContext, seLinuxOptions: { user: "system_u" } }; }, "nginx-container: seLinuxOptions.user is set"],
            ["an SELinux role", (s) => { nginx(s).securityContext = { ...nginx(s).securityContext, seLinuxOptions: { role: "system_r" } }; }, "nginx-container: seLinuxOptions.role is set"],
            ["a Windows HostProcess", (s) => { s.securityContext!.windowsOptions = { hostProcess: true }; }, "pod: windowsOptions.hostProcess is true"],
            ["an ephemeral container that keeps its privileges", (s) => { s.ephemeralContainers = [{ name: "debug" }]; }, "debug: allowPrivilegeEscalation is not false"],
        ];
        for (const [title, change, message] of failing) {
            it(`reports ${title}`, () => {
                expect(restrictedProfileViolations(changedPod(change)).join("\n")).to.include(message);
            });
        }
        it("reports a deprecated AppArmor annotation that is not runtime/default or localhost/*", () => {
            expect(restrictedProfileViolations(componentPod(), { "container.apparmor.security.beta.kubernetes.io/nginx-container": "unconfined" }))
                .to.deep.equal(['annotation container.apparmor.security.beta.kubernetes.io/nginx-container is "unconfined", not runtime/default or localhost/*']);
        });

        const passing: [string, (spec: PodSpec) => void][] = [
            ["every allowed volume type", (s) => {
                for (const type of ["configMap", "csi", "downwardAPI", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret"]) s.volumes!.push({ name: type, [type]: {} });
            }],
            ["a safe sysctl", (s) => { s.securityContext!.sysctls!.push({ name: "net.ipv4.tcp_keepalive_time" }); }],
            ["NET_BIND_SERVICE added", (s) => { nginx(s).securityContext = { ...nginx(s).securityContext, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } }; }],
            ["procMount Default and hostPort 0", (s) => { nginx(s).securityContext = { ...nginx(s).securityContext, procMount: "Default" }; nginx(s).ports = [{ hostPort: 0 }]; }],
            ["seccomp Localhost and AppArmor RuntimeDefault on a container", (s) => {
                nginx(s).securityContext = { ...nginx(s).securityContext, seccompProfile: { type: "Localhost" }, appArmorProfile: { type: "RuntimeDefault" } };
            }],
            ["runAsNonRoot and seccomp set on every container instead of the pod", (s) => {
                delete s.securityContext!.runAsNonRoot;
                delete s.securityContext!.seccompProfile;
                for (const c of [...(s.containers ?? []), ...(s.initContainers ?? [])]) c.securityContext = { ...c.securityContext, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
            }],
            ["SELinux type container_engine_t", (s) => { s.securityContext!.seLinuxOptions = { type: "container_engine_t" }; }],
        ];
        for (const [title, change] of passing) {
            it(`passes ${title}`, () => {
                expect(restrictedProfileViolations(changedPod(change))).to.deep.equal([]);
            });
        }
        it("passes the AppArmor annotations runtime/default and localhost/*", () => {
            expect(restrictedProfileViolations(componentPod(), {
                "container.apparmor.security.beta.kubernetes.io/nginx-container": "runtime/default",
                "container.apparmor.security.beta.kubernetes.io/sidecar-container": "localhost/web",
            })).to.deep.equal([]);
        });
    });

    describe("pinned-images (unpinnedImageViolations)", () => {
        it("passes a tag other than latest, or a digest", () => {
            expect(unpinnedImageViolations({ containers: [{ name: "a", image: "nginx:1.30.5" }, { name: "b", image: `nginx@sha256:${"a".repeat(64)}` }] })).to.deep.equal([]);
        });
        it("reports latest and a missing tag", () => {
            expect(unpinnedImageViolations({ containers: [{ name: "a", image: "nginx:latest" }, { name: "b", image: "nginx" }] })).to.deep.equal([
                'a: image "nginx:latest" is not pinned', 'b: image "nginx" is not pinned',
            ]);
        });
    });

    describe("images-pinned-by-digest (undigestedImageViolations)", () => {
        it("passes the component's Pod: both default images carry a digest", () => {
            expect(undigestedImageViolations(componentPod())).to.deep.equal([]);
            expect(DEFAULTS.nginxImage).to.include("@sha256:");
        });
        it("reports an image pinned by tag only", () => {
            expect(undigestedImageViolations({ containers: [{ name: "nginx", image: "nginx:1.30.5" }] })).to.deep.equal([
                'nginx: image "nginx:1.30.5" has no digest (@sha256:...)',
            ]);
        });
    });

    describe("resource-requests-and-limits (resourceViolations)", () => {
        it("reports each missing request and limit", () => {
            expect(resourceViolations(changedPod((s) => { delete nginx(s).resources; }))).to.deep.equal([
                "nginx-container: no cpu request", "nginx-container: no memory request", "nginx-container: no memory limit",
            ]);
        });
    });

    describe("serving-containers-have-probes (probeViolations)", () => {
        it("reports a serving container without probes, and ignores one that serves no port", () => {
            expect(probeViolations(changedPod((s) => { delete nginx(s).readinessProbe; delete nginx(s).livenessProbe; }))).to.deep.equal([
                "nginx-container: no readinessProbe", "nginx-container: no livenessProbe",
            ]);
        });
    });

    describe("shared-logs-size-limit (sharedLogsViolations)", () => {
        it("reports the shared-logs emptyDir without a sizeLimit", () => {
            expect(sharedLogsViolations(changedPod((s) => { s.volumes![0] = { name: "shared-logs", emptyDir: {} }; }))).to.deep.equal(["volume shared-logs has no emptyDir sizeLimit"]);
        });
    });

    describe("no-service-account-token (serviceAccountTokenViolations)", () => {
        it("reports a Pod that leaves the token mounted", () => {
            expect(serviceAccountTokenViolations(changedPod((s) => { delete s.automountServiceAccountToken; }))).to.deep.equal(["automountServiceAccountToken is not false"]);
        });
        it("reports a projected serviceAccountToken volume, which mounts a token whatever automount says", () => {
            const spec = changedPod((s) => { s.volumes!.push({ name: "api-token", projected: { sources: [{ configMap: { name: "ca" } }, { serviceAccountToken: { path: "token" } }] } }); });
            expect(spec.automountServiceAccountToken).to.equal(false);
            expect(serviceAccountTokenViolations(spec)).to.deep.equal(["volume api-token projects a serviceAccountToken"]);
        });
        it("passes a projected volume of ConfigMaps, Secrets and the downward API", () => {
            const spec = changedPod((s) => { s.volumes!.push({ name: "files", projected: { sources: [{ configMap: { name: "a" } }, { secret: { name: "b" } }, { downwardAPI: { items: [] } }] } }); });
            expect(serviceAccountTokenViolations(spec)).to.deep.equal([]);
        });
    });

    describe("network-policies-restrict-traffic (networkPolicyViolations)", () => {
        it("passes a policy that restricts both directions, on named ports", () => {
            expect(networkPolicyViolations({ policyTypes: ["Ingress", "Egress"], ingress: [{ ports: [{ port: 80 }] }], egress: [] })).to.deep.equal([]);
        });
        it("passes single ports, numbered or named, and an endPort equal to the port", () => {
            expect(networkPolicyViolations({ policyTypes: ["Ingress", "Egress"], ingress: [{ ports: [{ port: 80 }, { protocol: "TCP", port: "http" }, { port: 443, endPort: 443 }] }] })).to.deep.equal([]);
        });
        it("reports a port entry with no port (every port of its protocol) and an endPort range, even beside egress to 0.0.0.0/0", () => {
            const spec = {
                policyTypes: ["Ingress", "Egress"],
                ingress: [{ ports: [{ protocol: "TCP" }] }],
                egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 1, endPort: 65535 }, { protocol: "UDP" }] }],
            };
            expect(networkPolicyViolations(spec)).to.deep.equal([
                "ingress[0].ports[0] opens every TCP port (no port)",
                "egress[0].ports[0] opens the range 1-65535 (endPort); name single ports",
                "egress[0].ports[1] opens every UDP port (no port)",
            ]);
        });
        it("reports a direction left out, and rules that open every port", () => {
            expect(networkPolicyViolations({ policyTypes: ["Ingress"], ingress: [{}], egress: [{ ports: [] }] })).to.deep.equal([
                "policyTypes does not include Egress, so that direction is not restricted",
                "ingress[0] names no ports, so it opens every port",
                "egress[0] names no ports, so it opens every port",
            ]);
        });
    });

    describe("a workload's Pod template (podTemplateOf): with replicas, the Deployment's Pods are checked as the bare Pod is", () => {
        const resolved = resolveArgs({ replicas: 3 });
        const deployment = JSON.parse(JSON.stringify({
            metadata: { name: "web", namespace: "team" },
            spec: buildDeploymentSpec(resolved, configMapNamesFor("web", resolved), {}),
        }));
        it("reads the template's spec and labels, under the workload's name and namespace", () => {
            const template = podTemplateOf<PodSpec>("kubernetes:apps/v1:Deployment", deployment)!;
            expect(template.metadata).to.deep.include({ name: "web", namespace: "team", labels: resolved.podLabels });
            for (const check of [restrictedProfileViolations, unpinnedImageViolations, resourceViolations, probeViolations, sharedLogsViolations, serviceAccountTokenViolations]) {
                expect(check(template.spec!), check.name).to.deep.equal([]);
            }
            expect(podTemplateOf("kubernetes:core/v1:Service", {})).to.equal(undefined);
        });
        it("counts a Deployment's Pods for pods-have-network-policy", () => {
            const workload: StackResource = { type: "kubernetes:apps/v1:Deployment", urn: "urn:web", name: "web", props: deployment };
            expect(podsWithoutNetworkPolicy([workload, networkPolicy({ matchLabels: resolved.selectorLabels }, "team")])).to.deep.equal([]);
            expect(podsWithoutNetworkPolicy([workload, networkPolicy({ matchLabels: { app: "other" } }, "team")]).map((v) => v.urn)).to.deep.equal(["urn:web"]);
        });
        it("reports a template that breaks a rule (the check is real)", () => {
            const broken = JSON.parse(JSON.stringify(deployment));
            broken.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
            expect(restrictedProfileViolations(podTemplateOf<PodSpec>("kubernetes:apps/v1:Deployment", broken)!.spec!)).to.not.deep.equal([]);
        });
    });

    describe("every kind that describes Pods (podTemplatesOf): a privileged container is reported whichever object carries it", () => {
        const privileged = (): PodSpec => changedPod((s) => { nginx(s).securityContext = { ...nginx(s).securityContext, privileged: true }; });
        const template = () => ({ metadata: { labels: { app: "job" } }, spec: privileged() });
        const workload = () => ({ metadata: { name: "w", namespace: "team" }, spec: { template: template() } });
        const cases: [string, unknown][] = [
            ["kubernetes:core/v1:Pod", { metadata: { name: "p" }, spec: privileged() }],
            ["kubernetes:batch/v1:Job", workload()],
            ["kubernetes:batch/v1:CronJob", { metadata: { name: "c" }, spec: { schedule: "* * * * *", jobTemplate: { spec: { template: template() } } } }],
            ["kubernetes:batch/v1beta1:CronJob", { metadata: { name: "c" }, spec: { jobTemplate: { spec: { template: template() } } } }],
            ["kubernetes:core/v1:ReplicationController", workload()],
            ["kubernetes:core/v1:PodTemplate", { metadata: { name: "t" }, template: template() }],
            ["kubernetes:apps/v1:Deployment", workload()],
            ["kubernetes:apps/v1beta1:Deployment", workload()],
            ["kubernetes:extensions/v1beta1:DaemonSet", workload()],
            ["kubernetes:apps/v1:StatefulSet", workload()],
            ["kubernetes:apps/v1:ReplicaSet", workload()],
            ["kubernetes:core/v1:PodPatch", { metadata: { name: "p" }, spec: privileged() }],
            ["kubernetes:apps/v1:DeploymentPatch", workload()],
            ["kubernetes:batch/v1:JobPatch", workload()],
            ["kubernetes:batch/v1:CronJobPatch", { metadata: { name: "c" }, spec: { jobTemplate: { spec: { template: template() } } } }],
            ["kubernetes:apps/v1:DeploymentList", { items: [workload(), { metadata: { name: "ok" }, spec: { template: { spec: componentPod() } } }] }],
        ];
        for (const [type, props] of cases) {
            it(type, () => {
                const pods = podTemplatesOf<PodSpec>(type, props);
                expect(pods.length, "Pods found").to.be.greaterThan(0);
                expect(pods.flatMap((p) => restrictedProfileViolations(p.spec ?? {}))).to.include("nginx-container: privileged");
            });
        }
        it("reads a List's items each as its kind (one privileged, one the component's)", () => {
            const pods = podTemplatesOf<PodSpec>("kubernetes:apps/v1:DeploymentList", cases.at(-1)![1]);
            expect(pods.map((p) => restrictedProfileViolations(p.spec ?? {}).length > 0)).to.deep.equal([true, false]);
        });
        it("places a Job's and a CronJob's Pods under the object's name and namespace, with the template's labels", () => {
            expect(podTemplateOf("kubernetes:batch/v1:Job", workload())?.metadata).to.deep.equal({ labels: { app: "job" }, name: "w", namespace: "team" });
        });
        it("describes no Pod for a patch that leaves the Pod's spec alone, nor for kinds without Pods", () => {
            expect(podTemplatesOf("kubernetes:apps/v1:DeploymentPatch", { metadata: { name: "w" }, spec: { replicas: 3 } })).to.deep.equal([]);
            expect(podTemplatesOf("kubernetes:core/v1:PodPatch", { metadata: { name: "p", labels: { a: "b" } } })).to.deep.equal([]);
            for (const type of ["kubernetes:core/v1:Service", "kubernetes:core/v1:ConfigMapPatch", "kubernetes:helm.sh/v3:Release", "kubernetes:yaml/v2:ConfigGroup", "pulumi:pulumi:Stack"]) {
                expect(podTemplatesOf(type, { spec: { template: template() } }), type).to.deep.equal([]);
            }
        });
        it("names the kind of a type and whether it is a patch", () => {
            expect(kindOf("kubernetes:batch/v1:CronJobPatch")).to.deep.equal({ kind: "CronJob", patch: true });
            expect(kindOf("kubernetes:core/v1:Pod")).to.deep.equal({ kind: "Pod", patch: false });
            expect(kindOf("webserver-sidecar:index:WebServer")).to.equal(undefined);
        });
        it("counts a Job's Pods for pods-have-network-policy", () => {
            const job: StackResource = { type: "kubernetes:batch/v1:Job", urn: "urn:job", name: "job", props: workload() as StackResource["props"] };
            expect(podsWithoutNetworkPolicy([job, networkPolicy({ matchLabels: { app: "other" } }, "team")]).map((v) => v.urn)).to.deep.equal(["urn:job"]);
            expect(podsWithoutNetworkPolicy([job, networkPolicy({ matchLabels: { app: "job" } }, "team")])).to.deep.equal([]);
        });
    });

    describe("pods-have-network-policy (podsWithoutNetworkPolicy)", () => {
        it("passes a Pod its NetworkPolicy selects", () => {
            expect(podsWithoutNetworkPolicy([pod("web", { app: "web" }), networkPolicy({ matchLabels: { app: "web" } })])).to.deep.equal([]);
        });
        it("passes a Pod in a namespace where the stack declares no NetworkPolicy (networkPolicy: false)", () => {
            expect(podsWithoutNetworkPolicy([pod("web", { app: "web" })])).to.deep.equal([]);
            expect(podsWithoutNetworkPolicy([pod("web", { app: "web" }, "team"), networkPolicy({}, "other")])).to.deep.equal([]);
        });
        it("reports a Pod that the stack's NetworkPolicy in its namespace does not select, by URN and name", () => {
            expect(podsWithoutNetworkPolicy([pod("web", { app: "web" }), networkPolicy({ matchLabels: { app: "other" } })])).to.deep.equal([{
                urn: "urn:web",
                message: "Pod web is selected by none of the NetworkPolicies this stack declares in its namespace, so any source may reach it and it may reach anything",
            }]);
        });
        it("counts an empty podSelector as selecting every Pod of its namespace", () => {
            expect(podsWithoutNetworkPolicy([pod("web", { app: "web" }, "web"), networkPolicy({}, "web")])).to.deep.equal([]);
        });
        it("places a resource without metadata.namespace in its provider's namespace", () => {
            const inTeam = { ...pod("web", { app: "web" }), provider: { props: { namespace: "team" } } };
            expect(podsWithoutNetworkPolicy([inTeam, networkPolicy({ matchLabels: { app: "other" } })])).to.deep.equal([]);
            expect(podsWithoutNetworkPolicy([inTeam, networkPolicy({ matchLabels: { app: "other" } }, "team")]).map((v) => v.urn)).to.deep.equal(["urn:web"]);
        });
    });

    describe("pods-left-to-namespace-policies (podsLeftToNamespacePolicies, advisory)", () => {
        it("notes a Pod in a namespace where the stack declares no NetworkPolicy", () => {
            expect(podsLeftToNamespacePolicies([pod("web", { app: "web" }, "team")]).map((v) => v.message)).to.deep.equal([
                "Pod web: this stack declares no NetworkPolicy in its namespace (networkPolicy: false), so its isolation is left to the namespace's own policies",
            ]);
        });
        it("says nothing of a Pod whose namespace has one of the stack's NetworkPolicies", () => {
            expect(podsLeftToNamespacePolicies([pod("web", { app: "web" }), networkPolicy({ matchLabels: { app: "other" } })])).to.deep.equal([]);
        });
    });

    describe("selects", () => {
        const labels = { app: "web", tier: "front" };
        const cases: [object, boolean][] = [
            [{}, true],
            [{ matchLabels: { app: "web" } }, true],
            [{ matchLabels: { app: "web", tier: "back" } }, false],
            [{ matchExpressions: [{ key: "tier", operator: "In", values: ["front", "edge"] }] }, true],
            [{ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["front"] }] }, false],
            [{ matchExpressions: [{ key: "app", operator: "Exists" }] }, true],
            [{ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, false],
            [{ matchExpressions: [{ key: "app", operator: "Matches" }] }, false],
        ];
        for (const [selector, expected] of cases) {
            it(`${expected ? "selects" : "does not select"} with ${JSON.stringify(selector)}`, () => {
                expect(selects(selector, labels)).to.equal(expected);
            });
        }
    });
});

describe("the policy pack stands on its own (pulumi policy publish from policy/)", () => {
    it("imports nothing from outside policy/ but its own dependencies and Node.js built-ins", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as { dependencies: Record<string, string> };
        const outside: string[] = [];
        for (const file of fs.readdirSync(POLICY_DIR).filter((f) => f.endsWith(".ts"))) {
            const source = fs.readFileSync(path.join(POLICY_DIR, file), "utf8");
            for (const [, specifier] of source.matchAll(/(?:from\s+|require\(\s*|import\(\s*)["']([^"']+)["']/g)) {
                const packageName = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0];
                const ok = specifier.startsWith("./")
                    ? path.dirname(path.resolve(POLICY_DIR, specifier)) === POLICY_DIR
                    : packageName in manifest.dependencies || builtinModules.includes(specifier.replace(/^node:/, ""));
                if (!ok) outside.push(`${file}: ${specifier}`);
            }
        }
        expect(outside).to.deep.equal([]);
    });

    describe("its copy of the image-reference rules agrees with the component's (components/validators.ts)", () => {
        const digest = `sha256:${"a".repeat(64)}`;
        const references = [
            "nginx", "nginx:latest", "nginx:1.30.5", `nginx@${digest}`, `nginx:1.30.5@${digest}`, "NGINX:1.30", "nginx:1.30 ",
            "registry.example.com:5000/team/nginx:1.30.3", `localhost:5000/nginx:1.30.3@${digest}`, `nginx@sha256:${"a".repeat(63)}`,
            "a/b/c/d:e", "a__b:1", "a--b:1", "a..b:1", ":1", "nginx:", "nginx@", "nginx:.1", `nginx:${"x".repeat(128)}`, `nginx:${"x".repeat(129)}`,
            "my-registry/ns/img:v1-rc.1", "-bad:1", "UPPER/path:1", "Upper.example.com/path:1", "", "registry:port/x:1",
        ];
        it("has the same code, so that no reference can tell them apart", () => {
            for (const name of ["parseImageReference", "isPinnedImage"] as const) {
                expect(policyImages[name].toString(), name).to.equal(componentImages[name].toString());
            }
        });
        for (const reference of references) {
            it(JSON.stringify(reference.length > 40 ? `${reference.slice(0, 40)}...` : reference), () => {
                expect(policyImages.parseImageReference(reference)).to.deep.equal(componentImages.parseImageReference(reference));
                expect(policyImages.isPinnedImage(reference)).to.equal(componentImages.isPinnedImage(reference));
            });
        }
    });
});
