/** How much disk a directory takes, counted as the kubelet counts an emptyDir against its sizeLimit. */
import * as fs from "fs";
import * as path from "path";

/** Bytes in allocated blocks (what `du` reports), recursively. Files rotated away meanwhile count as gone. */
export function diskUsage(directory: string): number {
    let total = 0;
    let entries: fs.Dirent[];
    try {
        entries = fs.readdirSync(directory, { withFileTypes: true });
    } catch {
        return 0; // the volume is gone with its Pod
    }
    for (const entry of entries) {
        const full = path.join(directory, entry.name);
        try {
            total += fs.statSync(full).blocks * 512 + (entry.isDirectory() ? diskUsage(full) : 0);
        } catch {
            // rotated away between readdir and stat
        }
    }
    return total;
}

/** Samples a directory's disk usage every `intervalMs` until stopped; `stop` returns the peak. */
export function watchDiskUsage(directory: string, intervalMs = 20): { stop: () => number } {
    let peak = 0;
    const timer = setInterval(() => { peak = Math.max(peak, diskUsage(directory)); }, intervalMs);
    return { stop: () => { clearInterval(timer); return Math.max(peak, diskUsage(directory)); } };
}
