/**
 * A local port where TCP connects get no answer at all, as for a host that is down or behind a
 * firewall that drops packets: the worst case for a client, which waits for its own timeout.
 *
 * Made without touching the machine's network: a listening socket whose accept queue is full
 * (backlog 0, one connection made and never accepted) drops every further SYN, and the client
 * retransmits until it gives up. Node accepts every connection by itself, so a small python3
 * process holds the socket.
 */
import { ChildProcess, spawn } from "child_process";

const HOLD_PORT = `
import socket, sys, time
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(0)
port = listener.getsockname()[1]
filler = socket.socket()
filler.connect(("127.0.0.1", port))  # fills the queue: it is never accepted
print(port, flush=True)
sys.stdin.read()  # until the test closes our stdin (or exits)
`;

/** A port that drops connects; {@link DroppingPort.close} when done. */
export class DroppingPort {
    private constructor(private readonly child: ChildProcess, readonly port: number) {}

    static start(): Promise<DroppingPort> {
        const child = spawn("python3", ["-c", HOLD_PORT], { stdio: ["pipe", "pipe", "inherit"] });
        return new Promise((resolve, reject) => {
            child.once("error", reject);
            child.once("exit", (code) => reject(new Error(`python3 holding the dropping port exited (${code})`)));
            child.stdout?.once("data", (chunk: Buffer) => resolve(new DroppingPort(child, Number(chunk.toString().trim()))));
        });
    }

    close(): void {
        this.child.stdin?.end();
        this.child.kill();
    }
}
