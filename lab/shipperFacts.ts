/** Facts about the log shipper that tests and benchmarks bound their expectations by. */
import { SHIPPER_CHUNK_BYTES } from "../components/sidecar/shipperCommand";

/**
 * The most the shipper writes at once, and so the most a restart can replay: the value the Pod
 * passes as --chunk-bytes (the shipper has no default of its own).
 */
export const CHUNK_BYTES_OF_SHIPPER = SHIPPER_CHUNK_BYTES;
