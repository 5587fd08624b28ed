# shellcheck shell=bash
# PROVISIONAL (bring-up only): replaced by the scripts/images/ wiring.
SANDBOX_IMAGE="localhost/test/pause:0.1.7"
images_build() { :; }
images_import() { ctr_node images import --base-name localhost/test/pause --index-name "${SANDBOX_IMAGE}" /tmp/nodeexp/pause.oci.tar >/dev/null; }
