import type { TokenUsage } from './chatTypes';
import type { ExitReason, Totals } from './events';

/** Dollars per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

export interface Budgets {
  /** Model turns (SWE-Gym's iteration budget). */
  maxSteps?: number;
  /** Prompt plus completion tokens over the whole rollout. */
  maxTotalTokens?: number;
  maxCostUsd?: number;
  /** Wall time of the agent loop, paused time excluded. */
  maxWallMs?: number;
}

export const DEFAULT_MAX_STEPS = 50;

export function costOf(usage: TokenUsage, price: ModelPrice | undefined): number {
  if (!price) return 0;
  return (usage.promptTokens * price.inputPerMillion + usage.completionTokens * price.outputPerMillion) / 1e6;
}

/** The price for a model: exact name first, then the longest configured prefix (`gpt-4o` for `gpt-4o-2024-08-06`). */
export function priceFor(model: string, prices: Record<string, ModelPrice> | undefined): ModelPrice | undefined {
  if (!prices) return undefined;
  if (prices[model]) return prices[model];
  const key = Object.keys(prices)
    .filter((k) => model.startsWith(k))
    .sort((a, b) => b.length - a.length)[0];
  return key ? prices[key] : undefined;
}

/** The budget that is spent, if any, with the message that explains it. */
export function spentBudget(b: Budgets, steps: number, totals: Totals, activeMs: number): { reason: ExitReason; message: string } | undefined {
  const maxSteps = b.maxSteps ?? DEFAULT_MAX_STEPS;
  if (steps >= maxSteps) return { reason: 'max_steps', message: `The step budget of ${maxSteps} is spent.` };
  const tokens = totals.promptTokens + totals.completionTokens;
  if (b.maxTotalTokens !== undefined && tokens >= b.maxTotalTokens) return { reason: 'max_tokens', message: `The token budget of ${b.maxTotalTokens} is spent (${tokens} used).` };
  if (b.maxCostUsd !== undefined && totals.costUsd >= b.maxCostUsd) return { reason: 'max_cost', message: `The cost budget of $${b.maxCostUsd} is spent ($${totals.costUsd.toFixed(4)} used).` };
  if (b.maxWallMs !== undefined && activeMs >= b.maxWallMs) return { reason: 'max_time', message: `The time budget of ${Math.round(b.maxWallMs / 1000)} s is spent.` };
  return undefined;
}
