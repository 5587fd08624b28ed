#!/usr/bin/env bash
# Every linter of the project, in one command: `npm run lint` (the test command runs it first).
# Fails on the first linter that finds something.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/common.sh
source scripts/lib/common.sh lint
# shellcheck source=lib/debianPackages.sh
source scripts/lib/debianPackages.sh

# Tracked files and new ones not yet added (but not ignored), so a new file is linted before its commit.
project_files() { git ls-files --cached --others --exclude-standard "$@"; }

# Every shell script: *.sh, and files without the suffix whose first line runs bash or sh.
shell_scripts() {
    project_files | while IFS= read -r file; do
        [[ -f "${file}" ]] || continue
        if [[ "${file}" == *.sh ]] || head -n 1 "${file}" | grep -qE '^#!.*(bash|/sh)$'; then
            printf '%s\n' "${file}"
        fi
    done
}

log "tsc: every TypeScript file (tsconfig.check.json)"
npx tsc --noEmit -p tsconfig.check.json

log "eslint (eslint.config.mjs)"
npx eslint --max-warnings 0 .

log "shellcheck: every shell script, every severity (.shellcheckrc)"
install_debian_packages lint shellcheck=shellcheck
mapfile -t scripts < <(shell_scripts)
shellcheck "${scripts[@]}"

log "ruff: the log shipper and the other Python (ruff.toml)"
bash scripts/toolchain/pythonTool.sh ruff
mapfile -t python_files < <(project_files '*.py')
"$(bash scripts/toolchain/pythonTool.sh ruff --print-bin)" check --quiet "${python_files[@]}"

log "relative links in every Markdown file"
npx ts-node --transpile-only scripts/lint/markdownLinks.ts

log "actionlint: the GitHub workflows, with shellcheck on their run: scripts"
bash scripts/toolchain/linters.sh
"$(bash scripts/toolchain/linters.sh --print-dirs | head -1)/actionlint"

log "${#scripts[@]} shell scripts, ${#python_files[@]} Python files, every TypeScript and Markdown file and workflow: nothing found"
