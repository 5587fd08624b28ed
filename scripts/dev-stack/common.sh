# shellcheck shell=bash
# Messages, and the checks scripts/dev-stack.sh makes before it installs anything. Sourced; uses
# nothing that macOS's bash 3.2 lacks.

# log and die, prefixed with the command being run (dev-stack.sh sets LOG_PREFIX to up or preview).
# shellcheck source=../lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh" dev-stack

# True when a person can answer Pulumi's "Do you want to perform this update?".
is_interactive() { [[ -t 0 && -t 1 ]]; }

# Fails unless the Node.js on PATH is one @pulumi/pulumi runs on (package.json's engines: >=20.19).
require_node() {
    command -v node >/dev/null 2>&1 || die "Node.js 20.19 or newer is needed, and there is no \`node\` on PATH"
    node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
        || die "Node.js 20.19 or newer is needed; \`node\` is $(node --version)"
}

# `npm ci`, unless node_modules was installed from the current package-lock.json already.
install_npm_packages() {
    if [[ -f node_modules/.package-lock.json && node_modules/.package-lock.json -nt package-lock.json ]]; then
        return 0
    fi
    log "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
}

# The stack the user selected (`pulumi stack select`), asked of the `pulumi` on PATH and its
# backend; `dev`, the local flow's stack, when there is no `pulumi`, no backend or no selection.
# Never prompts: a terminal's `pulumi stack` would offer to log in or to pick a stack.
selected_stack() {
    local name=""
    if command -v pulumi >/dev/null 2>&1; then
        name=$(pulumi stack --show-name --non-interactive </dev/null 2>/dev/null || true)
    fi
    printf '%s\n' "${name:-dev}"
}

# The stack's settings file: Pulumi.<name>.yaml, named without the organization (`acme/prod` ->
# Pulumi.prod.yaml), as Pulumi names it.
#   stack_file STACK
stack_file() { printf 'Pulumi.%s.yaml\n' "${1##*/}"; }
