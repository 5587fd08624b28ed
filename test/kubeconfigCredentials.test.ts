import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { credentialFields, plainCredentialProblems } from "../program/kubeconfigCredentials";

const WITH_TOKEN = fs.readFileSync(path.join(__dirname, "fixtures", "two-contexts.kubeconfig"), "utf8");
const WITH_NOTHING = "apiVersion: v1\nkind: Config\nusers:\n  - name: exec\n    user: { exec: { command: aws, apiVersion: client.authentication.k8s.io/v1 } }\n";

describe("kubeconfig credentials", () => {
    describe("credentialFields", () => {
        it("finds a token", () => {
            expect(credentialFields(WITH_TOKEN)).to.deep.equal(["users[0].user.token"]);
        });
        it("finds client keys, passwords and auth-provider tokens, per user, in JSON too", () => {
            const document = JSON.stringify({
                users: [
                    { name: "cert", user: { "client-certificate-data": "Y2VydA==", "client-key-data": "a2V5" } },
                    { name: "basic", user: { username: "admin", password: "hunter2" } },
                    { name: "oidc", user: { "auth-provider": { name: "oidc", config: { "id-token": "x", "refresh-token": "y", "client-id": "z" } } } },
                ],
            });
            expect(credentialFields(document)).to.deep.equal([
                "users[0].user.client-key-data",
                "users[1].user.password",
                "users[2].user.auth-provider.config.id-token",
                "users[2].user.auth-provider.config.refresh-token",
            ]);
        });
        it("counts an exec plugin's env values and args as credentials (a cloud key, a token)", () => {
            const document = [
                "users:",
                "  - name: eks",
                "    user:",
                "      exec:",
                "        command: aws",
                "        args: [eks, get-token, --cluster-name, prod]",
                "        env: [{ name: AWS_PROFILE, value: \"\" }, { name: AWS_SECRET_ACCESS_KEY, value: wJalrXUtnFEMI }]",
            ].join("\n");
            expect(credentialFields(document)).to.deep.equal(["users[0].user.exec.env[1].value", "users[0].user.exec.args"]);
        });
        it("finds nothing in a kubeconfig that only names a credential plugin or files", () => {
            expect(credentialFields(WITH_NOTHING)).to.deep.equal([]);
            expect(credentialFields("users: [{ name: f, user: { client-key: /keys/me.key, tokenFile: /run/token } }]")).to.deep.equal([]);
        });
        it("finds nothing in a path or in what does not parse", () => {
            expect(credentialFields("/home/me/.kube/config")).to.deep.equal([]);
            expect(credentialFields("users: [unclosed")).to.deep.equal([]);
        });
    });

    describe("plainCredentialProblems", () => {
        it("refuses an inline kubeconfig with a token in plain config, with the command that makes it a secret", () => {
            const [problem, ...rest] = plainCredentialProblems({ "webserver-sidecar:kubeconfig": WITH_TOKEN }, new Set());
            expect(rest).to.deep.equal([]);
            expect(problem.key).to.equal("webserver-sidecar:kubeconfig");
            expect(problem.allowed).to.include('pulumi config set --secret webserver-sidecar:kubeconfig "$(cat path/to/kubeconfig)"');
            expect(problem.value).to.include("users[0].user.token");
        });
        it("never puts the credential itself in the message", () => {
            const [problem] = plainCredentialProblems({ "webserver-sidecar:kubeconfig": WITH_TOKEN }, new Set());
            expect(JSON.stringify(problem)).to.not.include("not-a-real-token");
        });
        it("accepts the same kubeconfig set as a secret", () => {
            expect(plainCredentialProblems({ "webserver-sidecar:kubeconfig": WITH_TOKEN }, new Set(["webserver-sidecar:kubeconfig"]))).to.deep.equal([]);
        });
        it("accepts a path, and an inline kubeconfig without credentials, in plain config", () => {
            expect(plainCredentialProblems({ "webserver-sidecar:kubeconfig": "~/.kube/config" }, new Set())).to.deep.equal([]);
            expect(plainCredentialProblems({ "webserver-sidecar:kubeconfig": WITH_NOTHING }, new Set())).to.deep.equal([]);
        });
        it("holds the provider's own kubernetes:kubeconfig key to the same rule", () => {
            const problems = plainCredentialProblems({ "kubernetes:kubeconfig": WITH_TOKEN }, new Set(["webserver-sidecar:kubeconfig"]));
            expect(problems.map((p) => p.key)).to.deep.equal(["kubernetes:kubeconfig"]);
            expect(problems[0].allowed).to.include("pulumi config set --secret kubernetes:kubeconfig");
        });
    });
});
