import type { TaskInstance } from '../../dataset/taskInstance';
import type { ToolSchema } from '../chatTypes';

/**
 * What the model is shown besides the task: system prompt, first user message, tool schemas and
 * the reply to a turn without a tool call. Placeholders in `firstUser` (and `system`):
 * {{repo_dir}}, {{problem_statement}}, {{instance_id}}, {{repo}}, {{version}}, {{base_commit}}.
 */
export interface AgentTemplate {
  name: string;
  system: string;
  firstUser: string;
  tools: ToolSchema[];
  /** Sent as the user's reply when the model answers with text and no tool call. */
  autoReply: string;
  /** Host name in the prompt line of command observations. */
  promptHost: string;
}

export function renderTemplateText(text: string, instance: TaskInstance, repoDir: string): string {
  const values: Record<string, string> = {
    repo_dir: repoDir,
    problem_statement: instance.problem_statement,
    instance_id: instance.instance_id,
    repo: instance.repo,
    version: instance.version,
    base_commit: instance.base_commit,
  };
  // One pass, so text inside a value (an issue quoting `{{x}}`) is never substituted again.
  return text.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole);
}

export function renderOpening(template: AgentTemplate, instance: TaskInstance, repoDir: string): { system: string; firstUser: string } {
  return { system: renderTemplateText(template.system, instance, repoDir), firstUser: renderTemplateText(template.firstUser, instance, repoDir) };
}
