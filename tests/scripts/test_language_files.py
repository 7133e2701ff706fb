"""The language table's files and the scripts that maintain them, without an
engine: every languages/*.json is one the image builder accepts, with its
test programs; the builder reads versions and rewrites them in place; the
README generator replaces only its own section.

    python3 -m unittest -v test_language_files     (from tests/scripts)
"""

import glob
import importlib.machinery
import importlib.util
import json
import os
import shutil
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def load_script(name):
    path = os.path.join(ROOT, "scripts", name)
    loader = importlib.machinery.SourceFileLoader(name.replace("-", "_"), path)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


build_images = load_script("build-images")
gen_table = load_script("gen-language-table")


class TheTable(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.languages = build_images.load_languages(os.path.join(ROOT, "languages"))

    def test_at_least_25_languages(self):
        self.assertGreaterEqual(len(self.languages), 25)

    def test_names_and_aliases_are_unique(self):
        seen = {}
        for lang in self.languages:
            for key in [lang["name"]] + lang.get("aliases", []):
                key = key.lower()
                self.assertNotIn(key, seen, "%s of %s is taken by %s" % (key, lang["name"], seen.get(key)))
                seen[key] = lang["name"]

    def test_file_name_is_the_language_name(self):
        for lang in self.languages:
            self.assertEqual(os.path.basename(lang["_path"]), lang["name"] + ".json")

    def test_every_language_reads_its_version_from_its_image(self):
        for lang in self.languages:
            self.assertTrue(lang.get("version_command"), lang["name"])
            self.assertTrue(build_images.version_in(lang["display_name"], lang["version"]),
                            "%s: display_name %r lacks version %r"
                            % (lang["name"], lang["display_name"], lang["version"]))

    def test_every_language_has_its_test_programs(self):
        for lang in self.languages:
            directory = os.path.join(ROOT, "tests", "programs", lang["name"])
            stems = {os.path.splitext(f)[0] for f in os.listdir(directory)} \
                if os.path.isdir(directory) else set()
            for kind in ("hello", "echo", "runtime_error"):
                self.assertIn(kind, stems, "tests/programs/%s/%s.* is missing" % (lang["name"], kind))
            if lang.get("compile"):
                self.assertIn("compile_error", stems, lang["name"])
            else:
                self.assertNotIn("compile_error", stems,
                                 "%s is interpreted: no compile_error program" % lang["name"])

    def test_every_image_has_an_explicit_tag_and_packages(self):
        images = build_images.group_by_image(self.languages)
        for image, entry in images.items():
            self.assertTrue(entry["packages"], image)


class Versions(unittest.TestCase):
    def test_parse_version(self):
        parse = build_images.parse_version
        self.assertEqual(parse("Python 3.11.2\n"), "3.11.2")
        self.assertEqual(parse("go version go1.19.8 linux/amd64\n"), "1.19.8")
        self.assertEqual(parse("v18.20.4\n"), "18.20.4")
        self.assertEqual(parse("GNU bash, version 5.2.15(1)-release (x86_64-pc-linux-gnu)"), "5.2.15")
        self.assertIsNone(parse("no digits here"))
        self.assertEqual(parse("Erlang/OTP 25 [erts-13.1.5]\nElixir 1.14.0 (compiled)",
                               r"Elixir (\d+(?:\.\d+)+)"), "1.14.0")

    def test_display_with(self):
        d = build_images.display_with
        self.assertEqual(d("Python 3.11", "3.11", "3.11.2"), "Python 3.11.2")
        self.assertEqual(d("C (GCC 12)", "12", "12.2.0"), "C (GCC 12.2.0)")
        self.assertEqual(d("C++17 (GCC 17)", "17", "17.1"), "C++17 (GCC 17.1)")
        self.assertEqual(d("Java (OpenJDK 17.0.1)", "17.0.1", "17.0.15"), "Java (OpenJDK 17.0.15)")
        self.assertIsNone(d("Python 3.11.2", "3.11", "3.12"))  # a part of a longer version
        self.assertIsNone(d("Lua", "5.4", "5.4.4"))

    def test_rewrite_changes_two_values_and_nothing_else(self):
        text = ('{\n  "name": "x",\n  "display_name": "X 1.2",\n  "version": "1.2",\n'
                '  "version_command": ["x", "--version"],\n  "run": ["x", "main.x"],\n'
                '  "test": {\n    "code": "print(\\"version\\": 1.2)\\n",\n'
                '    "expected_stdout": "1.2\\n"\n  }\n}\n')
        new, doc = build_images.updated_language_text(text, "1.2.7")
        self.assertEqual(doc["version"], "1.2.7")
        self.assertEqual(doc["display_name"], "X 1.2.7")
        changed = [(a, b) for a, b in zip(text.splitlines(), new.splitlines()) if a != b]
        self.assertEqual(changed, [('  "display_name": "X 1.2",', '  "display_name": "X 1.2.7",'),
                                   ('  "version": "1.2",', '  "version": "1.2.7",')])
        self.assertEqual(json.loads(new)["test"], json.loads(text)["test"])

    def test_write_versions_writes_only_what_changed(self):
        tmp = tempfile.mkdtemp()
        try:
            for name in ("python", "c"):
                shutil.copy(os.path.join(ROOT, "languages", name + ".json"), tmp)
            languages = build_images.load_languages(tmp)
            current = {lang["name"]: lang["version"] for lang in languages}
            before = {p: os.stat(p).st_mtime_ns for p in glob.glob(os.path.join(tmp, "*.json"))}
            self.assertEqual(build_images.write_versions(languages, current), [])
            after = {p: os.stat(p).st_mtime_ns for p in glob.glob(os.path.join(tmp, "*.json"))}
            self.assertEqual(before, after)
            self.assertEqual(build_images.write_versions(languages, {"c": "99.1.0"}), ["c"])
            with open(os.path.join(tmp, "c.json"), encoding="utf-8") as f:
                doc = json.load(f)
            self.assertEqual(doc["version"], "99.1.0")
            self.assertIn("99.1.0", doc["display_name"])
        finally:
            shutil.rmtree(tmp)

    def test_demux(self):
        frames = b"\x01\x00\x00\x00\x00\x00\x00\x03abc" + b"\x02\x00\x00\x00\x00\x00\x00\x02de"
        self.assertEqual(build_images.demux(frames), b"abcde")


class ReadmeTable(unittest.TestCase):
    def test_render_replaces_only_the_section(self):
        docs = gen_table.load(os.path.join(ROOT, "languages"))
        text = "# T\n\nbefore\n%s\nold\n%s\nafter\n" % (gen_table.BEGIN, gen_table.END)
        out = gen_table.render(text, docs)
        self.assertTrue(out.startswith("# T\n\nbefore\n" + gen_table.BEGIN))
        self.assertTrue(out.endswith(gen_table.END + "\nafter\n"))
        self.assertNotIn("\nold\n", out)
        for doc in docs:
            self.assertIn("| %s | %s |" % (doc["name"], doc["display_name"]), out)
        self.assertEqual(gen_table.render(out, docs), out)

    def test_render_needs_the_markers(self):
        with self.assertRaises(gen_table.TableError):
            gen_table.render("# no markers\n", [])

    def test_cells_are_escaped(self):
        self.assertEqual(gen_table.code(["sh", "-c", "a | b"]), "`sh -c 'a \\| b'`")


if __name__ == "__main__":
    unittest.main()
