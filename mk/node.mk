# SPDX-License-Identifier: Apache-2.0
# cgtrack on a real node (scripts/node/): Debian images with systemd as PID 1,
# docker, podman, containerd and LXC, cgtrack installed by `make install` with
# cgtrack.service enabled as shipped, booted in qemu per cgroup layout.
#
#   make node          build the images (cached in $(NODE_CACHE), rebuilt when
#                      scripts/node/packages.<suite> or build-image.sh changes),
#                      build cgtrack into $(NODE_OUTPUT) and install it into
#                      them, boot every cell (2 at once), print the table;
#                      fails if any check fails or is missing.
#                      NODE_ARGS adds run-node.sh options, e.g.
#                      NODE_ARGS="--suites bookworm,trixie --layouts v2"
#   make node-deps     install what it needs (apt, only the missing)

NODE_CACHE  ?= $(OUTPUT)/node
NODE_OUTPUT ?= $(OUTPUT)/node-out
NODE_ARGS   ?=
NODE_DEPS   := mmdebstrap qemu-system-x86 qemu-utils e2fsprogs jq python3-grpcio python3-grpc-tools

.PHONY: node node-deps

node:
	scripts/node/run-node.sh --cache $(NODE_CACHE) --output $(NODE_OUTPUT) $(NODE_ARGS)

node-deps:
	@missing=""; for p in $(NODE_DEPS); do \
		dpkg-query -W -f '$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "apt-get install$$missing"; \
		apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 $$missing; \
	fi
