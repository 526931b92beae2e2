# SPDX-License-Identifier: GPL-2.0-or-later
"""QMP about CPU models, as libvirt probes them: query-cpu-definitions
lists every -cpu model with its -v1 version, typename, and QEMU's
features hemu cannot provide as unavailable-features;
query-cpu-model-expansion expands a model with props to every feature
flag, "static" over base.  Reference: the qemu-6.2 QMP reference
(CpuDefinitionInfo, query-cpu-model-expansion)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hemutest import (Hemu, QMP, TempDir, check, check_eq,  # noqa: E402
                      connect_unix, run_tests, test)


def session(t):
    path = t("qmp.sock")
    h = Hemu(["-S", "-display", "none", "-nodefaults", "-machine", "none",
              "-qmp", "unix:%s,server=on,wait=off" % path])
    q = QMP(connect_unix(path))
    check_eq(q.cmd("qmp_capabilities"), {}, "qmp_capabilities")
    return h, q


@test
def cpu_definitions():
    with TempDir() as t:
        h, q = session(t)
        with h:
            defs = {d["name"]: d for d in q.cmd("query-cpu-definitions")}
            for name in ("qemu64", "qemu64-v1", "kvm64", "max", "base",
                         "pentium", "qemu32-v1"):
                check(name in defs, "%s listed: %r" % (name, sorted(defs)))
            check("host" not in defs, "host needs KVM")
            d = defs["qemu64"]
            check_eq(d["alias-of"], "qemu64-v1", "alias")
            check_eq(d["typename"], "qemu64-x86_64-cpu", "typename")
            check_eq(d["static"], False, "static")
            # QEMU's qemu64 has SVM, hemu does not
            check_eq(sorted(d["unavailable-features"]), ["svm"],
                     "qemu64 unavailable-features")
            check_eq(defs["max"]["unavailable-features"], [], "max")
            check_eq(defs["base"]["static"], True, "base is static")
            check_eq(defs["486"]["unavailable-features"], [], "486")


@test
def cpu_model_expansion():
    with TempDir() as t:
        h, q = session(t)
        with h:
            r = q.cmd("query-cpu-model-expansion", {
                "type": "full",
                "model": {"name": "qemu64",
                          "props": {"popcnt": True, "sse2": False,
                                    "family": 6}}})
            m = r["model"]
            check_eq(m["name"], "qemu64", "name")
            p = m["props"]
            check_eq((p["popcnt"], p["sse2"], p["sse"], p["lm"], p["svm"],
                      p["avx"]), (True, False, True, True, False, False),
                     "features")
            check_eq((p["family"], p["vendor"]), (6, "AuthenticAMD"), "ids")
            r = q.cmd("query-cpu-model-expansion",
                      {"type": "static", "model": {"name": "max"}})
            check_eq(r["model"]["name"], "base", "static expands over base")
            check_eq(r["model"]["props"]["xsave"], True, "max has xsave")
            for args, msg in (
                    ({"type": "full", "model": {"name": "foo"}},
                     "unable to find CPU model 'foo'"),
                    ({"type": "full", "model": {"name": "host"}},
                     "requires KVM"),
                    ({"type": "other", "model": {"name": "max"}},
                     "Parameter 'type' does not accept value 'other'"),
                    ({"type": "full", "model": {"name": "max",
                                                "props": {"nope": True}}},
                     "not found"),
                    ({"type": "full", "model": {"props": {}}},
                     "model.name"),
                    ({"type": "full", "model": "max"},
                     "Invalid parameter type for 'model'")):
                r = q.cmd_raw("query-cpu-model-expansion", args)
                check("error" in r and msg in r["error"]["desc"],
                      "%r: %r" % (args, r))


run_tests()
