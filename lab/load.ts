/**
 * Load for a Pod on the local node: wrk on the host against the Pod's IP on the node's bridge,
 * every request to a unique path so that every access line is unique; every tenth one to a missing
 * file, which nginx answers 404 and also logs to error.log. Bounded in time, and only ever aimed at
 * a Pod of the local node (addresses of network namespaces the cluster made on this machine).
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** wrk's Lua script: `/?r=<thread>-<n>`, and `/missing/<thread>-<n>` for every tenth request. */
const UNIQUE_PATHS_SCRIPT = `
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
local n = 0
request = function()
  n = n + 1
  if n % 10 == 0 then
    return wrk.format(nil, "/missing/" .. id .. "-" .. n)
  end
  return wrk.format(nil, "/?r=" .. id .. "-" .. n)
end
`;

/** A load run's shape. */
export interface LoadOptions {
    readonly seconds: number;
    /** Open connections; 1 makes every request follow the one before (a total order of lines). */
    readonly connections: number;
    readonly threads?: number;
}

/** What wrk reported. */
export interface LoadResult {
    readonly requests: number;
    readonly requestsPerSecond: number;
}

function scriptFile(): string {
    const file = path.join(os.tmpdir(), "webserver-sidecar-unique-paths.lua");
    fs.writeFileSync(file, UNIQUE_PATHS_SCRIPT);
    return file;
}

function wrkArgv(baseUrl: string, options: LoadOptions): string[] {
    const threads = options.threads ?? Math.min(2, options.connections);
    return ["wrk", `-t${threads}`, `-c${options.connections}`, `-d${options.seconds}s`, "-s", scriptFile(), baseUrl];
}

function parseWrk(output: string): LoadResult {
    const requests = /(\d+) requests in/.exec(output);
    const rate = /Requests\/sec:\s+([\d.]+)/.exec(output);
    if (!requests || !rate) {
        throw new Error(`could not read wrk's output:\n${output}`);
    }
    return { requests: Number(requests[1]), requestsPerSecond: Number(rate[1]) };
}

/** Runs wrk against `baseUrl` (`http://<pod IP>:80/`) and resolves when it is done. */
export function runLoad(baseUrl: string, options: LoadOptions): Promise<LoadResult> {
    const [command, ...args] = wrkArgv(baseUrl, options);
    return new Promise((resolve, reject) => {
        execFile(command, args, { timeout: (options.seconds + 30) * 1000 }, (error, stdout) => {
            if (error) {
                reject(error);
            } else {
                resolve(parseWrk(stdout));
            }
        });
    });
}

/**
 * A single request; resolves to the HTTP status. Asynchronous, so the caller's event loop keeps
 * reading the sidecar's output while curl runs.
 * @param baseUrl `http://<pod IP>:80` (no trailing slash).
 */
export function request(baseUrl: string, urlPath: string): Promise<number> {
    return new Promise((resolve, reject) => {
        execFile("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", `${baseUrl}${urlPath}`], { timeout: 10_000 },
            (error, stdout) => (error ? reject(error) : resolve(Number(stdout))));
    });
}

/** Load that goes on until stopped. */
export interface SustainedLoad {
    /** Ends the load (after the wrk run in progress, at most `sliceSeconds`); resolves to the requests wrk completed. */
    stop(): Promise<number>;
}

/**
 * Keeps load on `baseUrl` until stopped, as back-to-back wrk runs of `sliceSeconds` each (wrk has
 * no way to end early and still report). A run that fails (nginx down, connections refused) is
 * retried after a short pause: the load outlives the faults it is there to witness.
 */
export function sustainLoad(baseUrl: string, connections: number, sliceSeconds = 2): SustainedLoad {
    let stopping = false;
    let requests = 0;
    const loop = (async () => {
        while (!stopping) {
            try {
                requests += (await runLoad(baseUrl, { seconds: sliceSeconds, connections })).requests;
            } catch {
                await new Promise((resolve) => setTimeout(resolve, 200));
            }
        }
    })();
    return {
        stop: async () => {
            stopping = true;
            await loop;
            return requests;
        },
    };
}
