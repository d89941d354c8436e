# SPDX-License-Identifier: Apache-2.0
# `make install` / `make uninstall`: the binary, the consumer headers, the
# systemd unit, the SysV init script and the man page (if written yet).
# Honours PREFIX (default /usr/local) and DESTDIR; each directory can be
# overridden. The unit and the init script get the installed binary's path.
#
#   make install PREFIX=/usr DESTDIR=/tmp/pkg
#   make uninstall PREFIX=/usr DESTDIR=/tmp/pkg

SBINDIR        ?= $(PREFIX)/sbin
INCLUDEDIR     ?= $(PREFIX)/include
MANDIR         ?= $(PREFIX)/share/man
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
INITDIR        ?= /etc/init.d
COMPLETIONDIR  ?= $(PREFIX)/share/bash-completion/completions
INSTALL        ?= install

INSTALL_HDRS   := $(notdir $(wildcard include/cgtrack/*.h))
MAN_PAGE       := man/cgtrack.8

# The sources name /usr/local/sbin/cgtrack; point them at $(SBINDIR).
SUBST_SBIN      = sed -e 's|/usr/local/sbin/cgtrack|$(SBINDIR)/cgtrack|g'

# What `install` installs; `uninstall` removes exactly these.
INSTALLED_FILES = $(SBINDIR)/cgtrack \
		  $(addprefix $(INCLUDEDIR)/cgtrack/,$(INSTALL_HDRS)) \
		  $(SYSTEMDUNITDIR)/cgtrack.service \
		  $(INITDIR)/cgtrack \
		  $(MANDIR)/man8/cgtrack.8 \
		  $(COMPLETIONDIR)/cgtrack

# made by the binary from its own command table (cgtrack completion bash)
$(OUTPUT)/cgtrack.bash-completion: $(OUTPUT)/cgtrack
	$< completion bash > $@.tmp
	mv $@.tmp $@

install: all $(OUTPUT)/cgtrack.bash-completion
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(INCLUDEDIR)/cgtrack \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(INITDIR) $(DESTDIR)$(COMPLETIONDIR)
	$(INSTALL) -m 0644 $(OUTPUT)/cgtrack.bash-completion $(DESTDIR)$(COMPLETIONDIR)/cgtrack
	$(INSTALL) -m 0755 $(OUTPUT)/cgtrack $(DESTDIR)$(SBINDIR)/cgtrack
	$(INSTALL) -m 0644 $(addprefix include/cgtrack/,$(INSTALL_HDRS)) \
		$(DESTDIR)$(INCLUDEDIR)/cgtrack/
	$(SUBST_SBIN) scripts/cgtrack.service >$(DESTDIR)$(SYSTEMDUNITDIR)/cgtrack.service.tmp
	mv $(DESTDIR)$(SYSTEMDUNITDIR)/cgtrack.service.tmp $(DESTDIR)$(SYSTEMDUNITDIR)/cgtrack.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/cgtrack.service
	$(SUBST_SBIN) scripts/cgtrack.init >$(DESTDIR)$(INITDIR)/cgtrack.tmp
	mv $(DESTDIR)$(INITDIR)/cgtrack.tmp $(DESTDIR)$(INITDIR)/cgtrack
	chmod 0755 $(DESTDIR)$(INITDIR)/cgtrack
	@if [ -f $(MAN_PAGE) ]; then \
		echo "$(INSTALL) -D -m 0644 $(MAN_PAGE) $(DESTDIR)$(MANDIR)/man8/cgtrack.8"; \
		$(INSTALL) -D -m 0644 $(MAN_PAGE) $(DESTDIR)$(MANDIR)/man8/cgtrack.8; \
	else \
		echo "install: $(MAN_PAGE) is not written yet: no man page installed"; \
	fi
	@echo "installed; boot: systemctl enable --now cgtrack, or update-rc.d cgtrack defaults"

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED_FILES))
	-rmdir $(DESTDIR)$(INCLUDEDIR)/cgtrack 2>/dev/null
