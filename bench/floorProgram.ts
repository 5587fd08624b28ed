/**
 * The deploy benchmarks' floor (bench/deploy.ts, bench/deployPhases.ts): a program of one
 * ConfigMap, through a provider set as ours is (program/provider.ts), run by the CLI from a copy of
 * the project, as the dev stack's program is. What the dev stack's program costs over it is the
 * program's own.
 */
export const FLOOR_PROGRAM = `
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
const config = new pulumi.Config("webserver-sidecar");
const provider = new k8s.Provider("k8s", { kubeconfig: config.require("kubeconfig"), namespace: config.require("namespace"), enableServerSideApply: false });
new k8s.core.v1.ConfigMap("floor", { metadata: { name: "floor" }, data: { index: "floor" } }, { provider });
`;
