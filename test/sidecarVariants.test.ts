import { expect } from "chai";
import * as k8s from "@pulumi/kubernetes";
import { resolveArgs } from "../components/args";
import { SIDECAR_CONTAINER, buildPodSpec } from "../components/podSpec";
import { rotatesLogs, shipsToContainerLog, withSidecar } from "../lab/sidecarVariants";

type Container = k8s.types.input.core.v1.Container;

const spec = buildPodSpec(resolveArgs({}));
const sidecarOf = (s: typeof spec) => [...((s.initContainers as Container[] | undefined) ?? []), ...(s.containers as Container[])]
    .find((c) => c.name === SIDECAR_CONTAINER)!;

describe("benchmark sidecar variants", () => {
    describe("ours-to-devnull", () => {
        const ours = sidecarOf(spec);
        const devnull = sidecarOf(withSidecar(spec, "ours-to-devnull"));

        it("runs our shipper's exact argv behind a shell that sends its stdout to /dev/null", () => {
            expect(devnull.command).to.deep.equal(["sh", "-c", 'exec "$@" >/dev/null', "sh", ...(ours.command as string[]), ...(ours.args as string[])]);
            expect(devnull.args).to.deep.equal([]);
        });

        it("keeps everything else of our sidecar: image, mounts, security, resources", () => {
            const rest = (c: Container) => ({ ...c, command: undefined, args: undefined });
            expect(rest(devnull)).to.deep.equal(rest(ours));
        });
    });

    it("counts lines only for the variants that write them to the container log", () => {
        const variants = ["ours", "tutorial", "k8s-docs-tail", "idle", "ours-to-devnull"] as const;
        expect(variants.filter(shipsToContainerLog)).to.deep.equal(["ours", "tutorial", "k8s-docs-tail"]);
    });

    it("gives the rotating volume limit only to the variants that run our shipper", () => {
        const variants = ["ours", "tutorial", "k8s-docs-tail", "idle", "ours-to-devnull"] as const;
        expect(variants.filter(rotatesLogs)).to.deep.equal(["ours", "ours-to-devnull"]);
    });
});
