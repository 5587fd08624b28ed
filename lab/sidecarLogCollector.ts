/**
 * Every line the sidecars of an instance's Pods ship, across Pods that come and go (a rollout, a
 * scale-down, a drain): each Pod's `sidecar-container` output is followed with `kubectl logs -f`
 * from the moment its container runs until it ends, so a Pod deleted later has already been read.
 * Through the API only, so it works on any cluster (kind's nodes' files are not the test's to read).
 * A follower whose reader fails (kubectl's error, or the kubelet's written into the stream: see
 * lab/logReader.ts) fails {@link SidecarLogCollector.stop}, naming the command and the message: its
 * Pod's output is then not whole, and the reader's words are no line a sidecar shipped.
 */
import { LogFollower } from "./logFollower";
import { waitFor } from "./polling";
import { kubectl } from "./pulumiHarness";

/** How often the instance's Pods are listed: a new Pod's sidecar is followed this soon after it starts. */
const POLL_MS = 250;

/** Follows the sidecars of an instance's Pods, each from its start; see the module's comment. */
export class SidecarLogCollector {
    private readonly followed = new Map<string, LogFollower>();
    private readonly timer: NodeJS.Timeout;
    private failure: Error | undefined;

    /**
     * Starts following every Pod `selector` picks in `namespace`, now and from now on.
     * @param selector a label selector, `key=value,...`.
     */
    constructor(private readonly namespace: string, private readonly selector: string, private readonly container = "sidecar-container") {
        this.followNewPods();
        this.timer = setInterval(() => {
            try {
                this.followNewPods();
            } catch (error) {
                this.failure ??= error as Error;
            }
        }, POLL_MS);
    }

    /** The Pods followed so far, by name. */
    get pods(): string[] {
        return [...this.followed.keys()].sort();
    }

    /** Everything shipped so far, by Pod (each up to its reader's failure, if it failed). */
    outputs(): Map<string, string> {
        return new Map([...this.followed].map(([pod, follower]) => [pod, follower.output]));
    }

    /**
     * Waits until `done` holds for the output of all Pods together (a last line may take a moment
     * to reach the kubelet's log), then stops following and returns every Pod's output.
     * @throws when a look at the Pods failed, when a follower's reader failed (a LogReaderError
     *   naming its command and message), or when `done` does not hold within `timeoutMs`.
     */
    async stop(done: (allOutput: string) => boolean, timeoutMs = 60_000): Promise<Map<string, string>> {
        try {
            await waitFor("every expected line in the sidecars' output", () => (done([...this.followed.values()].map((f) => f.output).join("")) ? true : undefined), timeoutMs, 250);
        } finally {
            clearInterval(this.timer);
            for (const follower of this.followed.values()) {
                follower.stop();
            }
        }
        if (this.failure !== undefined) {
            throw this.failure;
        }
        const outputs = new Map<string, string>();
        const readerFailures: Error[] = [];
        for (const [pod, follower] of this.followed) {
            try {
                // Pods here are deleted by their controllers (a rollout, a scale-down, a drain), by
                // design: the kubelet's NotFound for a removed container ends such a follow, whole up
                // to it (LogFollower.doneAfterDeletion); the caller's line accounting still proves it.
                outputs.set(pod, await follower.doneAfterDeletion());
            } catch (e) {
                readerFailures.push(e as Error);
            }
        }
        if (readerFailures.length === 1) {
            throw readerFailures[0];
        }
        if (readerFailures.length > 1) {
            throw new Error(`${readerFailures.length} of ${this.followed.size} sidecar followers failed:\n${readerFailures.map((e) => e.message).join("\n")}`);
        }
        return outputs;
    }

    /** Starts a follower for each Pod whose sidecar has started and that is not followed yet. */
    private followNewPods(): void {
        const list = JSON.parse(kubectl(["get", "pods", "-n", this.namespace, "-l", this.selector, "-o", "json"])) as {
            items: { metadata: { name: string }; status?: { initContainerStatuses?: ContainerStatus[]; containerStatuses?: ContainerStatus[] } }[];
        };
        for (const pod of list.items) {
            const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
            const sidecar = statuses.find((status) => status.name === this.container);
            const started = sidecar?.state?.running !== undefined || sidecar?.state?.terminated !== undefined;
            if (started && !this.followed.has(pod.metadata.name)) {
                this.follow(pod.metadata.name);
            }
        }
    }

    private follow(pod: string): void {
        this.followed.set(pod, LogFollower.start({ namespace: this.namespace, pod, container: this.container }));
    }
}

interface ContainerStatus {
    readonly name: string;
    readonly state?: { readonly running?: unknown; readonly terminated?: unknown };
}
