import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as tls from "tls";
import { probeServer } from "../program/serverProbe";
import { closedPort } from "./helpers/loopbackPorts";

/** Listens on a free loopback port; the connections are kept so that the test can close them all. */
async function listen(server: net.Server): Promise<number> {
    const connections = new Set<net.Socket>();
    server.on("connection", (socket: net.Socket) => {
        connections.add(socket);
        socket.on("close", () => connections.delete(socket));
    });
    server.once("close", () => connections.forEach((socket) => socket.destroy()));
    openConnections.set(server, connections);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as net.AddressInfo).port;
}

const openConnections = new Map<net.Server, Set<net.Socket>>();

/** Closes a server and every connection it still holds. */
function closeServer(server: net.Server): Promise<unknown> {
    openConnections.get(server)?.forEach((socket) => socket.destroy());
    return new Promise((resolve) => server.close(resolve));
}

/** A self-signed certificate made for the test (openssl), so that no key is committed. */
function selfSignedCertificate(): { key: string; cert: string } {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "probe-cert-"));
    try {
        execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=probe.test",
            "-keyout", path.join(directory, "key.pem"), "-out", path.join(directory, "cert.pem")], { stdio: "ignore" });
        return { key: fs.readFileSync(path.join(directory, "key.pem"), "utf8"), cert: fs.readFileSync(path.join(directory, "cert.pem"), "utf8") };
    } finally {
        fs.rmSync(directory, { recursive: true, force: true });
    }
}

describe("probeServer", () => {
    const servers: net.Server[] = [];
    afterEach(async () => {
        await Promise.all(servers.splice(0).map(closeServer));
    });

    it("finds that nothing answers on a closed port: connection refused", async () => {
        const result = await probeServer(`https://127.0.0.1:${await closedPort()}`, { timeoutMs: 5_000 });
        expect(result).to.deep.include({ answered: false, reason: "connection refused: nothing listens there (ECONNREFUSED)" });
    });

    it("finds that a TLS server answers, whatever its certificate (verifying it is the provider's job)", async () => {
        const server = tls.createServer(selfSignedCertificate(), (socket) => socket.end());
        servers.push(server);
        const result = await probeServer(`https://127.0.0.1:${await listen(server)}`, { timeoutMs: 5_000 });
        expect(result.answered).to.equal(true);
    });

    it("counts a server that accepts TCP but never completes a TLS handshake as not answering, within the timeout", async () => {
        const server = net.createServer(() => undefined); // accepts, says nothing
        servers.push(server);
        const result = await probeServer(`https://127.0.0.1:${await listen(server)}`, { timeoutMs: 300 });
        expect(result).to.deep.include({ answered: false, reason: "the TCP connection opened, but no TLS handshake completed within 0.3 s" });
        expect(result.elapsedMs).to.be.at.least(290);
    });

    it("counts a connection reset before any TLS answer as not answering (a load balancer with no backend)", async () => {
        const server = net.createServer((socket) => socket.resetAndDestroy());
        servers.push(server);
        const result = await probeServer(`https://127.0.0.1:${await listen(server)}`, { timeoutMs: 5_000 });
        expect(result.answered).to.equal(false);
        expect((result as { reason: string }).reason).to.match(/ECONNRESET|socket disconnected/);
    });

    it("counts a non-TLS reply as an answer: something listens and speaks (the provider says what is wrong)", async () => {
        const server = net.createServer((socket) => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n"));
        servers.push(server);
        const result = await probeServer(`https://127.0.0.1:${await listen(server)}`, { timeoutMs: 5_000 });
        expect(result.answered).to.equal(true);
    });

    it("connects without TLS to an http:// server", async () => {
        const server = net.createServer((socket) => socket.end());
        servers.push(server);
        const result = await probeServer(`http://127.0.0.1:${await listen(server)}`, { timeoutMs: 5_000 });
        expect(result.answered).to.equal(true);
    });

    it("refuses what is not an http(s) URL, without connecting", async () => {
        expect(await probeServer("unix:///var/run/kube.sock", { timeoutMs: 5_000 })).to.deep.include({ answered: false, reason: "the scheme unix: is neither https: nor http:" });
        expect(await probeServer("not a url", { timeoutMs: 5_000 })).to.deep.include({ answered: false, reason: "the server is not a URL" });
    });
});
