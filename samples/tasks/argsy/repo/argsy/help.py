"""Usage and help text for a Parser."""

from .spec import Flag, Option, Positional

__all__ = ["format_usage", "format_help"]


def _positional_usage(spec):
    if spec.nargs == "*":
        return "[%s ...]" % spec.name
    if spec.nargs == "?":
        return "[%s]" % spec.name
    return spec.name


def format_usage(parser):
    parts = ["usage:", parser.prog]
    if any(isinstance(s, (Flag, Option)) for s in parser.specs):
        parts.append("[options]")
    parts.extend(_positional_usage(s) for s in parser.specs if isinstance(s, Positional))
    return " ".join(parts)


def _option_label(spec):
    names = []
    if spec.short:
        names.append("-" + spec.short)
    names.append("--" + spec.name)
    label = ", ".join(names)
    if isinstance(spec, Option):
        label += " " + spec.metavar
    return label


def format_help(parser, width=24):
    lines = [format_usage(parser)]
    if parser.description:
        lines += ["", parser.description]
    positionals = [s for s in parser.specs if isinstance(s, Positional)]
    options = [s for s in parser.specs if not isinstance(s, Positional)]
    if positionals:
        lines += ["", "arguments:"]
        lines += ["  %-*s%s" % (width, s.name, s.help) for s in positionals]
    if options:
        lines += ["", "options:"]
        for spec in options:
            help_text = spec.help
            if isinstance(spec, Option) and spec.default not in (None, []):
                help_text += " (default: %s)" % (spec.default,)
            lines.append("  %-*s%s" % (width, _option_label(spec), help_text))
    return "\n".join(line.rstrip() for line in lines)
