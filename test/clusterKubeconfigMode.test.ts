/**
 * The local cluster's kubeconfigs (the admin's, the kubelet's, each node component's) are written
 * readable by their owner only, whatever the umask of whoever runs scripts/cluster.sh: through
 * write_private (scripts/cluster/lib.sh), run here under umask 022, and used by every line of
 * scripts/cluster/ that writes a kubeconfig.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const CLUSTER_SCRIPTS = path.join(__dirname, "..", "scripts", "cluster");

/** Runs `script` in bash under umask 022 with scripts/cluster/lib.sh sourced, its cache in `cache`. */
function withClusterLib(cache: string, script: string): string {
    return execFileSync("bash", ["-c", `umask 022; source ${JSON.stringify(path.join(CLUSTER_SCRIPTS, "lib.sh"))}; ${script}`], {
        env: { PATH: process.env.PATH ?? "", HOME: cache, WEBSERVER_SIDECAR_CACHE: cache },
        encoding: "utf8",
    });
}

describe("the local cluster's kubeconfigs (scripts/cluster/)", () => {
    let cache: string;

    beforeEach(() => {
        cache = fs.mkdtempSync(path.join(os.tmpdir(), "cluster-kubeconfig-"));
    });

    afterEach(() => {
        fs.rmSync(cache, { recursive: true, force: true });
    });

    it("write_private writes a new file 0600 under umask 022, with what it was given", () => {
        const file = path.join(cache, "kubeconfig");
        withClusterLib(cache, `printf 'token: abc\\n' | write_private ${JSON.stringify(file)}`);
        expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
        expect(fs.readFileSync(file, "utf8")).to.equal("token: abc\n");
    });

    it("write_private leaves an older world-readable file 0600 (its mode does not survive)", () => {
        const file = path.join(cache, "kubeconfig");
        fs.writeFileSync(file, "old\n", { mode: 0o644 });
        fs.chmodSync(file, 0o644);
        withClusterLib(cache, `printf 'new\\n' | write_private ${JSON.stringify(file)}`);
        expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
        expect(fs.readFileSync(file, "utf8")).to.equal("new\n");
    });

    it("every kubeconfig scripts/cluster/ writes goes through write_private (no plain redirect)", () => {
        const plain: string[] = [];
        let privately = 0;
        for (const file of fs.readdirSync(CLUSTER_SCRIPTS).filter((f) => f.endsWith(".sh"))) {
            fs.readFileSync(path.join(CLUSTER_SCRIPTS, file), "utf8").split("\n").forEach((line, index) => {
                if (/^\s*#/.test(line)) return;
                if (/>>?\s*"?\$\{?[^\s"]*kubeconfig/i.test(line)) plain.push(`${file}:${index + 1}: ${line.trim()}`);
                if (/write_private\s+"?\$\{?[^\s"]*kubeconfig/i.test(line)) privately += 1;
            });
        }
        expect(plain).to.deep.equal([]);
        // The admin's (controlPlane.sh), the kubelet's, and the node components' (componentCredentials.sh).
        expect(privately).to.equal(3);
    });
});
