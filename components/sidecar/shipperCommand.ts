import * as fs from "fs";
import * as path from "path";

/** The shipper's file name: here, in the shipper's ConfigMap, and in the directory the sidecar mounts it on. */
export const SHIPPER_FILE = "logShipper.py";

/** The sidecar's program, kept as a real Python file so it can be linted and run on its own. */
export const LOG_SHIPPER_PATH = path.join(__dirname, SHIPPER_FILE);

/** Where the sidecar mounts the shipper's ConfigMap: read-only, its own directory, nothing else in it. */
export const SHIPPER_DIRECTORY = "/opt/webserver-sidecar";

/** The log files nginx writes in its image's default configuration, in the order they are read. */
export const NGINX_LOG_FILES = ["access.log", "error.log"] as const;

/**
 * Each log file is rotated past this fraction of the volume's sizeLimit. With two files, each with
 * at most one rotated generation still draining, the files take at most four eighths of the limit;
 * the other half is headroom for bursts and for a restarting sidecar, which cannot rotate.
 */
export const ROTATE_FRACTION_OF_LIMIT = 1 / 8;

/**
 * The most the shipper reads, and so writes to stdout, at once; it saves its offsets after each
 * such chunk, so this is also the most a restarted shipper replays. Passed as --chunk-bytes: this
 * constant is its one source, for the Pod and for the tests that bound a replay by it.
 */
export const SHIPPER_CHUNK_BYTES = 256 * 1024;

/** What the sidecar container runs. */
export interface ShipperCommand {
    readonly command: string[];
    readonly args: string[];
}

let shipperSource: string | undefined;

/** The shipper's source, read once on first use (not at import, so importing stays side-effect free). */
export function readShipperSource(): string {
    shipperSource ??= fs.readFileSync(LOG_SHIPPER_PATH, "utf8");
    return shipperSource;
}

/** Of the Pod's grace period, what the shipper keeps for its last read after nginx has exited. */
export const FINAL_READ_SECONDS = 2;

/**
 * The sidecar's command: the log shipper run by `python3` from its ConfigMap (mounted at
 * SHIPPER_DIRECTORY), so that no custom image is needed and the Pod's spec holds a path, not the
 * program; following `logDirectory` and rotating at an eighth of the volume's limit. On SIGTERM
 * it waits for nginx to exit (at once for a native sidecar; in classic mode the two are stopped
 * together) for the grace period less FINAL_READ_SECONDS, so its last read fits before the kubelet
 * kills it.
 * @param logDirectory where the shared-logs volume is mounted.
 * @param logSizeLimitBytes the volume's sizeLimit in bytes.
 * @param gracePeriodSeconds the Pod's terminationGracePeriodSeconds.
 */
export function buildShipperCommand(logDirectory: string, logSizeLimitBytes: number, gracePeriodSeconds: number): ShipperCommand {
    const rotateBytes = Math.floor(logSizeLimitBytes * ROTATE_FRACTION_OF_LIMIT);
    const drainTimeout = Math.max(1, gracePeriodSeconds - FINAL_READ_SECONDS);
    return {
        // -u: unbuffered stdio. The shipper writes with os.write anyway; this also covers its stderr.
        command: ["python3", "-u", `${SHIPPER_DIRECTORY}/${SHIPPER_FILE}`],
        args: ["--dir", logDirectory, "--rotate-bytes", String(rotateBytes), "--drain-timeout", String(drainTimeout),
            "--chunk-bytes", String(SHIPPER_CHUNK_BYTES), ...NGINX_LOG_FILES],
    };
}
