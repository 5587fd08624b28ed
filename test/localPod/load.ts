/**
 * Load for the local Pod: wrk inside the Pod's network namespace, every request to a unique path
 * so that every access line is unique; every tenth one to a missing file, which nginx answers 404
 * and also logs to error.log. Bounded in time, and only ever aimed at the Pod's own loopback.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalPod } from "./localPod";

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

function wrkArgv(pod: LocalPod, options: LoadOptions): string[] {
    const threads = options.threads ?? Math.min(2, options.connections);
    return pod.inPodNetwork(["wrk", `-t${threads}`, `-c${options.connections}`, `-d${options.seconds}s`, "-s", scriptFile(), "http://127.0.0.1:80/"]);
}

function parseWrk(output: string): LoadResult {
    const requests = /(\d+) requests in/.exec(output);
    const rate = /Requests\/sec:\s+([\d.]+)/.exec(output);
    if (!requests || !rate) {
        throw new Error(`could not read wrk's output:\n${output}`);
    }
    return { requests: Number(requests[1]), requestsPerSecond: Number(rate[1]) };
}

/** Runs wrk against the Pod and resolves when it is done. */
export function runLoad(pod: LocalPod, options: LoadOptions): Promise<LoadResult> {
    const [command, ...args] = wrkArgv(pod, options);
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
 * A single request from inside the Pod's network; resolves to the HTTP status. Asynchronous, so
 * the runner's event loop keeps timestamping the sidecar's output while curl runs.
 */
export function request(pod: LocalPod, urlPath: string): Promise<number> {
    const [command, ...args] = pod.inPodNetwork(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", `http://127.0.0.1:80${urlPath}`]);
    return new Promise((resolve, reject) => {
        execFile(command, args, { timeout: 10_000 }, (error, stdout) => (error ? reject(error) : resolve(Number(stdout))));
    });
}
