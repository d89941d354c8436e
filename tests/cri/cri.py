#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A small CRI client for tests: drives containerd's built-in CRI plugin
over its gRPC socket the way a kubelet does (runtime.v1 RuntimeService).

The API definition is Debian's: api.proto from golang-k8s-cri-api-dev,
fetched by fetch-api.sh into a cache and compiled there with
grpc_tools.protoc (python3-grpcio, python3-grpc-tools) on first use.

  cri.py --sock SOCK --cache DIR COMMAND ...

  version
  runp --name N --namespace NS --uid UID --cgroup-parent P [--attempt A]
       [--label K=V]...          RunPodSandbox, host network; prints the id
  create POD --name N --image I [--attempt A] [--label K=V]... [-- CMD...]
                                 CreateContainer in POD; prints the id
  start ID | stop ID [--timeout S] | rm ID
  stopp POD | rmp POD
  status ID | podstatus POD      JSON (verbose: containerd's info)
  ps [--pod POD] | pods          JSON lists
  shell                          the commands above from stdin, one a line;
                                 an answer a line: "ok[ OUTPUT]" / "err WHY"
  burst --count N --image I [runp options]
      one pod, then N containers created and started back to back; one
      JSON line per container (id, name, create/start wall-clock times)

The pod's config is kept in --state DIR (default: next to the cache) so
that create can send it, as a kubelet does with every CreateContainer.
Exit status: 0 ok, 1 the runtime said no (the message on stderr), 2 usage.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def load_api(cache):
    """Import api_pb2/api_pb2_grpc, compiling Debian's api.proto first."""
    py = os.path.join(cache, "py")
    if not os.path.exists(os.path.join(py, "api_pb2_grpc.py")):
        proto = subprocess.run([os.path.join(HERE, "fetch-api.sh"), cache],
                               stdout=subprocess.PIPE, check=False)
        if proto.returncode:
            sys.exit("cri.py: could not fetch the CRI API definition (fetch-api.sh)")
        src = proto.stdout.decode().strip()
        os.makedirs(py, exist_ok=True)
        with open(src) as f:
            text = f.read()
        # bookworm's protoc (3.21) does not know the debug_redact field
        # option (protobuf 22+); it only affects text formatting of secrets
        text = re.sub(r"\s*\[debug_redact = true\]", "", text)
        with open(os.path.join(py, "api.proto"), "w") as f:
            f.write(text)
        from grpc_tools import protoc
        rc = protoc.main(["protoc", "-I" + py, "--python_out=" + py,
                          "--grpc_python_out=" + py, os.path.join(py, "api.proto")])
        if rc:
            sys.exit("cri.py: grpc_tools.protoc failed on %s" % src)
    sys.path.insert(0, py)
    import api_pb2  # noqa: E402
    import api_pb2_grpc  # noqa: E402
    return api_pb2, api_pb2_grpc


class Cri:
    def __init__(self, sock, cache, state, timeout=30):
        import grpc
        self.grpc = grpc
        self.pb, pbg = load_api(cache)
        self.timeout = timeout
        self.state = state
        os.makedirs(state, exist_ok=True)
        self.chan = grpc.insecure_channel("unix://" + sock)
        self.rt = pbg.RuntimeServiceStub(self.chan)

    def call(self, name, req):
        return getattr(self.rt, name)(req, timeout=self.timeout)

    def version(self):
        r = self.call("Version", self.pb.VersionRequest(version="v1"))
        return {"runtime_name": r.runtime_name, "runtime_version": r.runtime_version,
                "runtime_api_version": r.runtime_api_version}

    # -- pods --
    def pod_config(self, name, namespace, uid, cgroup_parent, attempt=0, labels=None):
        pb = self.pb
        return pb.PodSandboxConfig(
            metadata=pb.PodSandboxMetadata(name=name, uid=uid, namespace=namespace,
                                           attempt=attempt),
            # host network: no UTS namespace, so no hostname (as a kubelet)
            labels=labels or {},
            linux=pb.LinuxPodSandboxConfig(
                cgroup_parent=cgroup_parent,
                security_context=pb.LinuxSandboxSecurityContext(
                    namespace_options=pb.NamespaceOption(
                        network=pb.NODE, pid=pb.CONTAINER, ipc=pb.POD))))

    def _pod_file(self, pod_id):
        if not re.fullmatch(r"[0-9a-f]{64}", pod_id):
            raise ValueError("not a pod sandbox id: %r" % pod_id)
        return os.path.join(self.state, "pod-%s.bin" % pod_id)

    def runp(self, cfg):
        r = self.call("RunPodSandbox", self.pb.RunPodSandboxRequest(config=cfg))
        with open(self._pod_file(r.pod_sandbox_id), "wb") as f:
            f.write(cfg.SerializeToString())
        return r.pod_sandbox_id

    def pod_cfg_of(self, pod_id):
        cfg = self.pb.PodSandboxConfig()
        with open(self._pod_file(pod_id), "rb") as f:
            cfg.ParseFromString(f.read())
        return cfg

    def stopp(self, pod_id):
        self.call("StopPodSandbox", self.pb.StopPodSandboxRequest(pod_sandbox_id=pod_id))

    def rmp(self, pod_id):
        self.call("RemovePodSandbox", self.pb.RemovePodSandboxRequest(pod_sandbox_id=pod_id))
        try:
            os.unlink(self._pod_file(pod_id))
        except (OSError, ValueError):
            pass

    # -- containers --
    def create(self, pod_id, name, image, attempt=0, cmd=None, labels=None):
        pb = self.pb
        cfg = pb.ContainerConfig(
            metadata=pb.ContainerMetadata(name=name, attempt=attempt),
            image=pb.ImageSpec(image=image),
            command=cmd or ["/bin/sleep", "3600"],
            labels=labels or {},
            linux=pb.LinuxContainerConfig(
                security_context=pb.LinuxContainerSecurityContext(
                    namespace_options=pb.NamespaceOption(
                        network=pb.NODE, pid=pb.CONTAINER, ipc=pb.POD))))
        r = self.call("CreateContainer", pb.CreateContainerRequest(
            pod_sandbox_id=pod_id, config=cfg, sandbox_config=self.pod_cfg_of(pod_id)))
        return r.container_id

    def start(self, cid):
        self.call("StartContainer", self.pb.StartContainerRequest(container_id=cid))

    def stop(self, cid, timeout=0):
        self.call("StopContainer", self.pb.StopContainerRequest(container_id=cid,
                                                                timeout=timeout))

    def rm(self, cid):
        self.call("RemoveContainer", self.pb.RemoveContainerRequest(container_id=cid))

    # -- queries --
    def status(self, cid):
        from google.protobuf.json_format import MessageToDict
        r = self.call("ContainerStatus", self.pb.ContainerStatusRequest(
            container_id=cid, verbose=True))
        out = MessageToDict(r.status, preserving_proto_field_name=True)
        out["info"] = {k: _maybe_json(v) for k, v in r.info.items()}
        return out

    def podstatus(self, pod_id):
        from google.protobuf.json_format import MessageToDict
        r = self.call("PodSandboxStatus", self.pb.PodSandboxStatusRequest(
            pod_sandbox_id=pod_id, verbose=True))
        out = MessageToDict(r.status, preserving_proto_field_name=True)
        out["info"] = {k: _maybe_json(v) for k, v in r.info.items()}
        return out

    def ps(self, pod_id=None):
        from google.protobuf.json_format import MessageToDict
        flt = self.pb.ContainerFilter(pod_sandbox_id=pod_id or "")
        r = self.call("ListContainers", self.pb.ListContainersRequest(filter=flt))
        return [MessageToDict(c, preserving_proto_field_name=True) for c in r.containers]

    def pods(self):
        from google.protobuf.json_format import MessageToDict
        r = self.call("ListPodSandbox", self.pb.ListPodSandboxRequest())
        return [MessageToDict(p, preserving_proto_field_name=True) for p in r.items]


def _maybe_json(v):
    try:
        return json.loads(v)
    except ValueError:
        return v


def kv(items):
    out = {}
    for it in items or []:
        if "=" not in it:
            raise SystemExit("cri.py: not K=V: %r" % it)
        k, v = it.split("=", 1)
        out[k] = v
    return out


def parser():
    ap = argparse.ArgumentParser(prog="cri.py")
    ap.add_argument("--sock", required=True)
    ap.add_argument("--cache", default=os.environ.get("CRI_API_CACHE", ""))
    ap.add_argument("--state", default="")
    ap.add_argument("--timeout", type=float, default=30)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("version")
    sub.add_parser("shell")

    def pod_opts(p):
        p.add_argument("--name", required=True)
        p.add_argument("--namespace", required=True)
        p.add_argument("--uid", required=True)
        p.add_argument("--cgroup-parent", required=True)
        p.add_argument("--attempt", type=int, default=0)
        p.add_argument("--label", action="append")
    pod_opts(sub.add_parser("runp"))
    p = sub.add_parser("create")
    p.add_argument("pod")
    p.add_argument("--name", required=True)
    p.add_argument("--image", required=True)
    p.add_argument("--attempt", type=int, default=0)
    p.add_argument("--label", action="append")
    p.add_argument("argv", nargs="*")
    for c in ("start", "rm", "status"):
        sub.add_parser(c).add_argument("id")
    p = sub.add_parser("stop")
    p.add_argument("id")
    p.add_argument("--timeout", type=int, default=0, dest="stop_timeout")
    for c in ("stopp", "rmp", "podstatus"):
        sub.add_parser(c).add_argument("pod")
    sub.add_parser("ps").add_argument("--pod", default=None)
    sub.add_parser("pods")
    p = sub.add_parser("burst")
    pod_opts(p)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--image", required=True)
    p.add_argument("--container-prefix", default="c")
    return ap


# commands that are a method of Cri taking one id: the argument's name
BY_ID = {"start": "id", "rm": "id", "status": "id",
         "stopp": "pod", "rmp": "pod", "podstatus": "pod"}


def run(c, a):
    """One command; returns what to print (None, a string or a JSON value)."""
    if a.cmd == "version":
        return c.version()
    if a.cmd == "runp":
        return c.runp(c.pod_config(a.name, a.namespace, a.uid, a.cgroup_parent,
                                   a.attempt, kv(a.label)))
    if a.cmd == "create":
        return c.create(a.pod, a.name, a.image, a.attempt, a.argv or None, kv(a.label))
    if a.cmd in BY_ID:
        return getattr(c, a.cmd)(getattr(a, BY_ID[a.cmd]))
    if a.cmd == "stop":
        return c.stop(a.id, a.stop_timeout)
    if a.cmd == "ps":
        return c.ps(a.pod)
    if a.cmd == "pods":
        return c.pods()
    if a.cmd == "burst":
        pod = c.runp(c.pod_config(a.name, a.namespace, a.uid, a.cgroup_parent,
                                  a.attempt, kv(a.label)))
        print(json.dumps({"pod": pod}), flush=True)
        for i in range(a.count):
            name = "%s%d" % (a.container_prefix, i)
            t0 = time.time()
            cid = c.create(pod, name, a.image)
            t1 = time.time()
            c.start(cid)
            t2 = time.time()
            print(json.dumps({"id": cid, "name": name, "create": t0,
                              "created": t1, "started": t2}), flush=True)
        return None
    raise ValueError("unknown command %r" % a.cmd)


def text(out):
    if isinstance(out, str):
        return out
    return json.dumps(out, indent=None, sort_keys=True)


def shell(ap, c, a):
    """Commands from stdin, one per line (shell quoting), answers on stdout,
    one line each: "ok[ OUTPUT]" or "err MESSAGE". One process for a whole
    scenario: under TCG, starting Python with grpc takes seconds a call."""
    import grpc
    import shlex
    for line in sys.stdin:
        try:
            b = ap.parse_args(["--sock", a.sock, "--cache", a.cache] + shlex.split(line))
            if b.cmd in ("shell", "burst"):
                raise ValueError("%s: not in the shell" % b.cmd)
            out = run(c, b)
            reply = "ok" if out is None else "ok " + text(out)
        except grpc.RpcError as e:
            reply = "err %s: %s" % (e.code().name, e.details())
        except SystemExit:
            reply = "err usage: %s" % line.strip()
        except (OSError, ValueError) as e:
            reply = "err %s" % e
        print(reply.replace("\n", " "), flush=True)


def main():
    ap = parser()
    a = ap.parse_args()
    if not a.cache:
        ap.error("--cache DIR (or CRI_API_CACHE) is needed")
    state = a.state or os.path.join(a.cache, "state")
    import grpc
    try:
        c = Cri(a.sock, a.cache, state, a.timeout)
        if a.cmd == "shell":
            shell(ap, c, a)
            return
        out = run(c, a)
    except grpc.RpcError as e:
        print("cri.py: %s: %s: %s" % (a.cmd, e.code().name, e.details()), file=sys.stderr)
        sys.exit(1)
    except (OSError, ValueError) as e:
        print("cri.py: %s: %s" % (a.cmd, e), file=sys.stderr)
        sys.exit(1)
    if out is not None:
        print(text(out))


if __name__ == "__main__":
    main()
