/**
 * The shipper's stdout (LinePipe), with no cluster: the real components/sidecar/logShipper.py's class,
 * on a real pipe. A pass must go out in one write whenever the pipe surely has room for it (the
 * shim then wakes once per pass), and never in one the pipe could cut (a kill would leave half a
 * line in the container log). Linux counts a pipe's room in page-sized slots, not bytes, so a
 * count of bytes (capacity less FIONREAD) would claim room that is not there.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import { LOG_SHIPPER_PATH } from "../components/sidecar/shipperCommand";
import { PYTHON } from "./helpers/shipperSandbox";

/** Runs `body` (Python) with the shipper's module as `shipper_module`; resolves to its stdout, parsed as JSON. */
function runWithShipperModule(body: string): Record<string, number | boolean> {
    const script = `
import importlib.util, json, os, sys, threading
spec = importlib.util.spec_from_file_location("logShipper", sys.argv[1])
shipper_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(shipper_module)
${body}
`;
    const result = spawnSync(PYTHON, ["-c", script, LOG_SHIPPER_PATH], { encoding: "utf8", timeout: 60_000 });
    expect(result.stderr, result.stderr).to.equal("");
    return JSON.parse(result.stdout) as Record<string, number | boolean>;
}

describe("the shipper's stdout pipe (LinePipe)", () => {
    it("writes each pass in one write while a reader keeps up, asking FIONREAD only when its own count runs short", () => {
        const result = runWithShipperModule(`
read_end, write_end = os.pipe()
pipe = shipper_module.LinePipe(write_end)
def drain():
    while os.read(read_end, 1 << 20):
        pass
threading.Thread(target=drain, daemon=True).start()
writes, asks = [], [0]
real_write, real_unread = os.write, pipe.unread_bytes
os.write = lambda fd, data: writes.append(len(data)) or real_write(fd, data)
def counted_unread():
    asks[0] += 1
    return real_unread()
pipe.unread_bytes = counted_unread
one_pass = (b"x" * 99 + b"\\n") * 350  # 35,000 bytes: a 10 ms pass at nginx's full rate here
for _ in range(200):
    pipe.write(one_pass)
    threading.Event().wait(0.002)
print(json.dumps({"writes": len(writes), "largest": max(writes), "asks": asks[0], "written": pipe.written}))
`);
        expect(result.writes, "one write per pass").to.equal(200);
        expect(result.largest).to.equal(35_000);
        expect(result.written).to.equal(200 * 35_000);
        // 9 slots a pass of 256: FIONREAD about once in 28 passes, not once a pass.
        expect(result.asks).to.be.at.most(20);
    });

    it("counts a pipe's room in slots: it never writes what the pipe cannot take whole, where a count of bytes would", () => {
        // The reader is stopped, and the write end non-blocking: a write the pipe could cut raises or comes back short.
        const result = runWithShipperModule(`
read_end, write_end = os.pipe()
pipe = shipper_module.LinePipe(write_end)
os.set_blocking(write_end, False)
line = b"y" * 2999 + b"\\n"  # 3,000 bytes: too long to merge into the slot before it, so one slot each
whole = 0
while pipe.surely_free_bytes(len(line)) >= len(line):
    pipe.write(line)  # raises BlockingIOError, or writes part (write_all then raises), if the pipe had no room
    whole += 1
unread = pipe.unread_bytes()
try:
    os.write(write_end, b"z" * 1999 + b"\\n")  # too long for the last slot's room: needs a new one
    full = False
except BlockingIOError:
    full = True
print(json.dumps({"whole": whole, "slots": pipe.slots, "unread": unread, "capacity": pipe.slots * pipe.PAGE_BYTES, "full": full}))
`);
        expect(result.whole, "every slot used, one line each").to.equal(result.slots);
        // Full by slots with a quarter of its bytes free, which capacity less FIONREAD would have offered.
        expect(result.full, "a further 2,000-byte write would wait").to.equal(true);
        expect(result.unread as number).to.be.below((result.capacity as number) * 0.75);
    });
});
