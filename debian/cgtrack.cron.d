# cgtrack: write `cgtrack status --prometheus` for node_exporter's textfile
# collector once a minute, on hosts where systemd is not PID 1 (there the
# cgtrack-metrics.timer does it). The writer does nothing when the
# collector's directory does not exist.
SHELL=/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
* * * * * root [ -d /run/systemd/system ] || [ ! -x /usr/lib/cgtrack/write-metrics ] || /usr/lib/cgtrack/write-metrics
