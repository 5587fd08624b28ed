import { expect } from "chai";
import {
    editDistance, isDnsLabel, isLabelKey, isLabelValue, isPinnedImage, isStrictSubnet, nearestWord, parseByteQuantity, parseCidr,
    parseImageReference,
} from "../components/validators";

describe("validators", () => {
    describe("parseByteQuantity", () => {
        const cases: [string, number | undefined][] = [
            ["128Mi", 128 * 2 ** 20],
            ["1Gi", 2 ** 30],
            ["64M", 64e6],
            ["1.5Ki", 1536],
            ["134217728", 134217728],
            ["129e6", 129e6],
            ["500k", 500e3],
            ["", undefined],
            ["-1Mi", undefined],
            ["100m", undefined], // milli-bytes
            ["10ki", undefined],
            ["12 Mi", undefined],
            ["Mi", undefined],
        ];
        for (const [input, expected] of cases) {
            it(`reads ${JSON.stringify(input)} as ${expected}`, () => {
                expect(parseByteQuantity(input)).to.equal(expected);
            });
        }
    });

    describe("isPinnedImage", () => {
        const cases: [string, boolean][] = [
            ["nginx:1.30.3", true],
            ["registry.example.com:5000/team/nginx:1.30.3", true],
            [`nginx@sha256:${"a".repeat(64)}`, true],
            [`python:3.11.14-slim-bookworm@sha256:${"0".repeat(64)}`, true],
            ["nginx:latest", false],
            ["nginx", false],
            ["ubuntu:latest", false],
            ["NGINX:1.30", false],
            [`nginx@sha256:${"a".repeat(63)}`, false],
            ["nginx:1.30 ", false],
        ];
        for (const [input, expected] of cases) {
            it(`${expected ? "accepts" : "refuses"} ${JSON.stringify(input)}`, () => {
                expect(isPinnedImage(input)).to.equal(expected);
            });
        }
        it("splits a reference into repository, tag and digest", () => {
            const digest = `sha256:${"b".repeat(64)}`;
            expect(parseImageReference(`localhost:5000/nginx:1.30.3@${digest}`))
                .to.deep.equal({ repository: "localhost:5000/nginx", tag: "1.30.3", digest });
        });
    });

    describe("isDnsLabel", () => {
        const cases: [string, boolean][] = [
            ["default", true], ["web-1", true], ["a".repeat(63), true],
            ["a".repeat(64), false], ["Default", false], ["-web", false], ["web-", false], ["web_1", false], ["", false],
        ];
        for (const [input, expected] of cases) {
            it(`${expected ? "accepts" : "refuses"} ${JSON.stringify(input.length > 20 ? `${input.length} chars` : input)}`, () => {
                expect(isDnsLabel(input)).to.equal(expected);
            });
        }
    });

    describe("nearestWord", () => {
        const keys = ["kubeconfig", "context", "namespace", "service", "logSizeLimit"];
        it("suggests the key a typo was meant to be", () => {
            expect(nearestWord("namspace", keys)).to.equal("namespace");
            expect(nearestWord("logsizelimit", keys)).to.equal("logSizeLimit");
            expect(nearestWord("kubeConfig", keys)).to.equal("kubeconfig");
        });
        it("suggests nothing for an unrelated word", () => {
            expect(nearestWord("replicas", keys)).to.equal(undefined);
        });
        it("counts edits", () => {
            expect(editDistance("kitten", "sitting")).to.equal(3);
            expect(editDistance("", "abc")).to.equal(3);
        });
    });

    describe("isLabelKey and isLabelValue", () => {
        const keys: [string, boolean][] = [
            ["app", true], ["app.kubernetes.io/name", true], ["kubernetes.io/metadata.name", true], ["Team_1", true],
            ["", false], ["-app", false], ["app-", false], ["a".repeat(64), false], ["Example.com/app", false], ["a/b/c", false], ["/app", false],
        ];
        for (const [input, expected] of keys) {
            it(`${expected ? "accepts" : "refuses"} the label key ${JSON.stringify(input.length > 20 ? `${input.length} chars` : input)}`, () => {
                expect(isLabelKey(input)).to.equal(expected);
            });
        }
        it("accepts label values like keys' names, and the empty value", () => {
            expect(["", "web", "v1.2_3"].map(isLabelValue)).to.deep.equal([true, true, true]);
            expect(["a b", "-web", "a/b", "a".repeat(64)].map(isLabelValue)).to.deep.equal([false, false, false, false]);
        });
    });

    describe("parseCidr and isStrictSubnet", () => {
        it("parses IPv4 and IPv6 blocks", () => {
            expect(parseCidr("10.0.0.0/8")).to.deep.equal({ family: "ipv4", address: "10.0.0.0", prefix: 8 });
            expect(parseCidr("fd00::/8")).to.deep.equal({ family: "ipv6", address: "fd00::", prefix: 8 });
            expect(parseCidr("0.0.0.0/0")).to.deep.equal({ family: "ipv4", address: "0.0.0.0", prefix: 0 });
        });
        it("refuses what is not a block", () => {
            for (const input of ["10.0.0.0", "10.0.0.0/33", "fd00::/129", "10.0.0/8", "example.com/8", "10.0.0.0/-1", ""]) {
                expect(parseCidr(input), input).to.equal(undefined);
            }
        });
        it("tells a block strictly inside another from one outside, equal, or of the other family", () => {
            const outer = parseCidr("10.0.0.0/8")!;
            expect(isStrictSubnet(parseCidr("10.1.0.0/16")!, outer)).to.equal(true);
            expect(isStrictSubnet(parseCidr("192.168.0.0/16")!, outer)).to.equal(false);
            expect(isStrictSubnet(parseCidr("10.0.0.0/8")!, outer)).to.equal(false);
            expect(isStrictSubnet(parseCidr("fd00::/16")!, outer)).to.equal(false);
            expect(isStrictSubnet(parseCidr("fd00:1::/32")!, parseCidr("fd00::/16")!)).to.equal(true);
        });
    });
});
