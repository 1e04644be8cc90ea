"""One simulation in this process: takes a run request as JSON (argv[1]), writes {"status", "errors", "warnings", "report", "text"} as JSON on
standard output.  axsim.run starts one per simulation; axsim.sweep starts one
that runs the sweep (libaxsim forks a process per point)."""
import ctypes
import json
import os
import sys

from . import _lib


def _enc(s):
    return None if s is None else str(s).encode()


def _spec(lib, req):
    """A new axsim_spec of a request; None (after setting out's error) when it cannot be one."""
    spec = lib.axsim_spec_new()
    if req.get("net") is not None:
        lib.axsim_spec_set_net(spec, _enc(req["net"]))
    for m, p in req.get("nets", []):
        lib.axsim_spec_add_net(spec, _enc(m), _enc(p))
    for m, n in req.get("rois", []):
        lib.axsim_spec_set_rois(spec, _enc(m), n)
    if req.get("config") is not None:
        lib.axsim_spec_set_config(spec, _enc(req["config"]), _enc(req.get("model")),
                                  _enc(req.get("board")))
    elif req.get("model") is not None or req.get("board") is not None:
        lib.axsim_spec_free(spec)
        return None
    if req.get("arch") is not None:
        lib.axsim_spec_set_arch(spec, _enc(req["arch"]))
    for a in req.get("set", []):
        lib.axsim_spec_set(spec, _enc(a))
    lib.axsim_spec_set_inferences(spec, int(req.get("inferences", 0)))
    return spec


_NO_CONFIG = "model and board need a config (a model YAML)\n"


def _with_spec(req, out, call):
    """Calls call(lib, session, spec) on a spec of req; its status, the
    session's errors and warnings go into out, which is returned."""
    lib = _lib.load()
    spec = _spec(lib, req)
    if spec is None:
        out["status"], out["errors"] = _lib.EINPUT, _NO_CONFIG
        return out
    s = lib.axsim_session_new()
    try:
        out["status"] = call(lib, s, spec)
        out["errors"] = lib.axsim_session_errors(s).decode(errors="replace")
        out["warnings"] = lib.axsim_session_warnings(s).decode(errors="replace")
    finally:
        lib.axsim_spec_free(spec)
        lib.axsim_session_free(s)
    return out


def simulate(req):
    out = {"status": _lib.EUSAGE, "errors": "", "warnings": "", "report": None, "text": None}

    def call(lib, s, spec):
        res = ctypes.c_void_p()
        rc = lib.axsim_run(s, spec, ctypes.byref(res))
        if rc == _lib.OK:
            for key, fmt in (("report", _lib.FORMAT_JSON), ("text", _lib.FORMAT_TEXT)):
                p = lib.axsim_result_format(res, fmt)
                out[key] = ctypes.string_at(p).decode()
                lib.axsim_free(p)
            lib.axsim_result_free(res)
        return rc
    return _with_spec(req, out, call)


def sweep(req):
    """axsim_sweep of a request with "axes" [[KEY, LIST]], "dir", "jobs", "resume", "objective"."""
    out = {"status": _lib.EUSAGE, "errors": "", "warnings": "", "sweep": None}

    def call(lib, s, spec):
        for k, values in req["axes"]:
            lib.axsim_spec_add_axis(spec, _enc(k), _enc(values))
        res = ctypes.c_void_p()
        rc = lib.axsim_sweep(s, spec, _enc(req.get("dir")), int(req.get("jobs", 1)),
                             int(bool(req.get("resume"))), _enc(req.get("objective")), ctypes.byref(res))
        if rc == _lib.OK:
            out["sweep"] = ctypes.string_at(res).decode()
            lib.axsim_free(res)
        return rc
    return _with_spec(req, out, call)


def _strings(values):
    """A NULL-terminated char *[] of values, or NULL for None."""
    if values is None:
        return None
    arr = (ctypes.c_char_p * (len(values) + 1))()
    for i, v in enumerate(values):
        arr[i] = _enc(v)
    arr[len(values)] = None
    return arr


def compare(req):
    lib = _lib.load()
    s = lib.axsim_session_new()
    out = {"status": _lib.EUSAGE, "errors": "", "warnings": "", "comparison": None}
    try:
        res = ctypes.c_void_p()
        rc = lib.axsim_compare(s, _enc(req["base"]), _enc(req["new"]), _strings(req.get("metrics")),
                               _strings(req.get("tolerances")), int(bool(req.get("force"))),
                               ctypes.byref(res))
        out["status"] = rc
        out["errors"] = lib.axsim_session_errors(s).decode(errors="replace")
        if rc == _lib.OK:
            out["comparison"] = ctypes.string_at(res).decode()
            lib.axsim_free(res)
    finally:
        lib.axsim_session_free(s)
    return out


def main(request):
    # the answer goes to the real standard output alone: anything the library
    # or SystemC prints goes to standard error instead
    answer = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    req = json.loads(request)
    if req.get("version"):
        lib = _lib.load()
        out = {"status": _lib.OK, "version": lib.axsim_version().decode()}
    elif req.get("compare"):
        out = compare(req["compare"])
    elif req.get("sweep"):
        out = sweep(req)
    else:
        out = simulate(req)
    sys.stdout.flush()
    json.dump(out, answer)
    answer.close()
