import type { ToolCall } from '../chatTypes';
import { ModelError, type ModelCallHooks, type ModelProvider, type ModelRequest, type ModelTurn } from './modelProvider';

export interface RecordedTurn {
  content: string | null;
  toolCalls: ToolCall[];
}

/**
 * A model that answers with the assistant turns of a recorded trajectory, in order, so their
 * actions run afresh. With `then`, it hands over to a live model after the recorded turns (a fork
 * from step k, or a user taking over a replay); without it, running out ends the rollout.
 */
export class ReplayProvider implements ModelProvider {
  private next = 0;

  constructor(
    private readonly turns: RecordedTurn[],
    readonly modelName: string,
    private readonly then?: ModelProvider,
  ) {}

  /** Recorded turns not yet played. */
  get remaining(): number {
    return this.turns.length - this.next;
  }

  outOfTurns(): ModelError | undefined {
    if (this.next < this.turns.length || this.then) return undefined;
    return new ModelError('replay_exhausted', `The recorded trajectory has no more assistant turns (${this.turns.length} replayed) and it never called finish.`);
  }

  async complete(request: ModelRequest, hooks: ModelCallHooks): Promise<ModelTurn> {
    const turn = this.turns[this.next];
    if (!turn) {
      if (this.then) return this.then.complete(request, hooks);
      throw this.outOfTurns() as ModelError;
    }
    this.next++;
    if (turn.content) hooks.onDelta?.({ content: turn.content });
    return { content: turn.content, toolCalls: turn.toolCalls.map((c) => ({ ...c, function: { ...c.function } })), usage: { promptTokens: 0, completionTokens: 0 }, finishReason: turn.toolCalls.length ? 'tool_calls' : 'stop' };
  }
}
