/**
 * Sustained load through a Service from inside the cluster, as other Pods reach it: a python3
 * client Pod requests `<url>?load=<run>-<worker>-<n>` on several connections at once until told to stop,
 * and reports every request as answered or failed. Each request's id is in its access line, so the
 * lines the sidecars ship can be counted against the requests nginx answered.
 */
import { ChildProcess, spawn } from "child_process";
import * as crypto from "crypto";
import { ClientPod } from "./clientPod";
import { clusterKubeconfig } from "./pulumiHarness";

/** The file whose existence tells the client Pod's load loop to stop. */
const STOP_FILE = "/tmp/stop-load";

/**
 * The load loop, run with `python3 -c` in the client Pod: `workers` threads, each requesting in
 * turn (a new connection each time, as urllib does) with a 5 s timeout, printing `ok <id>` for a
 * 200 and `fail <id> <reason>` for anything else, until STOP_FILE exists.
 */
const LOAD_PROGRAM = `
import os, sys, threading, urllib.request
url, workers, run = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lock = threading.Lock()
def say(line):
    with lock:
        sys.stdout.write(line + "\\n")
        sys.stdout.flush()
def work(worker):
    n = 0
    while not os.path.exists("${STOP_FILE}"):
        n += 1
        request_id = "%s-%d-%d" % (run, worker, n)
        try:
            with urllib.request.urlopen("%s?load=%s" % (url, request_id), timeout=5) as response:
                response.read()
                say(("ok %s" if response.status == 200 else "fail %s status " + str(response.status)) % request_id)
        except Exception as error:
            say("fail %s %r" % (request_id, error))
threads = [threading.Thread(target=work, args=(worker,)) for worker in range(workers)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
say("done")
`;

/** What the load did: the ids of the answered requests, and each failed one with its reason. */
export interface ServiceLoadResult {
    readonly answered: string[];
    readonly failed: string[];
}

export class ServiceLoad {
    private output = "";
    private readonly exited: Promise<void>;

    private constructor(private readonly client: ClientPod, process: ChildProcess) {
        process.stdout?.on("data", (data: Buffer) => { this.output += data.toString(); });
        this.exited = new Promise((resolve) => process.on("exit", () => resolve()));
    }

    /**
     * Starts the load from `client` to `url` (e.g. `http://webserver.<namespace>.svc.cluster.local/`).
     * @param workers how many requests are in flight at once.
     */
    static start(client: ClientPod, url: string, workers = 4): ServiceLoad {
        client.exec(["rm", "-f", STOP_FILE]);
        // A run id of its own: a Pod's log holds the lines of every earlier run too, under the same worker numbers.
        const run = crypto.randomBytes(3).toString("hex");
        const process = spawn("kubectl", ["--kubeconfig", clusterKubeconfig(), "exec", "-n", client.namespace, client.name, "--",
            "python3", "-u", "-c", LOAD_PROGRAM, url, String(workers), run], { stdio: ["ignore", "pipe", "inherit"] });
        return new ServiceLoad(client, process);
    }

    /** How many requests have been answered so far. */
    get answeredSoFar(): number {
        return this.output.split("\n").filter((line) => line.startsWith("ok ")).length;
    }

    /** Stops the load (the requests in flight finish) and returns what it did. */
    async stop(): Promise<ServiceLoadResult> {
        this.client.exec(["touch", STOP_FILE]);
        await this.exited;
        const lines = this.output.split("\n");
        if (!lines.includes("done")) {
            throw new Error(`the load loop did not finish; its output ended with:\n${lines.slice(-5).join("\n")}`);
        }
        return {
            answered: lines.filter((line) => line.startsWith("ok ")).map((line) => line.slice(3)),
            failed: lines.filter((line) => line.startsWith("fail ")).map((line) => line.slice(5)),
        };
    }
}

/**
 * How the answered requests' lines came out of the sidecars: each must be shipped exactly once
 * across all Pods (old and new ones alike).
 * @param outputs each Pod's sidecar output.
 * @returns the ids shipped by no sidecar, and those shipped more than once.
 */
export function accountLoadLines(answered: readonly string[], outputs: Iterable<string>): { lost: string[]; duplicated: string[] } {
    const seen = new Map<string, number>();
    for (const output of outputs) {
        for (const match of output.matchAll(/GET \/\?load=([0-9a-f]+-[0-9]+-[0-9]+) HTTP/g)) {
            seen.set(match[1], (seen.get(match[1]) ?? 0) + 1);
        }
    }
    return {
        lost: answered.filter((id) => !seen.has(id)),
        // Only this run's: a Pod's log also holds the lines of earlier runs, under other run ids.
        duplicated: answered.filter((id) => (seen.get(id) ?? 0) > 1),
    };
}
