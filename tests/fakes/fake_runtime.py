#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A fake container runtime API on a unix socket, for cgtrack's tests.

    fake_runtime.py --socket S --dir D [--dir D2 ...] [--style docker|crio] [--log F]

GET <path> answers after the container id in it (/containers/<id>/json, or
/containers/<id>): the first of D/<id>.<kind> found decides:
  json    200 with the file's bytes, exactly (replayed answers, bad JSON)
  hang    reads the request, never answers (the connection stays open)
  huge    200 with a 10 MB body and its Content-Length
  stream  200 with 10 MB and no Content-Length (ends with the connection)
  close   Content-Length of the file's size + 1000, half the file, close
nothing: 404 as the runtime sends it (--style: docker's JSON message, or
cri-o's plain text). Each request is appended to the --log file.
"""
import argparse
import os
import re
import socket
import socketserver
import sys
import time

BIG = 10 * 1024 * 1024
KINDS = ("json", "hang", "huge", "stream", "close", "chunked", "badchunk")


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return
            parts = line.decode("latin-1").split()
            while True:   # headers, up to the empty line
                h = self.rfile.readline(65536)
                if not h or h in (b"\r\n", b"\n"):
                    break
            if len(parts) < 2:
                return
            self.server.note(parts[0], parts[1])
            if not self.answer(parts[1]):
                return

    def send(self, status, body, ctype="application/json", length=None, close=False):
        reason = {200: "OK", 404: "Not Found"}.get(status, "Error")
        head = "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n" % (status, reason, ctype)
        if length is not None:
            head += "Content-Length: %d\r\n" % length
        if close:
            head += "Connection: close\r\n"
        self.wfile.write(head.encode() + b"\r\n" + body)
        self.wfile.flush()

    def answer(self, path):
        m = re.match(r"^/containers/([^/?]+)(/json)?$", path)
        cid = m.group(1) if m else ""
        kind, data = self.server.find(cid)
        if kind == "json":
            self.send(200, data, length=len(data))
            return True
        if kind == "hang":
            time.sleep(3600)
            return False
        if kind == "huge":
            self.send(200, b"", length=BIG)
            self.spew(BIG)
            return False
        if kind == "stream":
            self.send(200, b"", close=True)
            self.spew(BIG)
            return False
        if kind == "chunked":
            # as Go's net/http sends a body it could not buffer: chunks of
            # any size, here with an extension and a trailer too
            self.send_chunked(data, [1, 7, 300], b"")
            return True
        if kind == "badchunk":
            self.send_chunked(data[:100], [50], b"zz\r\n")
            return False
        if kind == "close":
            self.send(200, data[: len(data) // 2], length=len(data) + 1000)
            return False
        self.not_found(cid or path)
        return True

    def send_chunked(self, data, sizes, bad):
        head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\n\r\n")
        out, at, i = [head.encode()], 0, 0
        while at < len(data):
            n = sizes[i] if i < len(sizes) else 4096
            piece = data[at:at + n]
            ext = b";note=x" if i == 1 else b""
            out.append(b"%x%s\r\n%s\r\n" % (len(piece), ext, piece))
            at, i = at + n, i + 1
        out.append(bad or b"0\r\nX-Trailer: 1\r\n\r\n")
        self.wfile.write(b"".join(out))
        self.wfile.flush()

    def spew(self, n):
        chunk = b" " * 65536
        try:
            while n > 0:
                self.wfile.write(chunk[: min(n, len(chunk))])
                n -= len(chunk)
        except OSError:
            pass   # the client gave up: that is the point

    def not_found(self, cid):
        if self.server.style == "crio":
            # Go's http.Error
            body = ("can't find the container with id %s\n" % cid).encode()
            self.send(404, body, "text/plain; charset=utf-8", len(body))
        else:
            body = ('{"message":"No such container: %s"}\n' % cid).encode()
            self.send(404, body, length=len(body))


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    request_queue_size = 256   # like a real engine: connects never bounce

    def __init__(self, path, dirs, style, log):
        self.dirs, self.style, self.log = dirs, style, log
        super().__init__(path, Handler)

    def find(self, cid):
        if not re.match(r"^[A-Za-z0-9_.-]+$", cid):
            return None, b""
        for d in self.dirs:
            for kind in KINDS:
                f = os.path.join(d, "%s.%s" % (cid, kind))
                if os.path.isfile(f):
                    with open(f, "rb") as fh:
                        return kind, fh.read()
        return None, b""

    def note(self, method, path):
        if self.log:
            with open(self.log, "a") as fh:
                fh.write("%s %s\n" % (method, path))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket", required=True)
    ap.add_argument("--dir", action="append", default=[])
    ap.add_argument("--style", choices=("docker", "crio"), default="docker")
    ap.add_argument("--log")
    a = ap.parse_args()
    if os.path.exists(a.socket):
        os.unlink(a.socket)
    srv = Server(a.socket, a.dir, a.style, a.log)
    sys.stdout.write("listening on %s\n" % a.socket)
    sys.stdout.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
