import type { ToolSchema } from '../chatTypes';

/** The three tools SWE-Gym's rollouts used, with the same names and parameters, in our own words. */
export const DEFAULT_TOOLS: ToolSchema[] = [
  {
    type: 'function',
    function: {
      name: 'execute_bash',
      description: [
        'Run a bash command in the terminal of the task container.',
        '* One shell session is kept for the whole task: the working directory and exported variables carry over between calls.',
        '* Long-running commands (servers, watchers) should run in the background with their output redirected to a file, e.g. `python3 app.py > server.log 2>&1 &`.',
        '* Exit code -1 means the command is still running: call again with an empty `command` to see more output, with text to send it to the program\'s standard input, or with `ctrl+c` to interrupt it.',
        '* A command that runs past the time limit is interrupted with SIGINT and the output says it timed out; run such commands in the background.',
        '* Output that is too long is shortened in the middle; redirect it to a file and search it with grep.',
      ].join('\n'),
      parameters: {
        type: 'object',
        properties: {
          command: {
            type: 'string',
            description: 'The bash command to run. Empty to read more output of a running command; `ctrl+c` to interrupt it; other text is sent to its standard input.',
          },
        },
        required: ['command'],
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'str_replace_editor',
      description: [
        'View, create and edit files. Paths are absolute.',
        '* `view` shows a file with line numbers like `cat -n` (optionally only `view_range`), or lists a directory two levels deep (hidden entries left out).',
        '* `create` writes `file_text` to a new file; it never overwrites an existing path.',
        '* `str_replace` replaces `old_str` with `new_str`; `old_str` must match exactly one place in the file, whitespace included. Include enough surrounding lines to make it unique.',
        '* `insert` puts `new_str` after line `insert_line` (0 puts it at the top).',
        '* `undo_edit` reverts the last edit made to the file.',
        '* Long output is clipped and marked with `<response clipped>`.',
      ].join('\n'),
      parameters: {
        type: 'object',
        properties: {
          command: { type: 'string', enum: ['view', 'create', 'str_replace', 'insert', 'undo_edit'], description: 'The operation.' },
          path: { type: 'string', description: 'Absolute path of the file or directory, e.g. `/testbed/module.py`.' },
          file_text: { type: 'string', description: 'For `create`: the content of the new file.' },
          insert_line: { type: 'integer', description: 'For `insert`: the line after which `new_str` goes.' },
          new_str: { type: 'string', description: 'For `str_replace`: the replacement (empty to delete). For `insert`: the text to insert.' },
          old_str: { type: 'string', description: 'For `str_replace`: the exact text to replace.' },
          view_range: {
            type: 'array',
            items: { type: 'integer' },
            description: 'For `view` on a file: [start, end] line numbers, 1-based and inclusive; [start, -1] shows from start to the end.',
          },
        },
        required: ['command', 'path'],
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'finish',
      description: 'Finish the task when it is solved or when no further progress is possible.',
      parameters: { type: 'object', properties: {} },
    },
  },
];

const AT_SYMBOL = {
  path: { type: 'string', description: 'Absolute path of the Python file, e.g. `/testbed/pkg/module.py`.' },
  line: { type: 'integer', description: 'The 1-based line number where the symbol occurs.' },
  symbol: { type: 'string', description: 'The name as written on that line, e.g. `parse_date` or `self.cache` (for a dotted name, its last part is looked up).' },
};

/**
 * Optional tools answered by a Python language server (pyright) in the container, with the
 * image's interpreter: offered by our own template when asked for, never by the SWE-Gym preset
 * (whose tools must stay the released ones).
 */
export const PYTHON_TOOLS: ToolSchema[] = [
  {
    type: 'function',
    function: {
      name: 'python_definition',
      description: [
        'Find where a Python name is defined, as an editor\'s "Go to Definition" does: functions, classes, variables and imports, in the repository, the standard library or installed packages.',
        '* Answers `path:line:column: text of that line` for each definition.',
        '* The file is read as it is now, unsaved edits made with the other tools included.',
      ].join('\n'),
      parameters: { type: 'object', properties: AT_SYMBOL, required: ['path', 'line', 'symbol'] },
    },
  },
  {
    type: 'function',
    function: {
      name: 'python_references',
      description: [
        'Find every use of a Python name across the repository (the definition included), as an editor\'s "Find All References" does. More precise than grep: only the same symbol is listed, not other names spelled alike.',
        '* Answers `path:line:column: text of that line` for each reference (the first 50, then a count).',
      ].join('\n'),
      parameters: { type: 'object', properties: AT_SYMBOL, required: ['path', 'line', 'symbol'] },
    },
  },
  {
    type: 'function',
    function: {
      name: 'python_diagnostics',
      description: [
        'Check one Python file with a type checker (pyright, basic mode) without running it: syntax errors, undefined names, unresolved imports, wrong argument counts and type errors.',
        '* Answers `path:line:column: severity: message (rule)` for each error or warning, or that there are none.',
      ].join('\n'),
      parameters: { type: 'object', properties: { path: AT_SYMBOL.path }, required: ['path'] },
    },
  },
];
