# SPDX-License-Identifier: Apache-2.0
# The Debian packages (debian/, scripts/deb/build-deb.sh):
#
#   make deb-deps   install the build tools and build dependencies (apt,
#                   only the missing ones)
#   make deb        cgtrack_<ver>_<arch>.deb and cgtrack-dev_<ver>_all.deb
#                   in $(DEB_OUT), built by dpkg-buildpackage -us -uc -b
#                   from a copy of the tree, checked by lintian; fails when
#                   VERSION and debian/changelog disagree.
#                   DEB_REVISION=1~prev builds the same source as 0.3.0-1~prev (an
#                   older package, for upgrade tests).
#   make deb-arm64  cgtrack_<ver>_arm64.deb (dynamically linked, with
#                   enrichment) and cgtrack-dev in $(DEB_ARM64_OUT),
#                   cross-built on this host the same way
#                   (build-deb.sh -a arm64: dpkg-buildpackage -a arm64
#                   -Pcross,nocheck), lintian the same; needs make deb-deps
#                   and make cross-deps (the :arm64 libraries, qemu-user).

DEB_OUT      ?= build/deb
DEB_REVISION ?=
DEB_ARM64_OUT ?= build/deb-arm64
DEB_DEPS     := debhelper dpkg-dev lintian fakeroot devscripts \
		clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config \
		libjson-c-dev make gcc

.PHONY: deb deb-arm64 deb-deps

deb:
	scripts/deb/build-deb.sh $(DEB_OUT) $(DEB_REVISION)

deb-arm64:
	scripts/deb/build-deb.sh -a arm64 $(DEB_ARM64_OUT) $(DEB_REVISION)

deb-deps:
	@missing=""; for p in $(DEB_DEPS); do \
		dpkg-query -W -f '$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "apt-get install$$missing"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			-o DPkg::Lock::Timeout=300 $$missing; \
	fi
