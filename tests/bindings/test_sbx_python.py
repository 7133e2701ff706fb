"""The Python binding (bindings/python/sbx.py) against the real engine.

Run by ctest with SBX_PLUGIN (the built libsbx.so) and PYTHONPATH
(bindings/python) set; by hand:

    SBX_PLUGIN=build/lib/libsbx.so PYTHONPATH=bindings/python \\
        python3 -m unittest -v tests/bindings/test_sbx_python.py
"""

import threading
import time
import unittest

import sbx


class SandboxTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sb = sbx.Sandbox()

    @classmethod
    def tearDownClass(cls):
        cls.sb.close()

    def test_execute_python_prints(self):
        result = self.sb.execute(language="python", code='print("hello from python")')
        self.assertEqual(result["status"], "success", result)
        self.assertEqual(result["exit_code"], 0)
        self.assertEqual(result["stdout"], "hello from python\n")
        self.assertEqual(result["language"], "python")
        self.assertEqual(result["schema"], "sbx.execute.result/1")

    def test_execute_passes_stdin_files_args_and_env(self):
        code = (
            "import os, sys\n"
            "import util\n"
            "print(input(), util.NAME, open('data.bin', 'rb').read().hex(),\n"
            "      sys.argv[1:], os.environ['GREETING'])\n"
        )
        result = self.sb.execute(
            language="python",
            code=code,
            stdin="Ada\n",
            files={"util.py": "NAME = 'util'\n", "data.bin": b"\x00\xff"},
            args=["one", "two"],
            env={"GREETING": "héllo"},
            limits={"time_s": 20, "memory_mb": 128},
        )
        self.assertEqual(result["status"], "success", result)
        self.assertEqual(result["stdout"], "Ada util 00ff ['one', 'two'] héllo\n")
        self.assertEqual(result["limits_applied"]["memory_mb"], 128)

    def test_output_streams_while_the_program_runs(self):
        chunks = []
        start = time.monotonic()
        result = self.sb.execute(
            language="python",
            code="import time\nprint('first', flush=True)\ntime.sleep(2)\nprint('second')\n",
            on_output=lambda stream, data: chunks.append((stream, data, time.monotonic())),
        )
        end = time.monotonic()
        self.assertEqual(result["status"], "success", result)
        self.assertEqual(chunks[0][0], "stdout")
        # print may write the line in two pieces; both came during the sleep
        early = b"".join(c[1] for c in chunks if c[2] < end - 1.5)
        self.assertEqual(early, b"first\n", chunks)
        self.assertEqual(b"".join(c[1] for c in chunks if c[0] == "stdout"), b"first\nsecond\n")

    def test_a_cancel_token_fired_from_another_thread_cancels(self):
        token = sbx.CancelToken(self.sb._lib.path)
        timer = threading.Timer(1.0, token.cancel)
        timer.start()
        start = time.monotonic()
        result = self.sb.execute(language="bash", code="echo started\nsleep 60\n", cancel=token)
        timer.join()
        self.assertEqual(result["status"], "cancelled", result)
        self.assertEqual(result["stdout"], "started\n")
        self.assertLess(time.monotonic() - start, 5)

    def test_an_exception_in_on_output_cancels_and_is_raised(self):
        def explode(stream, data):
            raise KeyError("from the callback")

        with self.assertRaises(KeyError):
            self.sb.execute(language="bash", code="echo x\nsleep 60\n", on_output=explode)

    def test_execute_request_takes_a_dict_or_json_text(self):
        result = self.sb.execute_request({"language": "py", "code": "print(1 + 1)"})
        self.assertEqual(result["stdout"], "2\n", result)
        result = self.sb.execute_request('{"language": "python", "code": "print(3)"}')
        self.assertEqual(result["stdout"], "3\n", result)

    def test_a_failing_program_is_a_result_not_an_error(self):
        result = self.sb.execute(language="python", code="raise SystemExit(3)")
        self.assertEqual(result["status"], "execution_error", result)
        self.assertEqual(result["exit_code"], 3)

    def test_unknown_language_raises_naming_it(self):
        with self.assertRaises(sbx.SbxError) as caught:
            self.sb.execute(language="cobol-2099", code="DISPLAY 1")
        error = caught.exception
        self.assertIsInstance(error, sbx.UnknownLanguageError)
        self.assertEqual(error.status, sbx.SBX_E_UNKNOWN_LANGUAGE)
        self.assertEqual(error.name, "SBX_E_UNKNOWN_LANGUAGE")
        self.assertIn('"cobol-2099"', error.message)
        self.assertTrue(str(error).startswith("SBX_E_UNKNOWN_LANGUAGE: language: "), str(error))

    def test_bad_limit_raises_naming_the_field(self):
        with self.assertRaises(sbx.SbxError) as caught:
            self.sb.execute(language="python", code="print(1)", limits={"memory_mb": 1})
        self.assertIn("limits.memory_mb", str(caught.exception))
        self.assertEqual(caught.exception.status, sbx.SBX_E_INVALID_REQUEST)

        with self.assertRaises(sbx.LimitExceededError) as caught:
            self.sb.execute(language="python", code="print(1)", limits={"time_s": 100000})
        self.assertIn("limits.time_s", str(caught.exception))

    def test_invalid_json_request_raises(self):
        with self.assertRaises(sbx.InvalidJsonError):
            self.sb.execute_request('{"language": ')

    def test_languages_include_python(self):
        languages = self.sb.languages()
        by_name = {language["name"]: language for language in languages}
        self.assertIn("python", by_name)
        self.assertIn("py", by_name["python"]["aliases"])
        self.assertFalse(by_name["python"]["compiled"])

    def test_tools_in_the_openai_shape(self):
        tools = self.sb.tools("openai")["tools"]
        self.assertTrue(tools)
        names = []
        for tool in tools:
            self.assertEqual(tool["type"], "function", tool)
            function = tool["function"]
            self.assertRegex(function["name"], r"^[a-zA-Z0-9_-]{1,64}$")
            self.assertIsInstance(function["description"], str)
            self.assertEqual(function["parameters"]["type"], "object")
            self.assertIsInstance(function["parameters"]["properties"], dict)
            names.append(function["name"])
        self.assertIn("execute_code", names)

    def test_tools_in_other_dialects(self):
        mcp = self.sb.tools()["tools"]
        self.assertTrue(all("inputSchema" in tool for tool in mcp), mcp)
        anthropic = self.sb.tools("anthropic")["tools"]
        self.assertTrue(all("input_schema" in tool for tool in anthropic), anthropic)
        with self.assertRaises(sbx.UnknownDialectError) as caught:
            self.sb.tools("cobol-rpc")
        self.assertIn("cobol-rpc", str(caught.exception))

    def test_call_tool_runs_code(self):
        result = self.sb.call_tool("execute_code", {"language": "python", "code": "print(6 * 7)"})
        self.assertFalse(result["isError"], result)
        self.assertEqual(result["structuredContent"]["status"], "success")
        self.assertEqual(result["structuredContent"]["stdout"], "42\n")
        self.assertEqual(result["content"][0]["type"], "text")

    def test_call_tool_with_a_bad_argument_is_a_tool_error(self):
        result = self.sb.call_tool("execute_code", {"language": "cobol-2099", "code": "x"})
        self.assertTrue(result["isError"], result)
        self.assertIn("language", result["content"][0]["text"])

        result = self.sb.call_tool("execute_code", {"code": "print(1)"})
        self.assertTrue(result["isError"], result)
        self.assertIn("language", result["content"][0]["text"])

    def test_call_tool_with_an_unknown_tool_raises(self):
        with self.assertRaises(sbx.UnknownToolError) as caught:
            self.sb.call_tool("rm_rf", {})
        self.assertIn('"rm_rf"', str(caught.exception))

    def test_health_and_plugin_info(self):
        health = self.sb.health()
        self.assertTrue(health["ok"], health)
        self.assertTrue(health["engine"]["reachable"])
        info = self.sb.plugin_info()
        self.assertEqual(info["name"], "sbx")
        self.assertEqual(info["abi"]["major"], 1)
        self.assertEqual(sbx.plugin_info(), info)

    def test_a_repl_session_keeps_state_and_files(self):
        with self.sb.open_session("python", repl=True) as session:
            self.assertTrue(session.id.startswith("s-"))
            session.execute("x = 1")
            result = session.execute("x += 1; print(x)")
            self.assertEqual(result["stdout"], "2\n", result)
            self.assertEqual(result["session_id"], session.id)
            session.write_file("data/blob.bin", bytes(range(256)))
            session.execute("open('out.bin', 'wb').write(open('data/blob.bin', 'rb').read()[::-1])")
            self.assertEqual(session.read_file("out.bin"), bytes(reversed(range(256))))
            paths = [f["path"] for f in session.list_files()]
            self.assertEqual(paths, ["data/blob.bin", "out.bin"])
        with self.assertRaises(sbx.UnknownSessionError) as caught:
            self.sb.execute("python", "print(x)", session_id=session.id)
        self.assertIn("was closed", str(caught.exception))
        with self.assertRaises(sbx.UnknownSessionError):
            self.sb.close_session(session.id)

    def test_collect_returns_the_files_a_program_wrote(self):
        result = self.sb.execute(
            "python", "open('a.csv', 'w').write('1,2\\n')", collect=["*.csv"]
        )
        self.assertEqual(result["files"][0]["path"], "a.csv", result)
        self.assertEqual(result["files"][0]["content"], "1,2\n")

    def test_sleep_past_the_time_limit_is_a_timeout(self):
        result = self.sb.execute(
            language="python", code="import time\ntime.sleep(5)\nprint('late')", limits={"time_s": 1}
        )
        self.assertEqual(result["status"], "timeout", result)
        self.assertNotIn("late", result["stdout"])

    def test_threads_share_one_sandbox(self):
        count = 4
        barrier = threading.Barrier(count)
        results = [None] * count
        errors = []

        def run(index):
            try:
                barrier.wait(timeout=30)
                results[index] = self.sb.execute(
                    language="python",
                    code="import time\ntime.sleep(0.5)\nprint('thread %d')" % index,
                )
            except Exception as e:  # reported below, on the main thread
                errors.append(e)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=240)
        self.assertEqual(errors, [])
        for index, result in enumerate(results):
            self.assertIsNotNone(result, "thread %d did not finish" % index)
            self.assertEqual(result["status"], "success", result)
            self.assertEqual(result["stdout"], "thread %d\n" % index)
        self.assertEqual(len({result["id"] for result in results}), count)


class LifetimeTest(unittest.TestCase):
    def test_context_manager_closes(self):
        with sbx.Sandbox() as sb:
            self.assertFalse(sb.closed)
            self.assertEqual(sb.execute(language="python", code="print(1)")["stdout"], "1\n")
        self.assertTrue(sb.closed)
        with self.assertRaises(sbx.InvalidArgumentError) as caught:
            sb.execute(language="python", code="print(1)")
        self.assertIn("closed", str(caught.exception))
        sb.close()  # idempotent

    def test_close_waits_for_running_calls(self):
        sb = sbx.Sandbox()
        results = []
        started = threading.Event()

        def run():
            started.set()
            results.append(sb.execute(language="python", code="import time\ntime.sleep(1)\nprint('done')"))

        thread = threading.Thread(target=run)
        thread.start()
        started.wait(timeout=10)
        time.sleep(0.2)  # the call is (very likely) inside sbx_execute by now
        sb.close()
        thread.join(timeout=120)
        self.assertTrue(sb.closed)
        self.assertEqual(len(results), 1)
        self.assertEqual(results[0]["status"], "success", results[0])
        self.assertEqual(results[0]["stdout"], "done\n")

    def test_config_is_applied(self):
        with sbx.Sandbox(config={"defaults": {"time_s": 7}}) as sb:
            result = sb.execute(language="python", code="print(1)")
        self.assertEqual(result["limits_applied"]["time_s"], 7, result)


if __name__ == "__main__":
    unittest.main()
