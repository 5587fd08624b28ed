/**
 * Writes a container's output to a file in the CRI logging format, as containerd does for the
 * kubelet: one line per log line, `<RFC3339Nano time> <stream> <F|P> <text>`. `kubectl logs`
 * (through kwok, with the kubelet's own reader) reads these files.
 */
import * as fs from "fs";

/** Longest line written whole; a longer one is split into partial (`P`) records, as containerd does. */
const MAX_RECORD_BYTES = 16 * 1024;

/** The time as RFC3339 with nanoseconds (JavaScript has milliseconds: the rest are zeros). */
function rfc3339Nano(date: Date): string {
    return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");
}

/** Appends one stream's output to a CRI log file, line by line. */
export class CriLogWriter {
    private readonly file: fs.WriteStream;
    private carry = Buffer.alloc(0);

    constructor(path: string, private readonly stream: "stdout" | "stderr") {
        this.file = fs.createWriteStream(path, { flags: "a" });
    }

    /** Writes every complete line of `data` (and what was left over before it). */
    write(data: Buffer): void {
        let buffer = this.carry.length > 0 ? Buffer.concat([this.carry, data]) : data;
        const now = rfc3339Nano(new Date());
        const records: string[] = [];
        let newline: number;
        while ((newline = buffer.indexOf(0x0a)) >= 0) {
            records.push(`${now} ${this.stream} F ${buffer.subarray(0, newline).toString("utf8")}\n`);
            buffer = buffer.subarray(newline + 1);
        }
        while (buffer.length > MAX_RECORD_BYTES) {
            records.push(`${now} ${this.stream} P ${buffer.subarray(0, MAX_RECORD_BYTES).toString("utf8")}\n`);
            buffer = buffer.subarray(MAX_RECORD_BYTES);
        }
        this.carry = Buffer.from(buffer);
        if (records.length > 0) {
            this.file.write(records.join(""));
        }
    }

    /** Writes what is left of an unterminated last line, and closes the file. */
    end(): void {
        if (this.carry.length > 0) {
            this.file.write(`${rfc3339Nano(new Date())} ${this.stream} F ${this.carry.toString("utf8")}\n`);
        }
        this.file.end();
    }
}
