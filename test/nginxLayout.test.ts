/**
 * The check of a team's nginx image (components/nginxLayout.ts), run as the Pod runs it: `sh -c`
 * with Debian's nginx, reading /etc/nginx. Each layout is bind-mounted on /etc/nginx in a mount
 * namespace of its own (unshare), so the machine's own /etc/nginx is never touched: the project's
 * stand-in for the official image (scripts/images/nginx-bookworm), the same turned into
 * nginx-unprivileged's layout (port 8080, pid and temp files in /tmp), one without conf.d, and
 * Debian's own (the machine's /etc/nginx as the package installs it).
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { NGINX_LAYOUT_SCRIPT } from "../components/nginxLayout";

const IN_CI = ["true", "1"].includes(process.env.CI ?? "");
const STAND_IN = path.join(__dirname, "..", "scripts", "images", "nginx-bookworm");

/** What the check prints and how it exits, with `etc` on /etc/nginx (or the machine's own when undefined), and the check's PATH. */
function runCheck(etc: string | undefined, checkPath = process.env.PATH ?? ""): { status: number | null; stderr: string } {
    // $0 is the check, $1 its PATH: no quoting of either into the outer script.
    const outer = `${etc === undefined ? "" : `mount --bind '${etc}' /etc/nginx && `}PATH="$1" exec /bin/sh -c "$0"`;
    const result = spawnSync("unshare", ["--mount", "sh", "-c", outer, NGINX_LAYOUT_SCRIPT, checkPath], { encoding: "utf8" });
    return { status: result.status, stderr: result.stderr };
}

describe("the check of a team's nginx image, on Debian's nginx", function () {
    let root: string;

    before(function () {
        const problem = !fs.existsSync("/usr/sbin/nginx") ? "no nginx on this machine (Debian: apt-get install nginx; scripts/test.sh installs it)"
            : process.getuid?.() !== 0 ? "not root: the layouts are bind-mounted on /etc/nginx in a mount namespace" : undefined;
        if (problem !== undefined) {
            if (IN_CI) {
                throw new Error(`CI must run the check, but: ${problem}`);
            }
            console.log(`      skipped: ${problem}`);
            this.skip();
        }
    });
    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "nginx-layout-"));
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    /** The stand-in's /etc/nginx, edited by `edit` (nginx.conf, conf.d/default.conf). */
    function layout(edit: (files: { nginxConf: string; defaultConf: string }) => { nginxConf: string; defaultConf?: string }): string {
        const files = edit({
            nginxConf: fs.readFileSync(path.join(STAND_IN, "nginx.conf"), "utf8"),
            defaultConf: fs.readFileSync(path.join(STAND_IN, "default.conf"), "utf8"),
        });
        fs.writeFileSync(path.join(root, "nginx.conf"), files.nginxConf);
        if (files.defaultConf !== undefined) {
            fs.mkdirSync(path.join(root, "conf.d"));
            fs.writeFileSync(path.join(root, "conf.d", "default.conf"), files.defaultConf);
        }
        return root;
    }

    it("passes the official image's layout (the stand-in's files), saying nothing", () => {
        expect(runCheck(layout((files) => files))).to.deep.equal({ status: 0, stderr: "" });
    });

    it("names the port, the pid file and the temp files of nginx-unprivileged's layout", () => {
        const { status, stderr } = runCheck(layout(({ nginxConf, defaultConf }) => ({
            nginxConf: nginxConf.replace(/pid\s+\S+;/, "pid /tmp/nginx.pid;").replace(/_temp_path\s+\/var\/cache\/nginx\//g, "_temp_path /tmp/"),
            defaultConf: defaultConf.replace(/listen\s+80;/, "listen 8080;"),
        })));
        expect(status).to.equal(1);
        expect(stderr).to.include("nginxImage: the image does not have the official nginx image's layout, which the Pod relies on:");
        expect(stderr).to.include("- port: no listen 80 in nginx.conf or conf.d (the probes and the Service use port 80)");
        expect(stderr).to.include("- pid file: /tmp/nginx.pid, not in /run");
        expect(stderr).to.include("- temp files: client_body_temp_path /tmp/client_temp, proxy_temp_path /tmp/proxy_temp");
    });

    it("names a missing conf.d, and the include that went with it", () => {
        const { status, stderr } = runCheck(layout(({ nginxConf }) => ({ nginxConf: nginxConf.replace(/include\s+\/etc\/nginx\/conf\.d\/\*\.conf;/, "") })));
        expect(status).to.equal(1);
        expect(stderr).to.include("- /etc/nginx/conf.d: not found (where serverConfig is mounted)");
        expect(stderr).to.include("- nginx.conf: no include /etc/nginx/conf.d/*.conf");
    });

    it("names a log directory other than /var/log/nginx, and does not count a commented-out directive", () => {
        const { stderr } = runCheck(layout(({ nginxConf, defaultConf }) => ({
            nginxConf: nginxConf.replace(/access_log\s+\/var\/log\/nginx\/access\.log/, "access_log /opt/logs/access.log;\n    # access_log /var/log/nginx/access.log"),
            defaultConf,
        })));
        expect(stderr).to.include("- log directory: no access_log /var/log/nginx/access.log");
        expect(stderr).to.not.include("error_log");
    });

    it("names Debian's own layout: its server in sites-enabled, its temp files in /var/lib/nginx", function () {
        if (!fs.existsSync("/etc/nginx/sites-enabled")) {
            this.skip(); // the machine's nginx is not Debian's as the package installs it
        }
        const { status, stderr } = runCheck(undefined);
        expect(status).to.equal(1);
        expect(stderr).to.include("- port: no listen 80");
        expect(stderr).to.include("- temp files: client_body_temp_path /var/lib/nginx/body");
    });

    it("says only that nginx is missing when it is not on PATH", () => {
        const { status, stderr } = runCheck(layout((files) => files), "/nonexistent");
        expect(status).to.equal(1);
        expect(stderr.trim().split("\n")).to.deep.equal([
            "nginxImage: the image does not have the official nginx image's layout, which the Pod relies on:",
            "  - nginx: not found on PATH (/nonexistent)",
        ]);
    });
});
