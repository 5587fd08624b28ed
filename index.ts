/**
 * The program: read the stack config, build the provider it names, deploy one WebServer.
 * Everything is validated by readStackConfig before the first resource is registered.
 *
 * Its stack outputs:
 * - `podNames`: the Kubernetes names of the Pods this stack runs;
 * - `namespace`: the namespace they run in;
 * - `serviceName`: the Service's name, only when `webserver-sidecar:service` is set.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WebServer } from "./components";
import { buildProviderArgs } from "./components/provider";
import { readStackConfig } from "./components/stackConfig";

/** The stack outputs: an object rather than `export const`s, so that serviceName can be absent. */
interface StackOutputs {
    readonly podNames: pulumi.Output<string[]>;
    readonly namespace: string;
    readonly serviceName?: pulumi.Output<string>;
}

async function main(): Promise<StackOutputs> {
    const config = readStackConfig(pulumi.runtime.allConfig());
    const provider = new k8s.Provider("k8s", buildProviderArgs(config.cluster));
    const webServer = new WebServer("webserver", config.webServer, { providers: [provider] });
    return {
        podNames: pulumi.all([webServer.podName]),
        namespace: config.cluster.namespace,
        ...(webServer.serviceName !== undefined ? { serviceName: webServer.serviceName } : {}),
    };
}

// Pulumi awaits a default export that is a promise and takes its value as the stack's outputs.
export = main();
