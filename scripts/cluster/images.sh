# shellcheck shell=bash
# shellcheck disable=SC2034 # its variables are used by the other parts scripts/cluster.sh sources
# The node's images: the local stand-ins that scripts/images/ builds from Debian packages (no
# registry here, and never an official image's name), imported into the node's containerd.
# Sourced by scripts/cluster.sh after lib.sh.

IMAGES_FILE="${DIR}/images"
IMAGES_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")/../images" && pwd)"

# Builds (or finds cached) every image, and records "DIRECTORY NAME DIGEST ARCHIVE" per image.
images_build() {
  bash "${IMAGES_SCRIPTS}/build.sh" >"${IMAGES_FILE}.tmp"
  mv -f "${IMAGES_FILE}.tmp" "${IMAGES_FILE}"
  SANDBOX_IMAGE="$(image_name pause-catatonit)"
}

# The name of the image built from scripts/images/<directory>.
image_name() {
  [[ -f "${IMAGES_FILE}" ]] && awk -v d="$1" '$1 == d { print $2 }' "${IMAGES_FILE}"
}

# The same, pinned by digest (NAME:TAG@DIGEST), as the component's defaults are.
image_reference() {
  [[ -f "${IMAGES_FILE}" ]] && awk -v d="$1" '$1 == d { print $2 "@" $3 }' "${IMAGES_FILE}"
}

images_import() {
  CTR="${CONTAINERD_BIN}/ctr" bash "${IMAGES_SCRIPTS}/import.sh" --address "${CONTAINERD_SOCK}" --namespace k8s.io \
    | while read -r name digest state; do log "image ${name} ${state} (${digest})"; done
}
