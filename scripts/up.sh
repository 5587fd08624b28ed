#!/usr/bin/env bash
# The README's main command: set up, then `pulumi up` a stack (--stack NAME, else the one you
# selected, else `dev` with local file state), on the local cluster when no cluster is configured.
# See scripts/dev-stack.sh.
exec bash "$(dirname "$0")/dev-stack.sh" up "$@"
