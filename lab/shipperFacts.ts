/** Facts about the log shipper that tests bound their expectations by, read from its source. */
import * as fs from "fs";
import { LOG_SHIPPER_PATH } from "../components/sidecar/shipperCommand";

function readChunkBytes(): number {
    const match = /^CHUNK_BYTES = (\d+) \* (\d+)$/m.exec(fs.readFileSync(LOG_SHIPPER_PATH, "utf8"));
    if (!match) {
        throw new Error(`CHUNK_BYTES = <a> * <b> not found in ${LOG_SHIPPER_PATH}`);
    }
    return Number(match[1]) * Number(match[2]);
}

/** The most the shipper writes at once, and so the most a restart can replay. */
export const CHUNK_BYTES_OF_SHIPPER = readChunkBytes();
