# SPDX-License-Identifier: Apache-2.0
# The Debian package on booted nodes (scripts/node/pkg-run.sh): builds the
# .debs (make deb, and revision 1~prev as the previous package), the images of
# scripts/node/build-image.sh with its own package lists (cached in
# $(NODE_PKG_CACHE)), boots a systemd cell and a sysvinit cell (2 at once),
# installs, upgrades and purges the package inside them with dpkg/apt, and
# prints the table; fails if any check fails or is missing.
#
#   make node-pkg                 NODE_PKG_ARGS="--cells sysvinit" for one
#   make node-deps                what it needs (the same as make node)

NODE_PKG_CACHE ?= build/node-pkg
NODE_PKG_ARGS  ?=

.PHONY: node-pkg

node-pkg:
	scripts/node/pkg-run.sh --cache $(NODE_PKG_CACHE) $(NODE_PKG_ARGS)
