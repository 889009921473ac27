import type { ToolCall } from '../agent/chatTypes';
import type { ModelCallHooks, ModelProvider, ModelRequest, ModelTurn } from '../agent/model/modelProvider';
import { abortError } from '../util/abortError';

/** One action sent from outside: what the model's turn would have held. */
export interface ExternalAction {
  call: ToolCall;
  /** The scaffold's own text for the turn (its model's thought), recorded as the assistant content. */
  thought?: string;
  /** What the client's model spent on the turn, when it says (else 0). */
  usage?: { promptTokens: number; completionTokens: number };
}

/**
 * The "model" of a gym session: its turns are the actions an outside scaffold sends. The rollout
 * loop asks for a turn when it is ready for the next action (after any pause a person set in the
 * live view), and the action waits here until then; a stop or cancel of the rollout ends the wait.
 */
export class ExternalModel implements ModelProvider {
  private readonly queued: ExternalAction[] = [];
  private waiter: ((action: ExternalAction) => void) | undefined;

  constructor(readonly modelName: string) {}

  /** Hands the next action to the loop (at once if it is waiting, else when it asks). */
  send(action: ExternalAction): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter(action);
    } else this.queued.push(action);
  }

  async complete(_request: ModelRequest, hooks: ModelCallHooks): Promise<ModelTurn> {
    const action = this.queued.shift() ?? (await this.nextAction(hooks.signal));
    return {
      content: action.thought ?? null,
      toolCalls: [{ ...action.call, function: { ...action.call.function } }],
      usage: action.usage ?? { promptTokens: 0, completionTokens: 0 },
      finishReason: 'tool_calls',
    };
  }

  private nextAction(signal: AbortSignal | undefined): Promise<ExternalAction> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const onAbort = () => {
        this.waiter = undefined;
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = (action) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(action);
      };
    });
  }
}
