import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS, ResolvedWebServerArgs, SERVICE_TYPES, SIDECAR_MODES, ServiceType, SidecarMode, PlainWebServerArgs, checkArgs, resolveArgs } from "../components/args";
import { WebServerConfigError } from "../components/errors";

/** Runs resolveArgs and returns the error it throws, failing the test if it does not throw. */
function errorOf(args: PlainWebServerArgs): WebServerConfigError {
    try {
        resolveArgs(args);
    } catch (e) {
        expect(e).to.be.instanceOf(WebServerConfigError);
        // The Pulumi CLI prints a RunError's message alone, without a stack trace of our code.
        expect(pulumi.RunError.isInstance(e)).to.equal(true);
        return e as WebServerConfigError;
    }
    throw new Error(`resolveArgs accepted ${JSON.stringify(args)}`);
}

describe("resolveArgs", () => {
    describe("defaults", () => {
        const resolved = resolveArgs({});
        const table: [keyof ResolvedWebServerArgs, unknown][] = [
            ["podName", "webserver"],
            ["namespace", undefined],
            ["instance", "webserver"],
            ["selectorLabels", { "app.kubernetes.io/name": "webserver-sidecar", "app.kubernetes.io/instance": "webserver" }],
            ["podLabels", { "app.kubernetes.io/instance": "webserver", "app.kubernetes.io/name": "webserver-sidecar" }],
            ["nginxImage", "nginx:1.30.5@sha256:b972f831f200b19ef0767938224f9711e74cd783718738cd7405d5cabf75c442"],
            ["sidecarImage", DEFAULTS.sidecarImage],
            ["logSizeLimit", "128Mi"],
            ["logSizeLimitBytes", 128 * 2 ** 20],
            ["sidecarMode", "native"],
            ["service", undefined],
            ["terminationGracePeriodSeconds", 30],
            ["readyTimeoutSeconds", 300],
            ["networkPolicy", { allowFrom: undefined }],
            ["resources", {
                nginx: { requests: { cpu: "100m", memory: "64Mi" }, limits: { memory: "128Mi" } },
                sidecar: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "64Mi" } },
            }],
            ["podAnnotations", undefined],
            ["nodeSelector", undefined],
            ["tolerations", undefined],
            ["affinity", undefined],
            ["imagePullSecrets", undefined],
            ["hostUsers", undefined],
            ["readinessPath", "/"],
            ["accessLogFormat", undefined],
            ["contentFrom", undefined],
            ["uidAssignment", "pinned"],
            ["autoscaling", undefined],
            ["nginxImageGiven", false],
        ];
        for (const [field, expected] of table) {
            it(`${field} defaults to ${JSON.stringify(expected)}`, () => {
                expect(resolved[field]).to.deep.equal(expected);
            });
        }
        it("pins nginx by its stable 1.30 tag and a digest", () => {
            expect(DEFAULTS.nginxImage).to.match(/^nginx:1\.30\.\d+@sha256:[0-9a-f]{64}$/);
        });
        it("pins the sidecar image by tag and digest, never latest", () => {
            expect(DEFAULTS.sidecarImage).to.match(/^python:3\.11\.\d+-slim-bookworm@sha256:[0-9a-f]{64}$/);
        });
        it("still accepts any pinned image a user gives: a tag alone, a digest alone, or both", () => {
            for (const image of ["nginx:1.30.2", "nginx@sha256:" + "a".repeat(64), "registry.local:5000/web/nginx:1.30.5@sha256:" + "b".repeat(64)]) {
                expect(resolveArgs({ nginxImage: image, sidecarImage: image }).nginxImage).to.equal(image);
            }
        });
        it("turns the NetworkPolicy off with networkPolicy: false", () => {
            expect(resolveArgs({ networkPolicy: false }).networkPolicy).to.equal(undefined);
        });
        it("keeps allowFrom's peers, selectors sorted by label", () => {
            const resolved = resolveArgs({ allowFrom: [{ podSelector: { role: "lb", app: "edge" } }, { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] }] });
            expect(resolved.networkPolicy).to.deep.equal({
                allowFrom: [
                    { kind: "selector", podSelector: { app: "edge", role: "lb" } },
                    { kind: "ipBlock", cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] },
                ],
            });
            expect(Object.keys((resolved.networkPolicy!.allowFrom![0] as { podSelector: object }).podSelector)).to.deep.equal(["app", "role"]);
        });
        it("fills a Service's type and port when only the Service is asked for", () => {
            expect(resolveArgs({ service: {} }).service).to.deep.equal({ type: "ClusterIP", port: 80, annotations: undefined, loadBalancerSourceRanges: undefined });
        });
        it("keeps zero-like values instead of replacing them with defaults", () => {
            // `??`, not `||`: a wrong value must be reported, not silently replaced by a default.
            expect(errorOf({ terminationGracePeriodSeconds: 0 }).message).to.include("terminationGracePeriodSeconds: got 0");
            expect(errorOf({ podName: "" }).message).to.include('podName: got ""');
            expect(errorOf({ readyTimeoutSeconds: 0 }).message).to.include("readyTimeoutSeconds: got 0");
        });
        it("takes an enum's member and its literal alike (sidecarMode, service.type)", () => {
            const byMember = resolveArgs({ sidecarMode: SidecarMode.Classic, service: { type: ServiceType.NodePort } });
            const byLiteral = resolveArgs({ sidecarMode: "classic", service: { type: "NodePort" } });
            expect(byMember).to.deep.equal(byLiteral);
            expect([byMember.sidecarMode, byMember.service?.type]).to.deep.equal(["classic", "NodePort"]);
        });
        it("lists each enum's values for messages, in declaration order", () => {
            expect(SIDECAR_MODES).to.deep.equal(["native", "classic"]);
            expect(SERVICE_TYPES).to.deep.equal(["ClusterIP", "NodePort", "LoadBalancer"]);
        });
        it("leaves the name to Pulumi with autoName, the instance label being the component's name", () => {
            const resolved = resolveArgs({ autoName: true }, { name: "api" });
            expect(resolved.podName).to.equal(undefined);
            expect(resolved.selectorLabels).to.deep.equal({ "app.kubernetes.io/name": "webserver-sidecar", "app.kubernetes.io/instance": "api" });
        });
    });

    describe("the Pod's settings", () => {
        it("merges resources over the defaults, resource by resource, keeping the memory limit unless replaced", () => {
            const resolved = resolveArgs({ resources: { nginx: { requests: { cpu: "250m" } }, sidecar: { limits: { memory: "96Mi", "ephemeral-storage": "1Gi" } } } });
            expect(resolved.resources).to.deep.equal({
                nginx: { requests: { cpu: "250m", memory: "64Mi" }, limits: { memory: "128Mi" } },
                sidecar: { requests: { cpu: "50m", memory: "32Mi" }, limits: { "ephemeral-storage": "1Gi", memory: "96Mi" } },
            });
        });
        it("keeps podAnnotations, nodeSelector and Service annotations sorted by key", () => {
            const resolved = resolveArgs({
                podAnnotations: { "b.example.com/x": "1", a: "2" }, nodeSelector: { zone: "a", "kubernetes.io/arch": "arm64" },
                service: { type: "LoadBalancer", annotations: { z: "1", "service.beta.kubernetes.io/aws-load-balancer-internal": "true" }, loadBalancerSourceRanges: ["203.0.113.0/24"] },
            });
            expect(Object.keys(resolved.podAnnotations!)).to.deep.equal(["a", "b.example.com/x"]);
            expect(Object.keys(resolved.nodeSelector!)).to.deep.equal(["kubernetes.io/arch", "zone"]);
            expect(Object.keys(resolved.service!.annotations!)).to.deep.equal(["service.beta.kubernetes.io/aws-load-balancer-internal", "z"]);
            expect(resolved.service!.loadBalancerSourceRanges).to.deep.equal(["203.0.113.0/24"]);
        });
        it("keeps tolerations as given, with only the fields given", () => {
            const tolerations = [{ key: "dedicated", operator: "Equal" as const, value: "web", effect: "NoSchedule" as const },
                { operator: "Exists" as const }, { key: "node.kubernetes.io/unreachable", operator: "Exists" as const, effect: "NoExecute" as const, tolerationSeconds: 60 }];
            expect(resolveArgs({ tolerations }).tolerations).to.deep.equal(tolerations);
        });
        it("takes affinity, imagePullSecrets and hostUsers: false as given", () => {
            const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }] } } };
            const resolved = resolveArgs({ affinity, imagePullSecrets: ["registry-credentials"], hostUsers: false });
            expect([resolved.affinity, resolved.imagePullSecrets, resolved.hostUsers]).to.deep.equal([affinity, ["registry-credentials"], false]);
        });
    });

    describe("names and labels", () => {
        it("names the objects after the component by default", () => {
            const resolved = resolveArgs({}, { name: "api" });
            expect([resolved.podName, resolved.instance]).to.deep.equal(["api", "api"]);
        });
        it("takes a fixed podName, which is also the instance label", () => {
            const resolved = resolveArgs({ podName: "webserver" }, { name: "api" });
            expect([resolved.podName, resolved.selectorLabels["app.kubernetes.io/instance"]]).to.deep.equal(["webserver", "webserver"]);
        });
        it("adds podLabels to the Pod's labels, sorted by key, leaving the selector alone", () => {
            const resolved = resolveArgs({ podLabels: { team: "web", app: "webserver" } }, { name: "api" });
            expect(Object.entries(resolved.podLabels)).to.deep.equal([
                ["app", "webserver"], ["app.kubernetes.io/instance", "api"], ["app.kubernetes.io/name", "webserver-sidecar"], ["team", "web"],
            ]);
            expect(resolved.selectorLabels).to.deep.equal({ "app.kubernetes.io/name": "webserver-sidecar", "app.kubernetes.io/instance": "api" });
        });
        it("refuses a component name that cannot be a Kubernetes name, naming it and the ways out", () => {
            expect(() => resolveArgs({}, { name: "My_Web" })).to.throw(WebServerConfigError,
                /podName \(the component's name\): got "My_Web"; allowed: a DNS-1123 label.*; or pass podName, or autoName: true/);
        });
        it("takes any valid label value as the component's name under autoName, and refuses others", () => {
            expect(resolveArgs({ autoName: true }, { name: "My_Web" }).instance).to.equal("My_Web");
            expect(() => resolveArgs({ autoName: true }, { name: "my web" })).to.throw(WebServerConfigError,
                /autoName \(the component's name, its instance label\): got "my web"; allowed: a label value/);
        });
    });

    describe("bad arguments", () => {
        const cases: [string, PlainWebServerArgs, string][] = [
            ["a latest nginx image", { nginxImage: "nginx:latest" }, 'nginxImage: got "nginx:latest"; allowed: an image reference pinned'],
            ["an untagged sidecar image", { sidecarImage: "ubuntu" }, 'sidecarImage: got "ubuntu"; allowed: an image reference pinned'],
            ["a size that is not a quantity", { logSizeLimit: "lots" }, 'logSizeLimit: got "lots"; allowed: a Kubernetes quantity of bytes of at least 1Mi'],
            ["a size too small to rotate in", { logSizeLimit: "100Ki" }, 'logSizeLimit: got "100Ki"'],
            ["an unknown sidecar mode", { sidecarMode: "sidecar" as never }, 'sidecarMode: got "sidecar"; allowed: native | classic'],
            ["an unknown Service type", { service: { type: "Ingress" as never } }, 'service.type: got "Ingress"; allowed: ClusterIP | NodePort | LoadBalancer'],
            ["a port out of range", { service: { port: 70000 } }, "service.port: got 70000; allowed: an integer port from 1 to 65535"],
            ["a fractional port", { service: { port: 80.5 } }, "service.port: got 80.5"],
            ["a Pod name that is not a DNS label", { podName: "Web_Server" }, 'podName: got "Web_Server"; allowed: a DNS-1123 label'],
            ["a grace period too short to drain", { terminationGracePeriodSeconds: 1 }, "terminationGracePeriodSeconds: got 1; allowed: a whole number of seconds, at least 5"],
            ["a ready timeout too short for a healthy Pod", { readyTimeoutSeconds: 5 },
                "readyTimeoutSeconds: got 5; allowed: a whole number of seconds, at least 10 (the Pod needs time to start and pass its readiness probe)"],
            ["a fractional ready timeout", { readyTimeoutSeconds: 30.5 }, "readyTimeoutSeconds: got 30.5; allowed: a whole number of seconds"],
            ["a ready timeout that is not a number", { readyTimeoutSeconds: "5m" as never }, 'readyTimeoutSeconds: got "5m"; allowed: a whole number of seconds'],
            ["a namespace that is not a DNS label", { namespace: "Web" }, 'namespace: got "Web"; allowed: a DNS-1123 label'],
            ["an empty namespace", { namespace: "" }, 'namespace: got ""; allowed: a DNS-1123 label'],
            ["a resource quantity that is not one", { resources: { nginx: { requests: { cpu: "lots" } } } }, 'resources.nginx.requests.cpu: got "lots"; allowed: a Kubernetes quantity'],
            ["a misspelled resource name", { resources: { nginx: { limits: { memroy: "1Gi" } } } }, 'resources.nginx.limits.memroy: got "1Gi"; allowed: did you mean memory? a resource name'],
            ["a request above its limit, the default limit counting", { resources: { sidecar: { requests: { memory: "1Gi" } } } },
                'resources.sidecar.requests.memory + resources.sidecar.limits.memory: got {"request":"1Gi","limit":"64Mi"}; allowed: a request no larger than its limit'],
            ["a container that is neither", { resources: { sidecr: {} } } as never, "resources.sidecr: got {}; allowed: did you mean resources.sidecar? known keys: nginx, sidecar"],
            ["a misspelled requests", { resources: { nginx: { request: { cpu: "1" } } } } as never, 'resources.nginx.request: got {"cpu":"1"}; allowed: did you mean resources.nginx.requests?'],
            ["a podAnnotation the component owns", { podAnnotations: { "pulumi.com/waitFor": "condition=Ready" } },
                'podAnnotations.pulumi.com/waitFor: got "condition=Ready"; allowed: an annotation other than pulumi.com/waitFor and pulumi.com/timeoutSeconds'],
            ["a podAnnotation naming the stack that owns the objects", { podAnnotations: { "webserver-sidecar/owner": "organization/other/prod" } },
                'podAnnotations.webserver-sidecar/owner: got "organization/other/prod"; allowed: an annotation other than pulumi.com/waitFor and pulumi.com/timeoutSeconds and webserver-sidecar/files-sha256 and webserver-sidecar/owner, which the component sets (it names the stack that created the object)'],
            ["a Service annotation naming the stack that owns the objects", { service: { annotations: { "webserver-sidecar/owner": "organization/other/prod" } } },
                'service.annotations.webserver-sidecar/owner: got "organization/other/prod"; allowed: an annotation other than webserver-sidecar/owner'],
            ["a podAnnotation with a bad key", { podAnnotations: { "a b": "x" } }, 'podAnnotations.a b: got "a b"; allowed: an annotation key'],
            ["a podAnnotation that is not a string", { podAnnotations: { "prometheus.io/scrape": true } as never }, 'podAnnotations.prometheus.io/scrape: got true; allowed: a string'],
            ["annotations past the API server's 256 KiB", { podAnnotations: { big: "x".repeat(300 * 1024) } }, "podAnnotations: got \"(307203 bytes of keys and values)\"; allowed: at most 262144 bytes"],
            ["a nodeSelector with a bad value", { nodeSelector: { zone: "a b" } }, 'nodeSelector.zone: got "a b"; allowed: a label value'],
            ["a nodeSelector that is a list", { nodeSelector: ["zone=a"] as never }, 'nodeSelector: got ["zone=a"]; allowed: an object of node labels'],
            ["a toleration operator that does not exist", { tolerations: [{ key: "a", operator: "In" as never }] }, 'tolerations[0].operator: got "In"; allowed: Equal | Exists'],
            ["a toleration effect that does not exist", { tolerations: [{ key: "a", effect: "NoRun" as never }] }, 'tolerations[0].effect: got "NoRun"; allowed: NoSchedule | PreferNoSchedule | NoExecute'],
            ["a toleration with no key and Equal", { tolerations: [{ value: "x" }] }, 'tolerations[0].key + tolerations[0].operator: got {"operator":"Equal"}; allowed: a key, unless operator is Exists'],
            ["a value with Exists", { tolerations: [{ key: "a", operator: "Exists", value: "x" }] }, 'tolerations[0].value + tolerations[0].operator: got {"value":"x","operator":"Exists"}; allowed: no value with operator Exists'],
            ["tolerationSeconds without NoExecute", { tolerations: [{ key: "a", effect: "NoSchedule", tolerationSeconds: 30 }] }, "tolerations[0].tolerationSeconds: got 30; allowed: a whole number of seconds, only with effect NoExecute"],
            ["a misspelled toleration field", { tolerations: [{ key: "a", efect: "NoSchedule" }] } as never, 'tolerations[0].efect: got "NoSchedule"; allowed: did you mean tolerations[0].effect?'],
            ["an affinity with an unknown kind", { affinity: { nodeAfinity: {} } } as never, "affinity.nodeAfinity: got {}; allowed: did you mean affinity.nodeAffinity?"],
            ["an imagePullSecret that is not a Secret's name", { imagePullSecrets: ["Registry Creds"] }, 'imagePullSecrets[0]: got "Registry Creds"; allowed: a Secret\'s name: a DNS-1123 subdomain'],
            ["an imagePullSecret twice", { imagePullSecrets: ["creds", "creds"] }, 'imagePullSecrets[1]: got "creds"; allowed: each Secret once'],
            ["a hostUsers that is not a boolean", { hostUsers: "false" as never }, 'hostUsers: got "false"; allowed: true | false'],
            ["a readinessPath that is relative", { readinessPath: "healthz" }, 'readinessPath: got "healthz"; allowed: an absolute URL path of at most 1024 characters'],
            ["a readinessPath with a space", { readinessPath: "/health check" }, 'readinessPath: got "/health check"; allowed: an absolute URL path'],
            ["a readinessPath with a query", { readinessPath: "/healthz?full=1" }, "no spaces, control characters, '?' or '#'"],
            ["a readinessPath with a control character", { readinessPath: "/healthz\r\nHost: x" }, 'readinessPath: got "/healthz\\r\\nHost: x"; allowed: an absolute URL path'],
            ["a readinessPath that is a number", { readinessPath: 8080 as never }, "readinessPath: got 8080; allowed: an absolute URL path"],
            ["a readinessPath past 1024 characters", { readinessPath: `/${"a".repeat(1024)}` }, "readinessPath: got"],
            ["a site without the page readinessPath asks for", { readinessPath: "/healthz.html", content: { "index.html": "" } },
                'content: got ["index.html"]; allowed: a site with healthz.html or healthz.html/index.html or healthz.html/index.htm (nginx\'s readiness probe asks for readinessPath /healthz.html)'],
            ["contentFrom beside content, naming both keys", { content: { "index.html": "hi" }, contentFrom: { configMap: "site" } },
                'content + contentFrom: got {"content":"(given)","contentFrom":{"configMap":"site"}}; allowed: one of them: content is a site the component keeps in a ConfigMap of its own, contentFrom the team\'s own ConfigMap or PersistentVolumeClaim'],
            ["contentFrom beside binaryContent, naming both keys", { binaryContent: { "index.html": "aGk=" }, contentFrom: { persistentVolumeClaim: "site" } },
                'binaryContent + contentFrom: got {"binaryContent":"(given)","contentFrom":{"persistentVolumeClaim":"site"}}; allowed: one of them'],
            ["contentFrom with both kinds", { contentFrom: { configMap: "a", persistentVolumeClaim: "b" } },
                'contentFrom: got {"configMap":"a","persistentVolumeClaim":"b"}; allowed: an object with exactly one of configMap or persistentVolumeClaim'],
            ["contentFrom with neither kind", { contentFrom: {} }, "contentFrom: got {}; allowed: an object with exactly one of configMap or persistentVolumeClaim"],
            ["contentFrom that is a string", { contentFrom: "site" as never }, 'contentFrom: got "site"; allowed: an object with exactly one of'],
            ["a contentFrom ConfigMap that cannot be a name", { contentFrom: { configMap: "Site Files" } },
                'contentFrom.configMap: got "Site Files"; allowed: the name of the team\'s ConfigMap: a DNS-1123 subdomain'],
            ["a contentFrom ConfigMap the component owns", { contentFrom: { configMap: "webserver-shipper" } },
                'contentFrom.configMap: got "webserver-shipper"; allowed: a ConfigMap of the team\'s, not one the component owns (webserver-shipper, webserver-content, webserver-server-config, webserver-nginx-config)'],
            ["a misspelled contentFrom field", { contentFrom: { pvc: "site" } } as never, 'contentFrom.pvc: got "site"; allowed: known keys: configMap, persistentVolumeClaim'],
            ["autoscaling without maxReplicas", { autoscaling: {} as never },
                "autoscaling.maxReplicas: got (not set); allowed: required: a whole number from minReplicas to 100, the most Pods the autoscaler may run"],
            ["autoscaling with minReplicas above maxReplicas, naming both", { autoscaling: { minReplicas: 4, maxReplicas: 2 } },
                'autoscaling.minReplicas + autoscaling.maxReplicas: got {"minReplicas":4,"maxReplicas":2}; allowed: minReplicas at most maxReplicas'],
            ["autoscaling past 100 Pods", { autoscaling: { maxReplicas: 1000 } }, "autoscaling.maxReplicas: got 1000; allowed: a whole number from minReplicas to 100"],
            ["autoscaling with a fractional minReplicas", { autoscaling: { minReplicas: 1.5, maxReplicas: 3 } }, "autoscaling.minReplicas: got 1.5; allowed: a whole number from 1 to 100"],
            ["autoscaling with a target of 0", { autoscaling: { maxReplicas: 3, targetCPUUtilizationPercentage: 0 } },
                "autoscaling.targetCPUUtilizationPercentage: got 0; allowed: a whole number of percent from 1 to 1000"],
            ["autoscaling with a target as a string", { autoscaling: { maxReplicas: 3, targetCPUUtilizationPercentage: "80%" as never } },
                'autoscaling.targetCPUUtilizationPercentage: got "80%"; allowed: a whole number of percent'],
            ["a misspelled autoscaling field", { autoscaling: { maxReplicas: 3, targetCPU: 50 } } as never,
                "autoscaling.targetCPU: got 50; allowed: known keys: minReplicas, maxReplicas, targetCPUUtilizationPercentage"],
            ["autoscaling that is a number", { autoscaling: 3 as never }, "autoscaling: got 3; allowed: an object { minReplicas?: 1.., maxReplicas: minReplicas..100"],
            ["replicas outside the autoscaler's bounds, naming both", { replicas: 5, autoscaling: { minReplicas: 1, maxReplicas: 3 } },
                'replicas + autoscaling: got {"replicas":5,"minReplicas":1,"maxReplicas":3}; allowed: replicas (the count the Deployment starts with) from minReplicas to maxReplicas'],
            ["autoscaling with a grace period too short for a Deployment's Pod", { autoscaling: { maxReplicas: 3 }, terminationGracePeriodSeconds: 8 },
                'autoscaling + terminationGracePeriodSeconds: got {"autoscaling":{"maxReplicas":3},"terminationGracePeriodSeconds":8}; allowed: a grace period of at least 10 s with autoscaling'],
            ["a uidAssignment that is a uid", { uidAssignment: 1000 as never },
                "uidAssignment: got 1000; allowed: pinned | platform (pinned: uid and gid 10101; platform: the uid the platform's admission assigns, e.g. OpenShift's restricted-v2)"],
            ["a uidAssignment that is not one", { uidAssignment: "random" as never }, 'uidAssignment: got "random"; allowed: pinned | platform'],
            ["a source range that is not a CIDR", { service: { type: "LoadBalancer", loadBalancerSourceRanges: ["203.0.113.0"] } },
                'service.loadBalancerSourceRanges[0]: got "203.0.113.0"; allowed: an IPv4 or IPv6 block in CIDR notation'],
            ["source ranges on a ClusterIP Service", { service: { loadBalancerSourceRanges: ["203.0.113.0/24"] } },
                'service.type + service.loadBalancerSourceRanges: got {"type":"ClusterIP","loadBalancerSourceRanges":["203.0.113.0/24"]}; allowed: loadBalancerSourceRanges only with type LoadBalancer'],
            ["a Service annotation with a bad key", { service: { annotations: { "-x": "1" } } }, 'service.annotations.-x: got "-x"; allowed: an annotation key'],
            ["a misspelled argument", { nginxImag: "nginx:1.30.2" } as never, 'nginxImag: got "nginx:1.30.2"; allowed: did you mean nginxImage? known keys: podName, autoName,'],
            ["an argument unlike any", { shards: 3 } as never, "shards: got 3; allowed: known keys: podName,"],
            ["a misspelled Service field", { service: { tpye: "NodePort" } } as never, 'service.tpye: got "NodePort"; allowed: did you mean service.type? known keys: type, port'],
            ["a fixed name together with auto-naming", { podName: "web", autoName: true }, "podName + autoName: got"],
            ["a podLabel that would take over the instance label", { podLabels: { "app.kubernetes.io/instance": "other" } },
                'podLabels.app.kubernetes.io/instance: got "other"; allowed: a label other than app.kubernetes.io/name and app.kubernetes.io/instance'],
            ["a podLabel that would take over the name label", { podLabels: { "app.kubernetes.io/name": "x" } }, 'podLabels.app.kubernetes.io/name: got "x"'],
            ["a podLabel with a bad key", { podLabels: { "-team": "web" } }, 'podLabels.-team: got "-team"; allowed: a label key'],
            ["a podLabel with a bad value", { podLabels: { team: "a b" } }, 'podLabels.team: got "a b"; allowed: a label value'],
            ["a podLabel that is not a string", { podLabels: { replicas: 2 } as never }, "podLabels.replicas: got 2; allowed: a label value"],
            ["podLabels that are not an object", { podLabels: "app=web" as never }, 'podLabels: got "app=web"; allowed: an object of labels'],
            ["a networkPolicy that is not a boolean", { networkPolicy: "yes" as never }, 'networkPolicy: got "yes"; allowed: true | false'],
            ["allowFrom with the NetworkPolicy turned off", { networkPolicy: false, allowFrom: [{ cidr: "10.0.0.0/8" }] },
                'networkPolicy + allowFrom: got {"networkPolicy":false,"allowFrom":[{"cidr":"10.0.0.0/8"}]}; allowed: one of them'],
            ["an empty allowFrom, which Kubernetes would read as from anywhere", { allowFrom: [] }, "allowFrom: got []; allowed: a non-empty list of peers"],
            ["an allowFrom that is not a list", { allowFrom: { cidr: "10.0.0.0/8" } as never }, 'allowFrom: got {"cidr":"10.0.0.0/8"}; allowed: a non-empty list'],
            ["a peer with neither selectors nor a block", { allowFrom: [{}] }, "allowFrom[0]: got {}; allowed: a non-empty list of peers"],
            ["a peer with an unknown field", { allowFrom: [{ podSelector: {}, ports: [80] } as never] }, "allowFrom[0].ports: got [80]; allowed: only the fields namespaceSelector, podSelector, cidr, except"],
            ["a peer that is both a block and selectors", { allowFrom: [{ cidr: "10.0.0.0/8", podSelector: { app: "lb" } }] },
                'allowFrom[0].cidr + allowFrom[0].podSelector: got {"cidr":"10.0.0.0/8","podSelector":{"app":"lb"}}; allowed: one of them'],
            ["a CIDR that is not one", { allowFrom: [{ cidr: "10.0.0.0" }] }, 'allowFrom[0].cidr: got "10.0.0.0"; allowed: an IPv4 or IPv6 block in CIDR notation'],
            ["a prefix too long for IPv4", { allowFrom: [{ cidr: "10.0.0.0/33" }] }, 'allowFrom[0].cidr: got "10.0.0.0/33"'],
            ["an except outside its block", { allowFrom: [{ cidr: "10.0.0.0/8", except: ["192.168.0.0/16"] }] },
                'allowFrom[0].except[0]: got "192.168.0.0/16"; allowed: a CIDR block strictly inside 10.0.0.0/8'],
            ["an except without a block", { allowFrom: [{ podSelector: { app: "a" }, except: ["10.0.0.0/8"] }] }, "allowFrom[0].except: got [\"10.0.0.0/8\"]; allowed: only together with cidr"],
            ["a selector with a bad label key", { allowFrom: [{ namespaceSelector: { "-team": "web" } }] }, 'allowFrom[0].namespaceSelector.-team: got "-team"; allowed: a label key'],
            ["a selector with a bad label value", { allowFrom: [{ podSelector: { app: "a b" } }] }, 'allowFrom[0].podSelector.app: got "a b"; allowed: a label value'],
            ["a selector that is not an object", { allowFrom: [{ podSelector: "app=lb" as never }] }, 'allowFrom[0].podSelector: got "app=lb"; allowed: an object of labels'],
        ];
        for (const [what, args, message] of cases) {
            it(`refuses ${what}`, () => {
                expect(errorOf(args).message).to.include(message);
            });
        }

        it("reports every problem at once", () => {
            const error = errorOf({ nginxImage: "nginx", sidecarImage: "busybox:latest", logSizeLimit: "x", service: { port: 0 } });
            expect(error.problems.map((p) => p.key)).to.deep.equal(["nginxImage", "sidecarImage", "logSizeLimit", "service.port"]);
            expect(error.message).to.match(/^invalid webserver-sidecar configuration \(4 problems\)/);
        });

        it("names stack config keys with their namespace when asked", () => {
            try {
                resolveArgs({ nginxImage: "nginx" }, { keyPrefix: "webserver-sidecar:" });
                expect.fail("accepted an unpinned image");
            } catch (e) {
                expect((e as Error).message).to.include('webserver-sidecar:nginxImage: got "nginx"');
            }
        });
    });
});

describe("checkArgs", () => {
    it("returns every problem, keyed with the prefix, instead of throwing", () => {
        const checked = checkArgs({ nginxImage: "nginx:latest", logSizeLimit: "lots" }, { keyPrefix: "webserver-sidecar:" });
        expect(checked.ok).to.equal(false);
        const keys = checked.ok ? [] : checked.problems.map((p) => p.key);
        expect(keys).to.deep.equal(["webserver-sidecar:nginxImage", "webserver-sidecar:logSizeLimit"]);
    });

    it("returns the same resolved arguments as resolveArgs when all is well", () => {
        const args: PlainWebServerArgs = { service: { type: "NodePort" } };
        expect(checkArgs(args)).to.deep.equal({ ok: true, resolved: resolveArgs(args) });
    });
});
