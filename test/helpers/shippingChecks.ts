/**
 * What the end-to-end tests of log shipping share: starting the component's Pod on the local node
 * (with the sidecar under test), accounting for nginx's lines in what the sidecar shipped, and
 * asserting on the account with a readable sample when it fails.
 */
import { expect } from "chai";
import { PlainWebServerArgs, resolveArgs } from "../../components/args";
import { buildPodSpec } from "../../components/podSpec";
import { LineAccount, NginxLineAccount, accountNginxLines } from "../../lab/lineAccounting";
import { localImages } from "../../lab/localNode";
import { NodePod } from "../../lab/nodePod";
import { waitFor } from "../../lab/polling";
import { withSidecar } from "../../lab/sidecarVariants";

/** Starts the component's Pod for `args` (with the sidecar under test) on the local node. */
export function startPod(namespace: string, args: PlainWebServerArgs = {}): Promise<NodePod> {
    const images = localImages();
    const spec = buildPodSpec(resolveArgs({ nginxImage: images.nginx, sidecarImage: images.python, ...args }));
    return NodePod.start(withSidecar(spec), { namespace });
}

/** Every line nginx wrote, against every line the sidecar shipped (see accountNginxLines). */
export function account(pod: NodePod, shipped: string): NginxLineAccount {
    return accountNginxLines(pod.truthText("access.log"), pod.truthText("error.log"), shipped);
}

/** A few of `lines`, for a failure message. */
function sample(lines: string[]): string {
    return lines.slice(0, 3).join("\n    ");
}

/** Asserts nothing was lost. */
export function expectNothingLost(result: LineAccount): void {
    expect(result.lost, `${result.lost.length} of ${result.written} lines never shipped, e.g.\n    ${sample(result.lost)}\n`).to.have.length(0);
    expect(result.written).to.be.greaterThan(0);
}

/** Asserts nothing was lost, repeated or made up, with a readable sample when it was. */
export function expectEveryLineOnce(result: LineAccount): void {
    expectNothingLost(result);
    expect(result.duplicated, `${result.duplicated.length} lines shipped more than once, e.g.\n    ${sample(result.duplicated)}\n`).to.have.length(0);
    expect(result.unexpected, `${result.unexpected.length} shipped lines nginx never wrote, e.g.\n    ${sample(result.unexpected)}\n`).to.have.length(0);
}

/** The bytes of `lines` as the shipper wrote them (each with its newline). */
export function bytesOfLines(lines: string[]): number {
    return lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
}

export { sleep } from "../../lab/polling";

/** Polls `check` every 200 ms until it holds, failing after `timeoutMs`. */
export async function eventually(what: string, timeoutMs: number, check: () => boolean): Promise<void> {
    await waitFor(what, () => (check() ? true : undefined), timeoutMs, 200);
}
