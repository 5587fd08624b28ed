/**
 * Which of this machine's Debian binaries stand in for each container image. Debian bookworm is
 * the base of the official nginx, python and debian images, so the same programs run; only what
 * each image puts on PATH differs.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { NGINX_BINARY } from "./nginxConfig";

/** A local stand-in for an image. */
export interface LocalImage {
    /** PATH inside the "container". */
    readonly path: string;
    /** The command the image runs when the container sets none (its ENTRYPOINT + CMD). */
    readonly defaultCommand?: (configFile: string) => string[];
    /** The image's STOPSIGNAL: what the kubelet sends to stop the container. */
    readonly stopSignal: NodeJS.Signals;
}

const DEBIAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** A directory whose only commands are busybox applets, as in the busybox image. */
function busyboxPath(): string {
    const directory = path.join(os.tmpdir(), "webserver-sidecar-busybox");
    if (!fs.existsSync(path.join(directory, "tail"))) {
        fs.mkdirSync(directory, { recursive: true });
        for (const applet of ["sh", "tail", "cat", "sleep"]) {
            const link = path.join(directory, applet);
            if (!fs.existsSync(link)) {
                fs.symlinkSync("/bin/busybox", link);
            }
        }
    }
    return directory;
}

/**
 * The stand-in for an image reference, by repository name (tag and digest do not matter here).
 * @throws when no stand-in is known: the runner never guesses what an image contains.
 */
export function localImageFor(image: string): LocalImage {
    const repository = image.split("@")[0].replace(/:[^/]*$/, "").split("/").pop();
    switch (repository) {
        case "nginx":
            // The image's CMD is `nginx -g 'daemon off;'`; its STOPSIGNAL SIGQUIT, nginx's graceful quit.
            return {
                path: DEBIAN_PATH,
                defaultCommand: (config) => [NGINX_BINARY, "-c", config, "-g", "daemon off;"],
                stopSignal: "SIGQUIT",
            };
        case "python":
        case "debian":
        case "ubuntu":
            return { path: DEBIAN_PATH, stopSignal: "SIGTERM" };
        case "busybox":
            return { path: busyboxPath(), stopSignal: "SIGTERM" };
        default:
            throw new Error(`the local Pod runner has no stand-in for image ${image}`);
    }
}
