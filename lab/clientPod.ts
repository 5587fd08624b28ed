/**
 * Throwaway Pods that reach others over the cluster's network, for the tests of Services and
 * NetworkPolicies: a python3 image (the sidecar's: the node's stand-in on the project's local
 * cluster, the pinned official one elsewhere), with chosen labels, sleeping (a client) or serving
 * a page over HTTP (a listener), and commands run in them, or in any Pod's container, with
 * `kubectl exec`.
 *
 * Not busybox: the stand-in's `wget` (Debian's static busybox) crashed here (exit 139) on every URL,
 * even one with an IP address.
 */
import { spawnSync } from "child_process";
import { clusterKubeconfig, kubectl } from "./pulumiHarness";

/** `python3 -c` this with a URL and a timeout in seconds: prints the page, exits non-zero when it cannot get it. */
const GET_PROGRAM = "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=float(sys.argv[2])).read().decode())";

/** What a command run in a container did. */
export interface ExecResult {
    readonly code: number;
    readonly output: string;
}

/**
 * Runs `command` in a container of a Pod (`kubectl exec`), never throwing: a failed connection is
 * a result the tests look at.
 * @param container the container, or undefined for the Pod's only one.
 */
export function execIn(namespace: string, pod: string, container: string | undefined, command: string[]): ExecResult {
    const args = ["--kubeconfig", clusterKubeconfig(), "exec", "-n", namespace, pod, ...(container !== undefined ? ["-c", container] : []), "--", ...command];
    const result = spawnSync("kubectl", args, { encoding: "utf8", timeout: 60_000 });
    return { code: result.status ?? -1, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

/** Where a Pod may run: the part of its spec that places it. */
export interface PodPlacement {
    readonly nodeSelector?: Record<string, string>;
    readonly tolerations?: readonly { key: string; operator: string; effect: string }[];
}

/** The port a listener serves on. */
export const LISTENER_PORT = 8080;

/** What a listener's page says. */
export const LISTENER_PAGE = "listener";

/** A python3 Pod on the cluster. */
export class ClientPod {
    private constructor(readonly namespace: string, readonly name: string, readonly ip: string) {}

    /**
     * Creates the Pod and waits until it runs.
     * @param image an image with python3 and a shell.
     * @param listener serve {@link LISTENER_PAGE} over HTTP on {@link LISTENER_PORT} (python3's
     *   http.server) instead of only sleeping.
     * @param placement where it may run: a nodeSelector and tolerations, merged into its spec.
     * @throws when it is not Ready within 90 s.
     */
    static async start(image: string, namespace: string, name: string, labels: Record<string, string> = {}, listener = false,
        placement: PodPlacement = {}): Promise<ClientPod> {
        const command = listener
            ? ["sh", "-c", `mkdir -p /tmp/www && echo ${LISTENER_PAGE} >/tmp/www/index.html && exec python3 -m http.server ${LISTENER_PORT} --directory /tmp/www`]
            : ["sleep", "3600"];
        const pod = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name, namespace, labels },
            spec: {
                terminationGracePeriodSeconds: 0,
                ...placement,
                containers: [{ name: "client", image, imagePullPolicy: "IfNotPresent", command }],
            },
        };
        kubectl(["apply", "-f", "-"], clusterKubeconfig(), JSON.stringify(pod));
        kubectl(["wait", "--for=condition=Ready", `pod/${name}`, "-n", namespace, "--timeout=90s"]);
        const ip = kubectl(["get", "pod", name, "-n", namespace, "-o", "jsonpath={.status.podIP}"]);
        return new ClientPod(namespace, name, ip);
    }

    /** Runs a command in the Pod. */
    exec(command: string[]): ExecResult {
        return execIn(this.namespace, this.name, undefined, command);
    }

    /** GET `url` from the Pod (its page on stdout), giving up after `timeoutSeconds`. */
    get(url: string, timeoutSeconds = 3): ExecResult {
        return this.exec(["python3", "-c", GET_PROGRAM, url, String(timeoutSeconds)]);
    }
}
