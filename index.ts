/**
 * The program: read the stack config, build the provider it names, deploy one WebServer.
 * Everything is validated by readStackConfig before the first resource is registered, and the
 * cluster is checked to answer (clusterReachability.ts): `up` stops, and `preview` warns, when not.
 *
 * Its stack outputs:
 * - `podNames`: the Kubernetes names of the Pods this stack runs (unknown in a preview with `replicas`);
 * - `namespace`: the namespace they run in;
 * - `serviceName`: the Service's name, only when `webserver-sidecar:service` is set;
 * - `networkPolicyName`: the NetworkPolicy's name, unless `webserver-sidecar:networkPolicy` is false.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WebServer, currentStack, resolveArgs } from "./components";
import { machineEnvironment } from "./program/kubeconfig";
import { checkBeforeRegistering, inspectClusterOwnership, liveOwnershipReportDependencies } from "./program/ownership";
import { checkClusterReachable, liveReachabilityDependencies } from "./program/clusterReachability";
import { buildProviderArgs } from "./program/provider";
import { deploymentPodNames } from "./program/runningPods";
import { withSecretArgs } from "./program/secretArgs";
import { secretClusterSettings, secretConfigKeys } from "./program/secretConfigKeys";
import { readStackConfig } from "./program/stackConfig";

/** The tutorial's name for its Pod (and this program's Service and NetworkPolicy), and its `app` label. */
const TUTORIAL_NAME = "webserver";

/** The stack outputs: an object rather than `export const`s, so that serviceName can be absent. */
interface StackOutputs {
    readonly podNames: pulumi.Output<string[]>;
    readonly namespace: pulumi.Input<string>;
    readonly serviceName?: pulumi.Output<string>;
    readonly networkPolicyName?: pulumi.Output<string>;
}

async function main(): Promise<StackOutputs> {
    const rawConfig = pulumi.runtime.allConfig();
    const machine = machineEnvironment();
    const secretKeys = secretConfigKeys(rawConfig);
    const config = readStackConfig(rawConfig, machine, secretKeys);
    // The tutorial's names: the Pod, Service and NetworkPolicy are `webserver` (so its kubectl
    // walkthrough works as written), and the Pod keeps its `app: webserver` label, which nothing
    // selects on any more (the selector is the instance's recommended labels: components/naming.ts).
    const plainArgs = {
        ...config.webServer,
        podName: TUTORIAL_NAME,
        podLabels: { app: TUTORIAL_NAME, ...config.webServer.podLabels },
    };
    // Before anything is registered: `up` stops here when the cluster does not answer, and a
    // preview says so; both stop when an object of the component's names is there and is not this
    // stack's (program/ownership.ts). The two checks run at once. Under unit-test mocks there is no
    // engine and no cluster: nothing to check.
    if (pulumi.runtime.hasEngine()) {
        await checkBeforeRegistering(
            checkClusterReachable(config.cluster, liveReachabilityDependencies(machine)),
            inspectClusterOwnership(config.cluster, resolveArgs(plainArgs, { name: TUTORIAL_NAME }), currentStack(pulumi)),
            liveOwnershipReportDependencies());
    }
    const secretSettings = secretClusterSettings(secretKeys);
    const provider = new k8s.Provider("k8s", buildProviderArgs(config.cluster, secretSettings));
    // Each argument set with --secret is held in pulumi.secret again (secretArgs.ts).
    const webServer = new WebServer(TUTORIAL_NAME, withSecretArgs(plainArgs, secretKeys), { providers: [provider] });
    return {
        // With replicas, the Deployment's Pods, read live from the cluster at every up (runningPods.ts).
        podNames: webServer.deployment === undefined ? pulumi.all([webServer.podName!])
            : deploymentPodNames(config.cluster, webServer.deployment.metadata, webServer.selectorLabels, config.webServer.readyTimeoutSeconds),
        namespace: secretSettings.has("namespace") ? pulumi.secret(config.cluster.namespace) : config.cluster.namespace,
        ...(webServer.serviceName !== undefined ? { serviceName: webServer.serviceName } : {}),
        ...(webServer.networkPolicyName !== undefined ? { networkPolicyName: webServer.networkPolicyName } : {}),
    };
}

// Pulumi awaits a default export that is a promise and takes its value as the stack's outputs.
export = main();
