import { contentText, type ChatMessage } from '../agent/chatTypes';
import type { ClosedTrajectory } from '../trajectory/trajectoryTypes';

/** Per observation and per whole trajectory: a verifier's context is finite, the head and the end of a run say the most. */
const MAX_OBSERVATION_CHARS = 2_000;
const MAX_TRAJECTORY_CHARS = 60_000;

export const VERIFIER_SYSTEM =
  'You are a verifier of software engineering agents. You read the issue, what an agent did in the repository and the patch it produced, and judge whether the patch resolves the issue (the hidden tests would pass). Answer with exactly one word: YES or NO.';

/**
 * The verifier's input for one rollout, as in the SWE-Gym paper's best-of-N: the trajectory in,
 * a YES/NO answer out. The task (first user message), every action with its observation (clipped),
 * and the final patch.
 */
export function verifierMessages(t: ClosedTrajectory): { role: 'system' | 'user'; content: string }[] {
  const task = t.messages.find((m) => m.role === 'user');
  const steps = renderSteps(t.messages.slice(task ? t.messages.indexOf(task) + 1 : 0));
  const user = [
    '<task>',
    task ? contentText(task.content) : '(no task message recorded)',
    '</task>',
    '',
    '<trajectory>',
    clipMiddle(steps, MAX_TRAJECTORY_CHARS),
    '</trajectory>',
    '',
    '<patch>',
    t.patch?.trim() ? t.patch : '(the agent changed nothing)',
    '</patch>',
    '',
    'Does this patch resolve the issue? Answer YES or NO.',
  ].join('\n');
  return [
    { role: 'system', content: VERIFIER_SYSTEM },
    { role: 'user', content: user },
  ];
}

function renderSteps(messages: ChatMessage[]): string {
  const out: string[] = [];
  for (const m of messages) {
    if (m.role === 'assistant') {
      if (m.content) out.push(`[assistant] ${m.content}`);
      for (const c of m.tool_calls ?? []) out.push(`[action] ${c.function.name} ${c.function.arguments}`);
    } else if (m.role === 'tool') out.push(`[observation] ${clipMiddle(m.content, MAX_OBSERVATION_CHARS)}`);
    else if (m.role === 'user') out.push(`[user] ${clipMiddle(contentText(m.content), MAX_OBSERVATION_CHARS)}`);
  }
  return out.join('\n');
}

function clipMiddle(s: string, max: number): string {
  if (s.length <= max) return s;
  const half = Math.floor(max / 2);
  return `${s.slice(0, half)}\n[... ${s.length - 2 * half} characters left out ...]\n${s.slice(-half)}`;
}
