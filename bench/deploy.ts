/**
 * Deploy benchmark, against the local cluster's real node, in one run:
 * - wall time of `pulumi preview`, `pulumi up` (create to Ready), a no-op `up` and `destroy` of the
 *   dev stack's program, next to `kubectl apply` (+ wait for Ready) and `kubectl delete --wait`
 *   of the tutorial's YAML;
 * - the floor beside it, each repeat paired: the same steps of a one-ConfigMap program, run by the
 *   same CLI through the same provider (client-side apply, as ours) into the same cluster, so that
 *   what remains is the program's own cost (its config checks, the reachability and ownership
 *   reads, the component's registrations);
 * - how `up` grows with the number of WebServer instances in one stack (1, 5, 10), through an
 *   inline Automation API program that uses the component as a library. Each Pod requests 150m of
 *   CPU: a 2-core node schedules about 12 of them, so more would wait Pending (Insufficient cpu).
 *
 *   npm run bench:deploy [-- --repeats 3 --instances 1,5,10]
 *
 * Prints a Markdown table, writes bench/results/deploy.json and (with bench/plotDeploy.py)
 * bench/results/deploy-scaling.png. Expects the environment of scripts/toolchain.sh env and
 * scripts/cluster.sh env (bench/deploy.sh sets both up).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { WebServer } from "../components";
import { TestStack, clusterKubeconfig, createNamespace, deleteNamespace, kubectl, localClusterImages } from "../lab/pulumiHarness";
import { FLOOR_PROGRAM } from "./floorProgram";
import { writeResults } from "./results";
import { median } from "./shippingRounds";

interface Timing {
    readonly step: string;
    readonly seconds: number[];
}

async function timed(action: () => Promise<unknown> | unknown): Promise<number> {
    const start = process.hrtime.bigint();
    await action();
    return Number(process.hrtime.bigint() - start) / 1e9;
}


/** The steps of a stack's life that are timed, in order. */
const STEPS = ["pulumi preview", "pulumi up (create to Ready)", "pulumi up (no changes)", "pulumi destroy"] as const;

/** The dev stack's program and the floor, step by step, each `repeats` times, alternating. */
async function programSteps(repeats: number): Promise<Timing[]> {
    const programs = { "": undefined, "floor, one ConfigMap: ": FLOOR_PROGRAM };
    const steps: Record<string, number[]> = {};
    for (let i = 0; i < repeats; i++) {
        for (const [label, program] of Object.entries(programs)) {
            const namespace = createNamespace("bench");
            const stack = await TestStack.create({ kubeconfig: clusterKubeconfig(), namespace }, program !== undefined ? { program } : {});
            try {
                for (const step of STEPS) {
                    const run = step === "pulumi preview" ? () => stack.stack.preview() : step === "pulumi destroy" ? () => stack.stack.destroy() : () => stack.stack.up();
                    (steps[`${label}${step}`] ??= []).push(await timed(run));
                }
            } finally {
                await stack.dispose();
                deleteNamespace(namespace);
            }
        }
    }
    return Object.entries(steps).map(([step, seconds]) => ({ step, seconds }));
}

/** Each step of the dev stack's program against the same step of the floor: medians, and their difference and ratio. */
function overFloor(timings: readonly Timing[]): string[] {
    const byStep = new Map(timings.map((t) => [t.step, t.seconds]));
    return [
        "| step | dev stack's program, median (s) | floor, median (s) | over the floor (s) | ratio |",
        "|---|---|---|---|---|",
        ...STEPS.map((step) => {
            const ours = median(byStep.get(step) ?? [NaN]);
            const floor = median(byStep.get(`floor, one ConfigMap: ${step}`) ?? [NaN]);
            return `| ${step} | ${ours.toFixed(2)} | ${floor.toFixed(2)} | ${(ours - floor).toFixed(2)} | ×${(ours / floor).toFixed(2)} |`;
        }),
    ];
}

/** The tutorial's YAML with kubectl, the same number of times. */
async function kubectlSteps(repeats: number): Promise<Timing[]> {
    const yaml = localClusterTutorialPod(fs.readFileSync(path.join(__dirname, "..", "test", "fixtures", "tutorial-pod.yaml"), "utf8"));
    const apply: number[] = [];
    const remove: number[] = [];
    for (let i = 0; i < repeats; i++) {
        const namespace = createNamespace("bench-kubectl");
        try {
            apply.push(await timed(() => {
                kubectl(["apply", "-n", namespace, "-f", "-"], clusterKubeconfig(), yaml);
                kubectl(["wait", "-n", namespace, "--for=condition=Ready", "pod/webserver", "--timeout=120s"]);
            }));
            remove.push(await timed(() => kubectl(["delete", "-n", namespace, "pod/webserver", "--wait"])));
        } finally {
            deleteNamespace(namespace);
        }
    }
    return [{ step: "kubectl apply + wait Ready (tutorial YAML)", seconds: apply }, { step: "kubectl delete --wait (tutorial YAML)", seconds: remove }];
}

/** `up` and `destroy` of one stack holding `count` WebServers. */
async function scaling(count: number): Promise<{ count: number; up: number; destroy: number }> {
    const namespace = createNamespace(`bench-${count}`);
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "bench-deploy-state-"));
    const program = async () => {
        const provider = new k8s.Provider("k8s", { kubeconfig: clusterKubeconfig(), namespace });
        const names: pulumi.Output<string>[] = [];
        for (let i = 0; i < count; i++) {
            names.push(new WebServer(`web-${i}`, { podName: `webserver-${i}`, ...localClusterImages() }, { providers: [provider] }).podName!);
        }
        return { podNames: pulumi.all(names) };
    };
    const stack = await LocalWorkspace.createStack({ projectName: "webserver-sidecar-bench", stackName: `scale-${crypto.randomBytes(3).toString("hex")}`, program }, {
        envVars: { PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: "bench" },
        projectSettings: { name: "webserver-sidecar-bench", runtime: "nodejs", backend: { url: `file://${state}` } },
    });
    try {
        const up = await timed(() => stack.up());
        const destroy = await timed(() => stack.destroy());
        return { count, up, destroy };
    } finally {
        await stack.workspace.removeStack(stack.name).catch(() => undefined);
        fs.rmSync(state, { recursive: true, force: true });
        deleteNamespace(namespace);
    }
}

/** The tutorial's YAML, with the local node's stand-ins for its `:latest` images there. */
function localClusterTutorialPod(yaml: string): string {
    const nginx = process.env.WEBSERVER_SIDECAR_NGINX_IMAGE;
    const busybox = process.env.WEBSERVER_SIDECAR_BUSYBOX_IMAGE;
    return nginx && busybox ? yaml.replace("image: nginx:latest", `image: ${nginx}`).replace("image: ubuntu:latest", `image: ${busybox}`) : yaml;
}

function value(argv: string[], flag: string, fallback: string): string {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : fallback;
}

async function main(): Promise<void> {
    const argv = process.argv.slice(2);
    const repeats = Number(value(argv, "--repeats", "3"));
    const counts = value(argv, "--instances", "1,5,10").split(",").map(Number);

    process.stderr.write(`bench: dev stack program and tutorial YAML, ${repeats} times each...\n`);
    const timings = [...await programSteps(repeats), ...await kubectlSteps(repeats)];
    const scale = [];
    for (const count of counts) {
        process.stderr.write(`bench: one stack with ${count} WebServers...\n`);
        scale.push(await scaling(count));
    }

    const lines = [
        `| step | median of ${repeats} (s) | min (s) | max (s) |`,
        "|---|---|---|---|",
        ...timings.map((t) => `| ${t.step} | ${median(t.seconds).toFixed(2)} | ${Math.min(...t.seconds).toFixed(2)} | ${Math.max(...t.seconds).toFixed(2)} |`),
        "",
        ...overFloor(timings),
        "",
        "| WebServers in one stack | pulumi up (s) | per WebServer (s) | pulumi destroy (s) |",
        "|---|---|---|---|",
        ...scale.map((s) => `| ${s.count} | ${s.up.toFixed(1)} | ${(s.up / s.count).toFixed(2)} | ${s.destroy.toFixed(1)} |`),
    ];
    writeResults("deploy", lines.join("\n"), { repeats, timings, scale });
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
