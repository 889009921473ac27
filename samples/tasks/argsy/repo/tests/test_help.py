import unittest

from argsy import Parser, format_help, format_usage


class HelpTests(unittest.TestCase):
    def setUp(self):
        self.parser = Parser("greet", description="Print a greeting.")
        self.parser.add_flag("loud", short="l", help="shout")
        self.parser.add_option("times", short="n", type=int, default=1, help="repeat")
        self.parser.add_positional("name", help="who to greet")
        self.parser.add_positional("others", nargs="*")

    def test_usage(self):
        self.assertEqual(
            format_usage(self.parser), "usage: greet [options] name [others ...]"
        )

    def test_help(self):
        self.assertEqual(
            format_help(self.parser),
            "usage: greet [options] name [others ...]\n"
            "\n"
            "Print a greeting.\n"
            "\n"
            "arguments:\n"
            "  name                    who to greet\n"
            "  others\n"
            "\n"
            "options:\n"
            "  -l, --loud              shout\n"
            "  -n, --times TIMES       repeat (default: 1)",
        )


if __name__ == "__main__":
    unittest.main()
