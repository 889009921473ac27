import { DEFAULT_TOOLS, PYTHON_TOOLS } from '../tools/toolSchemas';
import type { AgentTemplate } from './agentTemplate';

/** Our own prompts, shaped like SWE-Gym's OpenHands rollouts (same tools, same task framing), for /testbed images. */
export const DEFAULT_TEMPLATE: AgentTemplate = {
  name: 'default',
  system: [
    'You are a software engineering agent working in a terminal inside a Linux container. You solve the task by calling the tools you are given.',
    '<IMPORTANT>',
    '* Do not assume a relative path is relative to the current directory: look the file up first.',
    '* Call one tool at a time and read its result before deciding the next step.',
    '</IMPORTANT>',
  ].join('\n'),
  firstUser: [
    '<uploaded_files>',
    '{{repo_dir}}',
    '</uploaded_files>',
    'A Python code repository is in the directory {{repo_dir}}. Here is a pull request description:',
    '',
    '<pr_description>',
    '{{problem_statement}}',
    '</pr_description>',
    '',
    'Make the changes to the repository that the <pr_description> asks for.',
    'The tests are already taken care of: do not change any test file or any testing logic. Make minimal changes to non-test files in {{repo_dir}} only.',
    'A good way to proceed:',
    '1. Explore the repository to learn how it is organised.',
    '2. Write a script that reproduces the problem and run it with `python <filename.py>` through the bash tool to see the error.',
    '3. Change the source code to fix the problem.',
    '4. Run your script again and check that the problem is gone.',
    '5. Think about edge cases and make sure the fix handles them too.',
    'Be thorough in your reasoning; it may be long.',
  ].join('\n'),
  tools: DEFAULT_TOOLS,
  autoReply: [
    'Continue working on the task with whatever approach you think fits best.',
    'When you believe the task is solved, call the finish tool.',
    'IMPORTANT: do not ask for human help; nobody will answer.',
  ].join('\n'),
  promptHost: 'openhands-workspace',
};

/**
 * Our template with the python_* tools (a language server in the container) offered before
 * `finish`. A rollout with it needs `languageServer` in its options.
 */
export function withPythonTools(template: AgentTemplate): AgentTemplate {
  const names = new Set(PYTHON_TOOLS.map((t) => t.function.name));
  const kept = template.tools.filter((t) => !names.has(t.function.name));
  const finish = kept.findIndex((t) => t.function.name === 'finish');
  const at = finish < 0 ? kept.length : finish;
  return { ...template, name: `${template.name}+python`, tools: [...kept.slice(0, at), ...PYTHON_TOOLS, ...kept.slice(at)] };
}
