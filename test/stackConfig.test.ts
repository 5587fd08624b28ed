import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { WebServerConfigError } from "../components/errors";
import { KubeconfigEnvironment } from "../program/kubeconfig";
import { StackConfig, readStackConfig } from "../program/stackConfig";

const FIXTURE = path.join(__dirname, "fixtures", "two-contexts.kubeconfig");

/** A machine with only the given files, no $KUBECONFIG, and /home/dev as home. */
function fakeEnvironment(files: Record<string, string> = {}, kubeconfigEnv?: string): KubeconfigEnvironment {
    return { kubeconfigEnv, homeDirectory: "/home/dev", readFile: (file) => files[file] };
}

const fixtureText = fs.readFileSync(FIXTURE, "utf8");
const withFixture = fakeEnvironment({ "/clusters/two.yaml": fixtureText });

function read(config: Record<string, string>, env = withFixture): StackConfig {
    return readStackConfig(config, env);
}

function problemsOf(config: Record<string, string>, env = withFixture): string {
    try {
        read(config, env);
    } catch (e) {
        expect(e).to.be.instanceOf(WebServerConfigError);
        return (e as Error).message;
    }
    throw new Error(`accepted ${JSON.stringify(config)}`);
}

describe("readStackConfig", () => {
    describe("an empty stack config", () => {
        const config = read({});
        it("targets the default namespace", () => expect(config.cluster.namespace).to.equal("default"));
        it("uses the kubeconfig's current-context", () => expect(config.cluster.context).to.equal(undefined));
        it("uses ~/.kube/config as kubectl does", () => {
            expect(config.cluster.kubeconfig).to.deep.equal({ kind: "default", paths: ["/home/dev/.kube/config"] });
        });
        it("creates no Service", () => expect(config.webServer.service).to.equal(undefined));
    });

    it("follows $KUBECONFIG, a list of files like kubectl's", () => {
        const config = read({ "webserver-sidecar:context": "beta" }, fakeEnvironment({ "/b.yaml": fixtureText }, "/a.yaml:/b.yaml"));
        expect(config.cluster.kubeconfig).to.deep.equal({ kind: "default", paths: ["/a.yaml", "/b.yaml"] });
        expect(config.cluster.context).to.equal("beta");
    });

    // contentFrom, which cannot stand beside content, is read in a test of its own below.
    it("reads every key", () => {
        const config = read({
            "webserver-sidecar:kubeconfig": "/clusters/two.yaml",
            "webserver-sidecar:context": "beta",
            "webserver-sidecar:namespace": "web",
            "webserver-sidecar:service": JSON.stringify({ type: "NodePort", port: 8080 }),
            "webserver-sidecar:nginxImage": "nginx:1.30.2",
            "webserver-sidecar:sidecarImage": "python:3.11.13-slim-bookworm",
            "webserver-sidecar:logSizeLimit": "32Mi",
            "webserver-sidecar:sidecarMode": "classic",
            "webserver-sidecar:networkPolicy": "true",
            "webserver-sidecar:allowFrom": JSON.stringify([{ cidr: "10.0.0.0/8" }]),
            "webserver-sidecar:readyTimeoutSeconds": "45",
            "webserver-sidecar:podLabels": JSON.stringify({ team: "web" }),
            "webserver-sidecar:podAnnotations": JSON.stringify({ "prometheus.io/scrape": "true" }),
            "webserver-sidecar:resources": JSON.stringify({ nginx: { limits: { memory: "256Mi" } } }),
            "webserver-sidecar:nodeSelector": JSON.stringify({ "kubernetes.io/arch": "arm64" }),
            "webserver-sidecar:tolerations": JSON.stringify([{ key: "dedicated", value: "web", effect: "NoSchedule" }]),
            "webserver-sidecar:affinity": JSON.stringify({ podAntiAffinity: {} }),
            "webserver-sidecar:imagePullSecrets": JSON.stringify(["registry-credentials"]),
            "webserver-sidecar:hostUsers": "false",
            "webserver-sidecar:content": JSON.stringify({ "about.html": "<p>us</p>" }),
            "webserver-sidecar:binaryContent": JSON.stringify({ "img/a.png": "AAE=" }),
            "webserver-sidecar:serverConfig": "server { listen 80; location / { index about.html; } }",
            "webserver-sidecar:replicas": "3",
            "webserver-sidecar:readinessPath": "/healthz",
            "webserver-sidecar:accessLogFormat": "json",
            "webserver-sidecar:uidAssignment": "platform",
            "webserver-sidecar:autoscaling": JSON.stringify({ maxReplicas: 5 }),
        });
        expect(config).to.deep.equal({
            cluster: { kubeconfig: { kind: "file", path: "/clusters/two.yaml" }, context: "beta", namespace: "web" },
            webServer: {
                nginxImage: "nginx:1.30.2", sidecarImage: "python:3.11.13-slim-bookworm", logSizeLimit: "32Mi",
                sidecarMode: "classic", service: { type: "NodePort", port: 8080 },
                networkPolicy: true, allowFrom: [{ cidr: "10.0.0.0/8" }], readyTimeoutSeconds: 45,
                podLabels: { team: "web" }, podAnnotations: { "prometheus.io/scrape": "true" }, resources: { nginx: { limits: { memory: "256Mi" } } },
                nodeSelector: { "kubernetes.io/arch": "arm64" }, tolerations: [{ key: "dedicated", value: "web", effect: "NoSchedule" }],
                affinity: { podAntiAffinity: {} }, imagePullSecrets: ["registry-credentials"], hostUsers: false,
                content: { "about.html": "<p>us</p>" }, binaryContent: { "img/a.png": "AAE=" },
                serverConfig: "server { listen 80; location / { index about.html; } }", replicas: 3, readinessPath: "/healthz", accessLogFormat: "json",
                uidAssignment: "platform", contentFrom: undefined, autoscaling: { maxReplicas: 5 }, ingress: undefined, httpRoute: undefined,
            },
        });
    });

    it("takes inline kubeconfig contents holding a token when they are a secret", () => {
        const config = readStackConfig({ "webserver-sidecar:kubeconfig": fixtureText, "webserver-sidecar:context": "alpha" },
            withFixture, new Set(["webserver-sidecar:kubeconfig"]));
        expect(config.cluster.kubeconfig).to.deep.equal({ kind: "inline", contents: fixtureText });
    });

    it("reads contentFrom as the JSON object pulumi config set --path stores", () => {
        expect(read({ "webserver-sidecar:contentFrom": JSON.stringify({ persistentVolumeClaim: "site" }) }).webServer.contentFrom)
            .to.deep.equal({ persistentVolumeClaim: "site" });
    });

    it("reads autoscaling as the JSON object pulumi config set --path stores", () => {
        expect(read({ "webserver-sidecar:autoscaling": JSON.stringify({ minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 60 }) }).webServer.autoscaling)
            .to.deep.equal({ minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 60 });
    });

    it("turns the NetworkPolicy off with networkPolicy false", () => {
        expect(read({ "webserver-sidecar:networkPolicy": "false" }).webServer.networkPolicy).to.equal(false);
    });

    it("expands ~ in a kubeconfig path", () => {
        const config = read({ "webserver-sidecar:kubeconfig": "~/k.yaml" }, fakeEnvironment({ "/home/dev/k.yaml": fixtureText }));
        expect(config.cluster.kubeconfig).to.deep.equal({ kind: "file", path: "/home/dev/k.yaml" });
    });

    it("accepts a Service port stored as a string by `pulumi config set --path`", () => {
        expect(read({ "webserver-sidecar:service": '{"port":"8080"}' }).webServer.service).to.deep.equal({ type: undefined, port: 8080 });
    });

    describe("Pulumi's conventional kubernetes: keys, read as ours", () => {
        const env = fakeEnvironment({ "/clusters/two.yaml": fixtureText, "/home/dev/two.yaml": fixtureText });

        it("takes kubernetes:namespace as the namespace", () => {
            expect(read({ "kubernetes:namespace": "web" }, env).cluster.namespace).to.equal("web");
        });

        it("takes kubernetes:kubeconfig as the kubeconfig, a path or inline contents", () => {
            expect(read({ "kubernetes:kubeconfig": "/clusters/two.yaml" }, env).cluster.kubeconfig).to.deep.equal({ kind: "file", path: "/clusters/two.yaml" });
            // Inline contents hold credentials: set as a secret, as they must be.
            const inline = readStackConfig({ "kubernetes:kubeconfig": fixtureText }, env, new Set(["kubernetes:kubeconfig"]));
            expect(inline.cluster.kubeconfig).to.deep.equal({ kind: "inline", contents: fixtureText });
        });

        it("takes kubernetes:context as the context, looked up in the kubeconfig", () => {
            expect(read({ "kubernetes:kubeconfig": "/clusters/two.yaml", "kubernetes:context": "beta" }, env).cluster.context).to.equal("beta");
        });

        it("mixes the two namespaces, one key from each", () => {
            const config = read({ "kubernetes:kubeconfig": "/clusters/two.yaml", "webserver-sidecar:context": "alpha", "kubernetes:namespace": "web" }, env);
            expect(config.cluster).to.deep.equal({ kubeconfig: { kind: "file", path: "/clusters/two.yaml" }, context: "alpha", namespace: "web" });
        });

        it("accepts both keys of a setting when they agree", () => {
            const config = read({
                "kubernetes:namespace": "web", "webserver-sidecar:namespace": "web",
                "kubernetes:context": "beta", "webserver-sidecar:context": "beta",
                "kubernetes:kubeconfig": "/clusters/two.yaml", "webserver-sidecar:kubeconfig": "/clusters/two.yaml",
            }, env);
            expect(config.cluster).to.deep.equal({ kubeconfig: { kind: "file", path: "/clusters/two.yaml" }, context: "beta", namespace: "web" });
        });

        it("accepts two spellings of one kubeconfig path as agreeing", () => {
            const config = read({ "kubernetes:kubeconfig": "~/two.yaml", "webserver-sidecar:kubeconfig": "/home/dev/two.yaml" }, env);
            expect(config.cluster.kubeconfig).to.deep.equal({ kind: "file", path: "/home/dev/two.yaml" });
        });

        const conflicts: [string, Record<string, string>, string][] = [
            ["namespace", { "webserver-sidecar:namespace": "web", "kubernetes:namespace": "default" },
                'webserver-sidecar:namespace: got "web"; allowed: the same value as kubernetes:namespace, which sets the same namespace and is "default": set only one of the two keys, or both alike'],
            ["context", { "webserver-sidecar:kubeconfig": "/clusters/two.yaml", "webserver-sidecar:context": "alpha", "kubernetes:context": "beta" },
                'webserver-sidecar:context: got "alpha"; allowed: the same value as kubernetes:context, which sets the same context and is "beta": set only one of the two keys, or both alike'],
            ["kubeconfig path", { "webserver-sidecar:kubeconfig": "/clusters/two.yaml", "kubernetes:kubeconfig": "~/two.yaml" },
                'webserver-sidecar:kubeconfig: got "/clusters/two.yaml"; allowed: the same value as kubernetes:kubeconfig, which sets the same kubeconfig and is "~/two.yaml": set only one of the two keys, or both alike'],
        ];
        for (const [setting, config, message] of conflicts) {
            it(`refuses a ${setting} set to different values under both keys, naming both keys and values`, () => {
                expect(problemsOf(config, env)).to.include(message);
            });
        }

        it("refuses conflicting kubeconfigs without printing inline contents (they hold credentials)", () => {
            const message = problemsOf({ "webserver-sidecar:kubeconfig": "/clusters/two.yaml", "kubernetes:kubeconfig": fixtureText }, env);
            expect(message).to.include('webserver-sidecar:kubeconfig: got "/clusters/two.yaml"; allowed: the same value as kubernetes:kubeconfig, which sets the same kubeconfig and is "(inline contents)"');
            expect(message).to.not.include("not-a-real-token");
        });

        it("names the kubernetes: key in a problem with its value", () => {
            const message = problemsOf({ "kubernetes:namespace": "Web_Apps", "kubernetes:kubeconfig": "/nowhere/config", "kubernetes:context": "gamma" }, env);
            expect(message).to.include('kubernetes:namespace: got "Web_Apps"; allowed: a DNS-1123 label');
            expect(message).to.include('kubernetes:kubeconfig: got "/nowhere/config"; allowed: the path of an existing kubeconfig file');
            expect(problemsOf({ "kubernetes:kubeconfig": "/clusters/two.yaml", "kubernetes:context": "gamma" }, env)).to.include(
                'kubernetes:context: got "gamma"; allowed: a context of /clusters/two.yaml: alpha, beta');
        });

        it("leaves the default provider's other kubernetes: keys alone", () => {
            expect(read({ "kubernetes:enableServerSideApply": "true" }, env).cluster).to.deep.equal(read({}, env).cluster);
        });
    });

    describe("bad config", () => {
        const cases: [string, Record<string, string>, string][] = [
            ["an unknown key, suggesting the nearest known one",
                { "webserver-sidecar:namspace": "web" },
                'webserver-sidecar:namspace: got "web"; allowed: did you mean webserver-sidecar:namespace? known keys: kubeconfig, context, namespace'],
            ["an unknown key that looks like nothing known",
                { "webserver-sidecar:shards": "3" },
                'webserver-sidecar:shards: got "3"; allowed: known keys:'],
            ["a namespace that is not a DNS label",
                { "webserver-sidecar:namespace": "Web_Apps" },
                'webserver-sidecar:namespace: got "Web_Apps"; allowed: a DNS-1123 label'],
            ["a Service that is not an object",
                { "webserver-sidecar:service": "NodePort" },
                'webserver-sidecar:service: got "NodePort"; allowed: object { type: ClusterIP | NodePort | LoadBalancer, port: 1..65535, annotations?'],
            ["a Service with an unknown field",
                { "webserver-sidecar:service": '{"targetPort":8080}' },
                "webserver-sidecar:service.targetPort: got 8080; allowed: only the fields type, port, annotations, loadBalancerSourceRanges (did you mean port?)"],
            ["a Service type that does not exist",
                { "webserver-sidecar:service": '{"type":"Ingress"}' },
                'webserver-sidecar:service.type: got "Ingress"; allowed: ClusterIP | NodePort | LoadBalancer'],
            ["a Service port out of range",
                { "webserver-sidecar:service": '{"port":0}' },
                "webserver-sidecar:service.port: got 0; allowed: an integer port from 1 to 65535"],
            ["a latest image",
                { "webserver-sidecar:nginxImage": "nginx:latest" },
                'webserver-sidecar:nginxImage: got "nginx:latest"; allowed: an image reference pinned to a tag other than \'latest\''],
            ["a log size limit that is not a quantity",
                { "webserver-sidecar:logSizeLimit": "a lot" },
                'webserver-sidecar:logSizeLimit: got "a lot"; allowed: a Kubernetes quantity of bytes'],
            ["an unknown sidecar mode",
                { "webserver-sidecar:sidecarMode": "Native" },
                'webserver-sidecar:sidecarMode: got "Native"; allowed: native | classic'],
            ["a ready timeout with a unit",
                { "webserver-sidecar:readyTimeoutSeconds": "5m" },
                'webserver-sidecar:readyTimeoutSeconds: got "5m"; allowed: a whole number of seconds, at least 10'],
            ["a ready timeout too short",
                { "webserver-sidecar:readyTimeoutSeconds": "3" },
                "webserver-sidecar:readyTimeoutSeconds: got 3; allowed: a whole number of seconds, at least 10"],
            ["a kubeconfig path that does not exist",
                { "webserver-sidecar:kubeconfig": "/nowhere/config" },
                'webserver-sidecar:kubeconfig: got "/nowhere/config"; allowed: the path of an existing kubeconfig file'],
            ["a kubeconfig that does not parse",
                { "webserver-sidecar:kubeconfig": "/clusters/broken.yaml" },
                'webserver-sidecar:kubeconfig: got "/clusters/broken.yaml"; allowed: a kubeconfig in YAML or JSON'],
            ["inline kubeconfig contents holding a token in plain config, showing how to make them a secret",
                { "webserver-sidecar:kubeconfig": fixtureText },
                'webserver-sidecar:kubeconfig: got "(an inline kubeconfig with credentials in plain config: users[0].user.token)"; '
                    + 'allowed: a Pulumi secret, since plain config is written as is to Pulumi.<stack>.yaml (and so to git): '
                    + 'pulumi config set --secret webserver-sidecar:kubeconfig "$(cat path/to/kubeconfig)"'],
            ["a networkPolicy that is not true or false",
                { "webserver-sidecar:networkPolicy": "yes" },
                'webserver-sidecar:networkPolicy: got "yes"; allowed: true | false'],
            ["an allowFrom that is not a list",
                { "webserver-sidecar:allowFrom": "10.0.0.0/8" },
                'webserver-sidecar:allowFrom: got "10.0.0.0/8"; allowed: a non-empty list of peers'],
            ["an allowFrom peer with a bad CIDR, named by its index",
                { "webserver-sidecar:allowFrom": '[{"cidr":"10.0.0.0/8"},{"cidr":"10.0.0.300/32"}]' },
                'webserver-sidecar:allowFrom[1].cidr: got "10.0.0.300/32"; allowed: an IPv4 or IPv6 block'],
            ["allowFrom with the NetworkPolicy turned off",
                { "webserver-sidecar:networkPolicy": "false", "webserver-sidecar:allowFrom": '[{"podSelector":{"app":"lb"}}]' },
                "webserver-sidecar:networkPolicy + webserver-sidecar:allowFrom: got"],
            ["a podLabel taking over the selector", { "webserver-sidecar:podLabels": '{"app.kubernetes.io/instance":"x"}' },
                'webserver-sidecar:podLabels.app.kubernetes.io/instance: got "x"; allowed: a label other than'],
            ["resources that are not JSON", { "webserver-sidecar:resources": "cpu=1" }, 'webserver-sidecar:resources: got "cpu=1"; allowed: an object { nginx?'],
            ["a toleration with a bad effect", { "webserver-sidecar:tolerations": '[{"key":"a","effect":"Never"}]' }, 'webserver-sidecar:tolerations[0].effect: got "Never"; allowed: NoSchedule'],
            ["imagePullSecrets as a string", { "webserver-sidecar:imagePullSecrets": "creds" }, 'webserver-sidecar:imagePullSecrets: got "creds"; allowed: a list of Secret names'],
            ["a hostUsers that is not a boolean", { "webserver-sidecar:hostUsers": "no" }, 'webserver-sidecar:hostUsers: got "no"; allowed: true | false'],
            ["an accessLogFormat that is not one", { "webserver-sidecar:accessLogFormat": "JSON" }, 'webserver-sidecar:accessLogFormat: got "JSON"; allowed: combined | json'],
            ["a readinessPath that is not a path", { "webserver-sidecar:readinessPath": "healthz" }, 'webserver-sidecar:readinessPath: got "healthz"; allowed: an absolute URL path'],
            ["a site without the page readinessPath asks for", { "webserver-sidecar:readinessPath": "/ping/", "webserver-sidecar:content": '{"index.html":""}' },
                "allowed: a site with ping/index.html or ping/index.htm (nginx's readiness probe asks for webserver-sidecar:readinessPath /ping/)"],
            ["contentFrom beside content, naming both keys", { "webserver-sidecar:content": '{"index.html":"hi"}', "webserver-sidecar:contentFrom": '{"configMap":"site"}' },
                'webserver-sidecar:content + webserver-sidecar:contentFrom: got {"content":"(given)","contentFrom":{"configMap":"site"}}; allowed: one of them'],
            ["contentFrom as a bare name", { "webserver-sidecar:contentFrom": "site" },
                'webserver-sidecar:contentFrom: got "site"; allowed: an object with exactly one of configMap or persistentVolumeClaim'],
            ["contentFrom naming a claim that cannot be a name", { "webserver-sidecar:contentFrom": '{"persistentVolumeClaim":"Site_Files"}' },
                'webserver-sidecar:contentFrom.persistentVolumeClaim: got "Site_Files"; allowed: the name of the team\'s PersistentVolumeClaim: a DNS-1123 subdomain'],
            ["a misspelled contentFrom field", { "webserver-sidecar:contentFrom": '{"configmap":"site"}' },
                'webserver-sidecar:contentFrom.configmap: got "site"; allowed: did you mean webserver-sidecar:contentFrom.configMap?'],
            ["autoscaling as a bare count", { "webserver-sidecar:autoscaling": "5" },
                "webserver-sidecar:autoscaling: got 5; allowed: an object { minReplicas?: 1.., maxReplicas: minReplicas..100"],
            ["autoscaling with maxReplicas as a string", { "webserver-sidecar:autoscaling": '{"maxReplicas":"5"}' },
                'webserver-sidecar:autoscaling.maxReplicas: got "5"; allowed: a whole number from minReplicas to 100'],
            ["replicas outside the autoscaler's bounds", { "webserver-sidecar:replicas": "1", "webserver-sidecar:autoscaling": '{"minReplicas":2,"maxReplicas":4}' },
                'webserver-sidecar:replicas + webserver-sidecar:autoscaling: got {"replicas":1,"minReplicas":2,"maxReplicas":4}; allowed: replicas (the count the Deployment starts with) from minReplicas to maxReplicas'],
            ["a uidAssignment that is a uid", { "webserver-sidecar:uidAssignment": "1000" },
                'webserver-sidecar:uidAssignment: got "1000"; allowed: pinned | platform'],
            ["content that is not JSON", { "webserver-sidecar:content": "<h1>hi</h1>" }, 'webserver-sidecar:content: got "<h1>hi</h1>"; allowed: an object of files'],
            ["content without an index page", { "webserver-sidecar:content": '{"a.html":""}' }, 'webserver-sidecar:content: got ["a.html"]; allowed: a site with index.html'],
            ["a server block logging elsewhere", { "webserver-sidecar:serverConfig": "server { listen 80;\n error_log stderr; }" },
                'webserver-sidecar:serverConfig (error_log, line 2): got "(a destination other than /var/log/nginx/error.log)"; allowed: error_log /var/log/nginx/error.log'],
            ["source ranges on a ClusterIP Service", { "webserver-sidecar:service": '{"loadBalancerSourceRanges":["10.0.0.0/8"]}' },
                "webserver-sidecar:service.type + webserver-sidecar:service.loadBalancerSourceRanges: got"],
            ["a Service annotation that is not a string", { "webserver-sidecar:service": '{"annotations":{"a":1}}' }, "webserver-sidecar:service.annotations.a: got 1; allowed: a string"],
            ["a context that is not in the kubeconfig, listing those that are",
                { "webserver-sidecar:kubeconfig": "/clusters/two.yaml", "webserver-sidecar:context": "gamma" },
                'webserver-sidecar:context: got "gamma"; allowed: a context of /clusters/two.yaml: alpha, beta'],
        ];
        const env = fakeEnvironment({ "/clusters/two.yaml": fixtureText, "/clusters/broken.yaml": "contexts: [unclosed" });
        for (const [what, config, message] of cases) {
            it(`refuses ${what}`, () => {
                expect(problemsOf(config, env)).to.include(message);
            });
        }

        it("refuses a context when no kubeconfig can be found at all", () => {
            expect(problemsOf({ "webserver-sidecar:context": "prod" }, fakeEnvironment())).to.include(
                'webserver-sidecar:context: got "prod"; allowed: a context of a kubeconfig, but none was found (looked in /home/dev/.kube/config)');
        });

        it("reports every problem at once, across cluster settings and component arguments", () => {
            const message = problemsOf({
                "webserver-sidecar:namespace": "UPPER",
                "webserver-sidecar:nginxImage": "nginx",
                "webserver-sidecar:logSizeLImit": "1Gi",
                "webserver-sidecar:context": "nope",
            });
            expect(message).to.match(/\(4 problems\)/);
            for (const key of ["namespace", "nginxImage", "logSizeLImit", "context"]) {
                expect(message).to.include(`webserver-sidecar:${key}: got`);
            }
        });

        it("ignores keys of other namespaces", () => {
            expect(() => read({ "kubernetes:enableServerSideApply": "true", "pulumi:tags": "{}" })).to.not.throw();
        });
    });
});
