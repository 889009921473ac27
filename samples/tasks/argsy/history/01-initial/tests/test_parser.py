import unittest

from argsy import Parser, SpecError, UsageError


def make_parser():
    p = Parser("tool")
    p.add_flag("verbose", short="v")
    p.add_flag("dry-run", short="n")
    p.add_option("output", short="o")
    p.add_option("level", short="l", type=int, default=1)
    p.add_positional("files", nargs="*")
    return p


class FlagTests(unittest.TestCase):
    def test_defaults(self):
        ns = make_parser().parse([])
        self.assertFalse(ns.verbose)
        self.assertFalse(ns.dry_run)
        self.assertEqual(ns.level, 1)
        self.assertEqual(ns.files, [])

    def test_long_and_short_flags(self):
        ns = make_parser().parse(["--verbose", "-n"])
        self.assertTrue(ns.verbose)
        self.assertTrue(ns.dry_run)

    def test_bundled_short_flags(self):
        ns = make_parser().parse(["-vn"])
        self.assertTrue(ns.verbose and ns.dry_run)

    def test_flag_with_value_is_an_error(self):
        with self.assertRaisesRegex(UsageError, "takes no value"):
            make_parser().parse(["--verbose=yes"])


class OptionTests(unittest.TestCase):
    def test_separate_and_inline_values(self):
        p = make_parser()
        self.assertEqual(p.parse(["--output", "a.txt"]).output, "a.txt")
        self.assertEqual(p.parse(["--output=b.txt"]).output, "b.txt")
        self.assertEqual(p.parse(["-o", "c.txt"]).output, "c.txt")
        self.assertEqual(p.parse(["-od.txt"]).output, "d.txt")

    def test_type_conversion(self):
        self.assertEqual(make_parser().parse(["-l", "3"]).level, 3)

    def test_bad_type(self):
        with self.assertRaisesRegex(UsageError, "invalid int value 'high'"):
            make_parser().parse(["--level", "high"])

    def test_flag_bundled_before_option(self):
        ns = make_parser().parse(["-vo", "out.txt"])
        self.assertTrue(ns.verbose)
        self.assertEqual(ns.output, "out.txt")

    def test_missing_value(self):
        with self.assertRaisesRegex(UsageError, "option --output needs a value"):
            make_parser().parse(["--output"])

    def test_next_option_is_not_taken_as_value(self):
        with self.assertRaisesRegex(UsageError, "option -o needs a value"):
            make_parser().parse(["-o", "--verbose"])


class PositionalTests(unittest.TestCase):
    def test_words_and_options_mix(self):
        ns = make_parser().parse(["a.py", "-v", "b.py"])
        self.assertEqual(ns.files, ["a.py", "b.py"])

    def test_double_dash_ends_options(self):
        ns = make_parser().parse(["--", "-v", "--level"])
        self.assertFalse(ns.verbose)
        self.assertEqual(ns.files, ["-v", "--level"])

    def test_single_dash_is_a_word(self):
        self.assertEqual(make_parser().parse(["-"]).files, ["-"])

    def test_required_and_optional_positionals(self):
        p = Parser("cp")
        p.add_positional("source")
        p.add_positional("dest", nargs="?")
        self.assertEqual(p.parse(["a"]).dest, None)
        with self.assertRaisesRegex(UsageError, "missing argument: source"):
            p.parse([])
        with self.assertRaisesRegex(UsageError, "unexpected argument: c"):
            p.parse(["a", "b", "c"])

    def test_positional_type(self):
        p = Parser("sum")
        p.add_positional("numbers", type=int, nargs="*")
        self.assertEqual(p.parse(["1", "2", "3"]).numbers, [1, 2, 3])


class SpecTests(unittest.TestCase):
    def test_unknown_options(self):
        with self.assertRaisesRegex(UsageError, "unknown option --colour"):
            make_parser().parse(["--colour"])
        with self.assertRaisesRegex(UsageError, "unknown option -x"):
            make_parser().parse(["-x"])

    def test_duplicate_names(self):
        p = Parser("x")
        p.add_flag("all", short="a")
        with self.assertRaises(SpecError):
            p.add_flag("all")
        with self.assertRaises(SpecError):
            p.add_option("author", short="a")

    def test_invalid_names(self):
        with self.assertRaises(SpecError):
            Parser("x").add_flag("Verbose")
        with self.assertRaises(SpecError):
            Parser("x").add_flag("verbose", short="vv")


if __name__ == "__main__":
    unittest.main()
