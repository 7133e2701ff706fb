"""The plain C host (host_example/c/sbx_c_host.c) against the real engine.

Run by ctest with SBX_C_HOST (the built sbx-c-host), SBX_PLUGIN (libsbx.so)
and SBX_FAKE_PLUGIN (a library claiming ABI 2.3) set. Each test checks both
the output and the exit status.
"""

import ctypes.util
import json
import os
import subprocess
import unittest

HOST = os.environ.get("SBX_C_HOST", "")
PLUGIN = os.environ.get("SBX_PLUGIN", "")


def run(*args, env=None):
    environment = dict(os.environ)
    environment.pop("SBX_PLUGIN", None)
    environment.update(env or {})
    return subprocess.run(
        [HOST, *args], env=environment, capture_output=True, text=True, timeout=180
    )


@unittest.skipUnless(HOST and PLUGIN, "SBX_C_HOST and SBX_PLUGIN must be set")
class CHostTest(unittest.TestCase):
    def assert_result(self, process, exit_code, status, stdout):
        self.assertEqual(process.returncode, exit_code, process.stderr)
        result = json.loads(process.stdout)
        self.assertEqual(result["status"], status, result)
        self.assertEqual(result["stdout"], stdout, result)
        return result

    def test_hello_from_c(self):
        process = run(PLUGIN)
        self.assertIn("Hello from C", process.stdout)
        self.assert_result(process, 0, "success", "Hello from C\n")

    def test_plugin_from_the_environment(self):
        process = run(env={"SBX_PLUGIN": PLUGIN})
        self.assert_result(process, 0, "success", "Hello from C\n")

    def test_code_is_escaped_into_json(self):
        code = 'import sys\nprint("tab\\there", "quote\\"", "back\\\\slash", "ünï")\r\nsys.exit(0)'
        process = run(PLUGIN, code)
        self.assert_result(process, 0, "success", 'tab\there quote" back\\slash ünï\n')

    def test_a_failing_program_exits_1(self):
        process = run(PLUGIN, "raise SystemExit(3)")
        result = self.assert_result(process, 1, "execution_error", "")
        self.assertEqual(result["exit_code"], 3)

    def test_engine_down_is_a_setup_error(self):
        process = run(PLUGIN, env={"DOCKER_HOST": "unix:///nonexistent.sock"})
        self.assert_result(process, 1, "setup_error", "")

    def test_missing_plugin(self):
        process = run("/nonexistent/libsbx.so")
        self.assertEqual(process.returncode, 2)
        self.assertEqual(process.stdout, "")
        self.assertIn("cannot load the plugin", process.stderr)
        self.assertIn("/nonexistent/libsbx.so", process.stderr)

    def test_no_plugin_given(self):
        process = run()
        self.assertEqual(process.returncode, 2)
        self.assertIn("SBX_PLUGIN", process.stderr)

    def test_a_library_that_is_not_sbx(self):
        libm = ctypes.util.find_library("m")
        if not libm:
            self.skipTest("no libm to load")
        process = run(libm)
        self.assertEqual(process.returncode, 2)
        self.assertIn("not an sbx plugin", process.stderr)
        self.assertIn("sbx_negotiate_abi", process.stderr)

    def test_abi_mismatch_is_explained(self):
        fake = os.environ.get("SBX_FAKE_PLUGIN")
        if not fake:
            self.skipTest("SBX_FAKE_PLUGIN is not set")
        process = run(fake)
        self.assertEqual(process.returncode, 2)
        self.assertEqual(process.stdout, "")
        self.assertIn("ABI mismatch", process.stderr)
        self.assertIn("speaks ABI 2.3, this host speaks 1.2", process.stderr)

    def test_an_api_error_prints_the_plugin_message(self):
        process = run(PLUGIN, "print(1) # \udcff")  # a byte 0xFF: not UTF-8
        self.assertEqual(process.returncode, 2)
        self.assertEqual(process.stdout, "")
        self.assertRegex(process.stderr, r"sbx_execute failed: SBX_E_[A-Z_]+: .+")


if __name__ == "__main__":
    unittest.main()
