/**
 * A container's output as a log reader hands it over, kept apart from the reader's own failures.
 *
 * A reader (`kubectl logs`, and behind it the kubelet and the container runtime) can fail two ways:
 * - out of band: kubectl exits non-zero and says why on its stderr (`error: ...`);
 * - in band: once the kubelet has started streaming, it can only report a failure by writing it
 *   into the stream itself, so kubectl prints it on stdout after the container's last line. When a
 *   Pod is deleted while it is followed, the runtime may have removed the container before the
 *   kubelet's follow loop looked at it again: the stream then ends with the runtime's gRPC status,
 *   `rpc error: code = NotFound desc = an error occurred when try to find container "<id>": not found`,
 *   and whatever the container wrote after the loop's last read was never served.
 *
 * Either way the output is not the container's whole output, and the reader's words are not a line
 * the container wrote: they are surfaced as a {@link LogReaderError}, never counted, never dropped.
 *
 * `kubectl logs` also interleaves the container's stderr with its stdout (the kubelet serves both
 * streams of the CRI log). The shipper writes nginx's lines to stdout and its own notices, each
 * prefixed `logshipper: `, to stderr (components/sidecar/logShipper.py `log`): those notices are
 * set apart from the shipped lines here, as the CRI log's stream field sets them apart on the node
 * (lab/criLog.ts).
 */

/**
 * The start of a gRPC status as the kubelet writes a failed call to the container runtime (CRI)
 * into a log stream: `rpc error: code = <Code> desc = <message>` (grpc-go's `status.Error` text).
 * Anchored to a line's start: a line the sidecar ships starts with an address (an access line) or
 * a date (an error.log line), never with this.
 */
export const IN_BAND_READER_ERROR = /^rpc error: code = [A-Z][A-Za-z]* desc = /m;

/** The prefix of the shipper's own notices on its stderr (logShipper.py `log`). */
export const SHIPPER_NOTICE_PREFIX = "logshipper: ";

/** A log reader's failure: the command that read, and what it (or the kubelet behind it) said. */
export class LogReaderError extends Error {
    /**
     * @param command the reader's argv, as run (`kubectl logs -f <pod> -n <namespace> -c <container>`).
     * @param readerMessage the reader's own words: its stderr and exit status, or the error it wrote in band.
     */
    constructor(readonly command: readonly string[], readonly readerMessage: string) {
        super(`the log reader failed, so the container's output it returned is not whole: \`${command.join(" ")}\`: ${readerMessage}`);
        this.name = "LogReaderError";
    }
}

/** A reader's stdout, split into what the container wrote and the error the reader wrote in band. */
export interface SeparatedOutput {
    /** The container's output, up to the reader's error (if any): every line as the container wrote it. */
    readonly output: string;
    /** The error the reader wrote into the stream, or `undefined` when it wrote none. */
    readonly readerError: string | undefined;
}

/**
 * Splits a reader's stdout at the error it wrote in band ({@link IN_BAND_READER_ERROR}), if any: the
 * kubelet ends the stream after writing it, so everything from there on is the reader's.
 */
export function separateReaderError(stdout: string): SeparatedOutput {
    const match = IN_BAND_READER_ERROR.exec(stdout);
    if (match === null) {
        return { output: stdout, readerError: undefined };
    }
    return { output: stdout.slice(0, match.index), readerError: stdout.slice(match.index).trim() };
}

/** A container's output with the shipper's stderr notices set apart. */
export interface ShippedOutput {
    /** The lines the sidecar shipped (its stdout), each with its newline. */
    readonly shipped: string;
    /** The shipper's notices (its stderr), without their newline. */
    readonly notices: string[];
}

/** Sets the shipper's notices (lines starting {@link SHIPPER_NOTICE_PREFIX}) apart from the shipped lines. */
export function separateShipperNotices(output: string): ShippedOutput {
    const notices: string[] = [];
    // Split keeping each line's newline, so that the shipped text is byte for byte what was shipped.
    const shipped = (output.match(/[^\n]*\n|[^\n]+$/g) ?? []).filter((line) => {
        if (line.startsWith(SHIPPER_NOTICE_PREFIX)) {
            notices.push(line.replace(/\n$/, ""));
            return false;
        }
        return true;
    });
    return { shipped: shipped.join(""), notices };
}

/** How a reader's process ended, and what it printed. */
export interface ReaderRun {
    /** Its argv, for messages. */
    readonly command: readonly string[];
    readonly stdout: string;
    readonly stderr: string;
    /** Its exit status, or `null` when a signal ended it. */
    readonly exitCode: number | null;
    /** The signal that ended it, or `null`. */
    readonly signal: NodeJS.Signals | null;
    /** The signal the harness sent it to stop a follow (a stop, not a failure). */
    readonly stoppedWith?: NodeJS.Signals;
}

/**
 * The container's output from a finished reader run, with the shipper's notices set apart.
 * @throws {LogReaderError} when the reader failed: it exited non-zero or was killed by a signal the
 *   harness did not send, it printed anything on stderr (`kubectl logs` prints nothing there when
 *   it succeeds), or it wrote an error in band. The message names the command and the reader's words.
 */
export function containerOutputOf(run: ReaderRun): ShippedOutput {
    const { output, readerError } = separateReaderError(run.stdout);
    const problems: string[] = [];
    // Once the harness has stopped a follow, how kubectl ends is the stop's doing: killed by the
    // signal, or (it handles SIGTERM) exit 1. Its stderr and in-band errors still count.
    const stoppedByUs = run.stoppedWith !== undefined;
    if (run.exitCode !== 0 && !stoppedByUs) {
        problems.push(run.exitCode === null ? `killed by ${run.signal}` : `exited ${run.exitCode}`);
    }
    if (run.stderr.trim() !== "") {
        problems.push(`stderr: ${run.stderr.trim()}`);
    }
    if (readerError !== undefined) {
        problems.push(`in its output, after the container's last line: ${readerError}`);
    }
    if (problems.length > 0) {
        throw new LogReaderError(run.command, problems.join("; "));
    }
    return separateShipperNotices(output);
}
