"""One simulation in this process: takes a run request as JSON (argv[1]), writes {"status", "errors", "warnings", "report", "text"} as JSON on
standard output.  axsim.run starts one per simulation."""
import ctypes
import json
import os
import sys

from . import _lib


def _enc(s):
    return None if s is None else str(s).encode()


def simulate(req):
    lib = _lib.load()
    s = lib.axsim_session_new()
    spec = lib.axsim_spec_new()
    out = {"status": _lib.EUSAGE, "errors": "", "warnings": "", "report": None, "text": None}
    try:
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
            out["status"] = _lib.EINPUT
            out["errors"] = "model and board need a config (a model YAML)\n"
            return out
        if req.get("arch") is not None:
            lib.axsim_spec_set_arch(spec, _enc(req["arch"]))
        for a in req.get("set", []):
            lib.axsim_spec_set(spec, _enc(a))
        lib.axsim_spec_set_inferences(spec, int(req.get("inferences", 0)))
        res = ctypes.c_void_p()
        rc = lib.axsim_run(s, spec, ctypes.byref(res))
        out["status"] = rc
        out["errors"] = lib.axsim_session_errors(s).decode(errors="replace")
        out["warnings"] = lib.axsim_session_warnings(s).decode(errors="replace")
        if rc == _lib.OK:
            for key, fmt in (("report", _lib.FORMAT_JSON), ("text", _lib.FORMAT_TEXT)):
                p = lib.axsim_result_format(res, fmt)
                out[key] = ctypes.string_at(p).decode()
                lib.axsim_free(p)
            lib.axsim_result_free(res)
    finally:
        lib.axsim_spec_free(spec)
        lib.axsim_session_free(s)
    return out


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
    else:
        out = simulate(req)
    sys.stdout.flush()
    json.dump(out, answer)
    answer.close()
