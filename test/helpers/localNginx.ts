/**
 * Debian's nginx, run on loopback for the shipper's fast tests: its master and a worker write
 * access.log and error.log in a sandbox's log directory, as nginx in the Pod writes the shared
 * volume, and answer raw HTTP requests. scripts/test.sh installs it (package nginx).
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { sleep } from "../../lab/polling";
import { closedPort } from "./loopbackPorts";
import { PYTHON, ShipperSandbox } from "./shipperSandbox";

/** Where Debian's package puts nginx. */
export const NGINX_BINARY = "/usr/sbin/nginx";

/** nginx serving `root/html` on a loopback port, logging to a log directory. */
export class LocalNginx {
    private constructor(readonly child: ChildProcess, readonly port: number, readonly htmlDirectory: string) {}

    /**
     * Starts nginx (master and one worker) with its logs in `logDirectory` and its other files under
     * `root`; resolves once it accepts connections.
     * @param accessLog the `http {}` block's log directives (`log_format`, `access_log`) in place of
     *   Debian's default format to `<logDirectory>/access.log`.
     * @throws when nginx is not installed, or does not listen within 10 s.
     */
    static async start(root: string, logDirectory: string, accessLog?: readonly string[]): Promise<LocalNginx> {
        if (!fs.existsSync(NGINX_BINARY)) {
            throw new Error(`${NGINX_BINARY} is missing: install Debian's nginx (scripts/test.sh does: apt-get install nginx)`);
        }
        const port = await closedPort();
        const htmlDirectory = path.join(root, "html");
        const temporary = path.join(root, "nginx-temp");
        fs.mkdirSync(htmlDirectory, { recursive: true });
        fs.mkdirSync(temporary, { recursive: true });
        fs.writeFileSync(path.join(htmlDirectory, "index.html"), "hello\n");
        // As root nginx's worker runs as nobody, which must reach the files it serves.
        for (const directory of [root, htmlDirectory]) {
            fs.chmodSync(directory, 0o755);
        }
        const configPath = path.join(root, "nginx.conf");
        fs.writeFileSync(configPath, [
            "daemon off;",
            "worker_processes 1;",
            ...(process.getuid?.() === 0 ? ["user nobody nogroup;"] : []),
            `pid ${path.join(root, "nginx.pid")};`,
            `error_log ${path.join(logDirectory, "error.log")} notice;`,
            "events { worker_connections 64; }",
            "http {",
            ...(accessLog ?? [`access_log ${path.join(logDirectory, "access.log")};`]).map((line) => `    ${line}`),
            ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `    ${kind}_temp_path ${temporary};`),
            `    server { listen 127.0.0.1:${port}; root ${htmlDirectory}; }`,
            "}",
            "",
        ].join("\n"));
        // -e: nginx's own start-up messages go to the same error.log, not to /var/log/nginx.
        const child = spawn(NGINX_BINARY, ["-c", configPath, "-e", path.join(logDirectory, "error.log")], { stdio: ["ignore", "inherit", "inherit"] });
        const nginx = new LocalNginx(child, port, htmlDirectory);
        const deadline = Date.now() + 10_000;
        while (!(await nginx.accepts())) {
            if (Date.now() > deadline || child.exitCode !== null) {
                await nginx.stop();
                throw new Error(`nginx did not listen on 127.0.0.1:${port} within 10 s (exit code ${child.exitCode})`);
            }
            await sleep(20);
        }
        return nginx;
    }

    private accepts(): Promise<boolean> {
        return new Promise((resolve) => {
            const socket = net.connect(this.port, "127.0.0.1", () => {
                socket.destroy();
                resolve(true);
            });
            socket.on("error", () => resolve(false));
        });
    }

    /**
     * Sends `GET <target> HTTP/1.1` with `target` exactly as given (no encoding, as a client may send
     * anything), with `headers` as given too, and resolves to the response's status code.
     */
    get(target: string, headers: Readonly<Record<string, string>> = {}): Promise<number> {
        return new Promise((resolve, reject) => {
            const chunks: Buffer[] = [];
            const socket = net.connect(this.port, "127.0.0.1", () => {
                const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join("");
                socket.write(`GET ${target} HTTP/1.1\r\nHost: local\r\n${extra}Connection: close\r\n\r\n`);
            });
            socket.on("data", (chunk: Buffer) => chunks.push(chunk));
            socket.on("error", reject);
            socket.on("close", () => {
                const status = /^HTTP\/1\.1 (\d{3}) /.exec(Buffer.concat(chunks).toString("latin1"));
                if (status === null) {
                    reject(new Error(`no HTTP status in nginx's answer to GET ${target}`));
                } else {
                    resolve(Number(status[1]));
                }
            });
        });
    }

    /** Stops nginx with SIGTERM (its fast stop: the master waits for its workers) and resolves once the master has exited. */
    async stop(): Promise<void> {
        if (this.child.exitCode === null && this.child.signalCode === null) {
            const exited = new Promise((resolve) => this.child.once("exit", resolve));
            this.child.kill("SIGTERM");
            await exited;
        }
    }
}

/** What a test of the real shipper next to Debian's nginx works with: set afresh before each test. */
export interface NginxSandbox {
    sandbox: ShipperSandbox;
    /** The nginx the test started, if any: stopped after the test. */
    nginx: LocalNginx | undefined;
}

/**
 * Installs, in the calling `describe`, the hooks of a test of the real shipper next to Debian's
 * nginx: skipped off Linux (inotify, /proc), a new sandbox before each test, and after it the
 * test's nginx stopped and the sandbox removed.
 */
export function useNginxSandbox(): NginxSandbox {
    const fixture = { nginx: undefined } as NginxSandbox;
    before(function () {
        if (process.platform !== "linux") {
            this.skip(); // inotify and /proc
        }
    });
    beforeEach(() => {
        fixture.sandbox = new ShipperSandbox(PYTHON);
        fixture.nginx = undefined;
    });
    afterEach(async () => {
        await fixture.nginx?.stop();
        await fixture.sandbox.cleanup();
    });
    return fixture;
}
