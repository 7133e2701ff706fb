"""The Python binding's error paths, which need no engine.

Run by ctest with SBX_PLUGIN, SBX_FAKE_PLUGIN (a library claiming ABI 2.3)
and PYTHONPATH (bindings/python) set.
"""

import ctypes.util
import os
import unittest

import sbx

UNREACHABLE = {"docker_host": "unix:///nonexistent.sock"}


class NoEngineTest(unittest.TestCase):
    def test_execute_reports_a_setup_error(self):
        with sbx.Sandbox(config=UNREACHABLE) as sb:
            result = sb.execute(language="python", code="print(1)")
        self.assertEqual(result["status"], "setup_error", result)
        self.assertTrue(result["error_message"])

    def test_requests_are_still_checked(self):
        with sbx.Sandbox(config=UNREACHABLE) as sb:
            with self.assertRaises(sbx.UnknownLanguageError):
                sb.execute(language="cobol-2099", code="x")

    def test_health_returns_the_document_with_the_reason(self):
        with sbx.Sandbox(config=UNREACHABLE) as sb:
            health = sb.health()
        self.assertFalse(health["ok"], health)
        self.assertFalse(health["engine"]["reachable"])
        self.assertTrue(health["engine"]["error"])

    def test_code_tool_reports_a_tool_error(self):
        with sbx.Sandbox(config=UNREACHABLE) as sb:
            result = sb.call_tool("execute_code", '{"language": "python", "code": "print(1)"}')
        self.assertTrue(result["isError"], result)


class ConfigAndLoadingTest(unittest.TestCase):
    def test_invalid_config_raises_naming_the_field(self):
        with self.assertRaises(sbx.InvalidConfigError) as caught:
            sbx.Sandbox(config={"max_concurrency": "many"})
        self.assertIn("max_concurrency", str(caught.exception))

    def test_config_as_json_text(self):
        with self.assertRaises(sbx.SbxError):
            sbx.Sandbox(config="{not json")
        with sbx.Sandbox(config='{"docker_host": "unix:///nonexistent.sock"}') as sb:
            self.assertFalse(sb.closed)

    def test_missing_plugin_file(self):
        with self.assertRaises(OSError) as caught:
            sbx.Sandbox(plugin="/nonexistent/libsbx.so")
        self.assertIn("/nonexistent/libsbx.so", str(caught.exception))

    def test_a_library_that_is_not_sbx(self):
        libm = ctypes.util.find_library("m")
        if not libm:
            self.skipTest("no libm to load")
        with self.assertRaises(OSError) as caught:
            sbx.Sandbox(plugin=libm)
        self.assertIn("sbx_negotiate_abi", str(caught.exception))

    def test_abi_mismatch_is_explained(self):
        fake = os.environ.get("SBX_FAKE_PLUGIN")
        if not fake:
            self.skipTest("SBX_FAKE_PLUGIN is not set")
        with self.assertRaises(sbx.AbiMismatchError) as caught:
            sbx.Sandbox(plugin=fake)
        message = str(caught.exception)
        self.assertEqual(caught.exception.status, sbx.SBX_E_ABI_MISMATCH)
        self.assertIn("ABI 2.3", message)
        self.assertIn("this binding speaks %d.%d" % sbx.ABI_VERSION, message)

    def test_the_plugin_negotiates_abi_1(self):
        info = sbx.plugin_info()
        self.assertEqual(info["abi"]["major"], sbx.ABI_VERSION[0])
        self.assertEqual(sbx.load().abi[0], 1)

    def test_strings_with_nul_are_refused(self):
        with sbx.Sandbox(config=UNREACHABLE) as sb:
            with self.assertRaises(ValueError):
                sb.tools("mcp\0")


if __name__ == "__main__":
    unittest.main()
