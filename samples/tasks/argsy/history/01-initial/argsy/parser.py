"""The Parser: declares a command line and turns argv into a Namespace."""

from types import SimpleNamespace

from .errors import SpecError, UsageError
from .spec import Flag, Option, Positional

__all__ = ["Parser"]


class Parser:
    """A small command-line parser.

    >>> p = Parser("greet")
    >>> p.add_flag("loud", short="l")
    >>> p.add_option("times", short="n", type=int, default=1)
    >>> p.add_positional("name")
    >>> p.parse(["-l", "--times=2", "Ada"])
    namespace(loud=True, times=2, name='Ada')
    """

    def __init__(self, prog, description=""):
        self.prog = prog
        self.description = description
        self._long = {}
        self._short = {}
        self._positionals = []
        self._order = []

    # -- declaring -----------------------------------------------------

    def _register(self, spec):
        if spec.name in self._long:
            raise SpecError("duplicate option --%s" % spec.name)
        if spec.short is not None and spec.short in self._short:
            raise SpecError("duplicate option -%s" % spec.short)
        self._long[spec.name] = spec
        if spec.short is not None:
            self._short[spec.short] = spec
        self._order.append(spec)
        return spec

    def add_flag(self, name, short=None, help=""):
        self._register(Flag(name, short, help))

    def add_option(self, name, short=None, **kwargs):
        self._register(Option(name, short, **kwargs))

    def add_positional(self, name, type=str, nargs=None, help=""):
        if self._positionals and self._positionals[-1].nargs == "*":
            raise SpecError("no positional may follow one with nargs='*'")
        spec = Positional(name, type, nargs, help)
        self._positionals.append(spec)
        self._order.append(spec)

    @property
    def specs(self):
        return list(self._order)

    # -- parsing -------------------------------------------------------

    def parse(self, argv):
        """Parse ``argv`` (without the program name) into a namespace."""
        values = {spec.dest: _copy(spec.default) for spec in self._order}
        words = []
        args = list(argv)
        i = 0
        options_done = False
        while i < len(args):
            arg = args[i]
            i += 1
            if options_done or arg == "-" or not arg.startswith("-"):
                words.append(arg)
                continue
            if arg == "--":
                options_done = True
                continue
            if arg.startswith("--"):
                name, has_value, inline = arg[2:].partition("=")
                spec = self._long.get(name)
                if spec is None:
                    raise UsageError("unknown option --%s" % name)
                if has_value and not spec.takes_value:
                    raise UsageError("option --%s takes no value" % name)
                if not spec.takes_value:
                    values[spec.dest] = True
                    continue
                if not has_value:
                    inline, i = self._next_value(args, i, "--" + name)
                self._store(values, spec, inline, "--" + name)
                continue
            # Short options: -v, -n 3, -n3, and bundled flags like -lv.
            j = 1
            while j < len(arg):
                char = arg[j]
                spec = self._short.get(char)
                if spec is None:
                    raise UsageError("unknown option -%s" % char)
                if not spec.takes_value:
                    values[spec.dest] = True
                    j += 1
                    continue
                rest = arg[j + 1:]
                if rest:
                    value = rest
                else:
                    value, i = self._next_value(args, i, "-" + char)
                self._store(values, spec, value, "-" + char)
                break
        self._assign_positionals(values, words)
        return SimpleNamespace(**values)

    def _next_value(self, args, i, label):
        if i >= len(args) or args[i].startswith("-"):
            raise UsageError("option %s needs a value" % label)
        return args[i], i + 1

    def _store(self, values, spec, text, label):
        values[spec.dest] = _convert(spec.type, text, label)

    def _assign_positionals(self, values, words):
        words = list(words)
        for spec in self._positionals:
            if spec.nargs == "*":
                values[spec.dest] = [_convert(spec.type, w, spec.name) for w in words]
                words = []
            elif words:
                values[spec.dest] = _convert(spec.type, words.pop(0), spec.name)
            elif spec.nargs is None:
                raise UsageError("missing argument: %s" % spec.name)
        if words:
            raise UsageError("unexpected argument: %s" % words[0])


def _convert(type_, text, label):
    try:
        return type_(text)
    except (TypeError, ValueError):
        name = getattr(type_, "__name__", "value")
        raise UsageError("%s: invalid %s value %r" % (label, name, text)) from None


def _copy(value):
    return list(value) if isinstance(value, list) else value
