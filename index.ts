/**
 * The program: read the stack config, build the provider it names, deploy one WebServer.
 * Everything is validated by readStackConfig before the first resource is registered.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { WebServer } from "./components";
import { buildProviderArgs } from "./components/provider";
import { readStackConfig } from "./components/stackConfig";

const config = readStackConfig(pulumi.runtime.allConfig());
const provider = new k8s.Provider("k8s", buildProviderArgs(config.cluster));
const webServer = new WebServer("webserver", config.webServer, { providers: [provider] });

/** The Kubernetes names of the Pods this stack runs. */
export const podNames = pulumi.all([webServer.podName]);
/** The namespace they run in. */
export const namespace = config.cluster.namespace;
/** The Service's name, when `webserver-sidecar:service` is set. */
export const serviceName = webServer.serviceName;
