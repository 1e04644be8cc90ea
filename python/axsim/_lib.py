"""ctypes bindings of libaxsim's public API (axsim.h).

Only the worker process (axsim._worker) loads the library and simulates:
SystemC cannot restart a simulation, so each run gets a fresh process.
"""
import ctypes
import ctypes.util
import os

# axsim.h's enum axsim_status and enum axsim_format
OK, EINPUT, ESIM, EOUTPUT, EUSAGE = 0, 1, 2, 3, 4
FORMAT_JSON, FORMAT_TEXT, FORMAT_CSV, FORMAT_TRACE = 0, 1, 2, 3


def library_path():
    """Where libaxsim is: $AXSIM_LIBRARY, else beside the installed package
    (axsim/_paths.py, written by cmake --install), else the loader's search."""
    env = os.environ.get("AXSIM_LIBRARY")
    if env:
        return env
    try:
        from . import _paths
        p = os.path.normpath(os.path.join(os.path.dirname(__file__), _paths.LIBRARY))
        if os.path.exists(p):
            return p
    except ImportError:
        pass
    return ctypes.util.find_library("axsim") or "libaxsim.so.0"


def load():
    """The library with the signatures of the calls the package makes."""
    lib = ctypes.CDLL(library_path())
    vp, cp, ci = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    sigs = {
        "axsim_version": (cp, []),
        "axsim_session_new": (vp, []),
        "axsim_session_free": (None, [vp]),
        "axsim_session_errors": (cp, [vp]),
        "axsim_session_warnings": (cp, [vp]),
        "axsim_spec_new": (vp, []),
        "axsim_spec_free": (None, [vp]),
        "axsim_spec_set_net": (ci, [vp, cp]),
        "axsim_spec_add_net": (ci, [vp, cp, cp]),
        "axsim_spec_set_rois": (ci, [vp, cp, ctypes.c_uint]),
        "axsim_spec_set_config": (ci, [vp, cp, cp, cp]),
        "axsim_spec_set_arch": (ci, [vp, cp]),
        "axsim_spec_set": (ci, [vp, cp]),
        "axsim_spec_set_inferences": (ci, [vp, ctypes.c_uint]),
        "axsim_run": (ci, [vp, vp, ctypes.POINTER(vp)]),
        "axsim_result_free": (None, [vp]),
        "axsim_result_format": (vp, [vp, ci]),
        "axsim_free": (None, [vp]),
        "axsim_compare": (ci, [vp, cp, cp, ctypes.POINTER(cp), ctypes.POINTER(cp), ci,
                               ctypes.POINTER(vp)]),
        "axsim_spec_add_axis": (ci, [vp, cp, cp]),
        "axsim_sweep": (ci, [vp, vp, cp, ci, ci, cp, ctypes.POINTER(vp)]),
    }
    for name, (res, args) in sigs.items():
        f = getattr(lib, name)
        f.restype = res
        f.argtypes = args
    return lib
