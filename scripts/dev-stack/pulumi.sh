# shellcheck shell=bash
# The Pulumi CLI, backend and stack that scripts/dev-stack.sh uses: the user's own when there are
# any, the project's fallbacks when not. Sourced; on the user's path (a `pulumi` on PATH) it uses
# nothing that macOS's bash 3.2 lacks.

# Uses the `pulumi` on PATH as it is (its PULUMI_HOME, plugins and login untouched); only when there
# is none, builds the project's toolchain CLI from Go modules (Linux, Go 1.26) and puts it on PATH.
use_pulumi() {
    if command -v pulumi >/dev/null 2>&1; then
        log "pulumi: $(command -v pulumi), with PULUMI_HOME ${PULUMI_HOME:-~/.pulumi} (yours: nothing of Pulumi is built)"
        return 0
    fi
    if [[ "$(uname -s)" != Linux ]] || ! command -v go >/dev/null 2>&1; then
        die "no \`pulumi\` on PATH: install the Pulumi CLI (the README's first section says how). Only on Linux with Go 1.26 can this script build one instead."
    fi
    log "no \`pulumi\` on PATH: building the project's Pulumi CLI and Kubernetes provider plugin from Go modules (scripts/toolchain.sh build pulumi). The first time this takes about 20 minutes on 2 cores and several GB in ~/.cache/webserver-sidecar; afterwards it is reused. Install the Pulumi CLI to skip it."
    bash scripts/toolchain.sh build pulumi
    eval "$(bash scripts/toolchain.sh env)"
}

# Keeps the state in the user's backend: PULUMI_BACKEND_URL, else the backend of `pulumi login`.
# Only when neither is configured: local file state in this clone (.pulumi/), with an empty
# passphrase for the dev stack's secrets (PULUMI_CONFIG_PASSPHRASE overrides it). Says which.
use_backend() {
    local out
    if [[ -n "${PULUMI_BACKEND_URL:-}" ]]; then
        log "state: your backend (PULUMI_BACKEND_URL), $PULUMI_BACKEND_URL"
        return 0
    fi
    # --non-interactive: with no login, `pulumi whoami` on a terminal would offer to log in.
    if out=$(pulumi whoami --verbose --non-interactive </dev/null 2>&1); then
        log "state: your backend (pulumi login), $(printf '%s\n' "$out" | sed -n 's/^Backend URL: //p')"
        return 0
    fi
    # No login at all is the one failure that means "nothing configured"; a login that cannot be
    # reached (network, expired token) must not send the state elsewhere.
    if [[ -n "${PULUMI_ACCESS_TOKEN:-}" || "$out" != *"PULUMI_ACCESS_TOKEN must be set for login"* ]]; then
        die "your Pulumi login does not answer (\`pulumi whoami\`: $out); fix it, or set PULUMI_BACKEND_URL"
    fi
    export PULUMI_BACKEND_URL="file://$PWD/.pulumi"
    export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
    mkdir -p .pulumi
    log "state: no Pulumi backend is configured (no \`pulumi login\`, no PULUMI_BACKEND_URL): local file state in this clone, $PWD/.pulumi"
}

# The stack's settings file. The committed Pulumi.<stack>.yaml is the user's, as Pulumi has it, when
# the user brings both backend and cluster. When the project fills something in itself (local file
# state, or its local cluster and that cluster's images), the settings go to a copy beside the
# local state instead, .pulumi/Pulumi.<stack>.yaml (not tracked): `pulumi stack init` writes the
# passphrase's salt into the settings file, and the local images are no setting for anyone else.
#   use_settings_file STACK own|copy     sets SETTINGS (the file) and SETTINGS_FLAGS (for pulumi)
SETTINGS=""
# shellcheck disable=SC2034 # read by scripts/dev-stack.sh, which sources this file
SETTINGS_FLAGS=()
# shellcheck disable=SC2034
use_settings_file() {
    local file
    file=$(stack_file "$1")
    if [[ "$2" == own ]]; then
        SETTINGS="$file"
        SETTINGS_FLAGS=()
        return 0
    fi
    SETTINGS=".pulumi/$file"
    SETTINGS_FLAGS=(--config-file "$SETTINGS")
    mkdir -p .pulumi
    if [[ ! -f "$SETTINGS" ]]; then
        # Seeded once from the committed file (if the stack has one); later runs keep its salt and
        # the values set here.
        if [[ -f "$file" ]]; then cp "$file" "$SETTINGS"; else : >"$SETTINGS"; fi
    fi
}

# Creates the stack when the backend does not have it yet, without selecting it: selecting would
# write to the user's PULUMI_HOME, and every command here names the stack with --stack. With a
# settings copy, `pulumi stack init` (which takes no --config-file) runs in a scratch project whose
# stack file is that copy, so the salt it writes lands there and the committed file stays as it is.
#   ensure_stack STACK
ensure_stack() {
    # Asked of the backend alone: `pulumi stack` takes no --config-file, and without the settings
    # copy it cannot open a stack whose salt is there. Names may carry an org (`acme/dev`).
    if pulumi stack ls --json </dev/null 2>/dev/null | grep -Eq "\"name\": \"([^\"/]*/)*$1\""; then
        return 0
    fi
    log "creating the stack $1 (settings: $SETTINGS)"
    if [[ "$SETTINGS" == "$(stack_file "$1")" ]]; then
        pulumi stack init "$1" --no-select </dev/null
        return 0
    fi
    local scratch
    scratch=$(mktemp -d)
    cp Pulumi.yaml "$scratch/"
    cp "$SETTINGS" "$scratch/$(stack_file "$1")"
    (cd "$scratch" && pulumi stack init "$1" --no-select </dev/null)
    cp "$scratch/$(stack_file "$1")" "$SETTINGS"
    rm -rf "$scratch"
}
