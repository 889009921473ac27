import OpenAI from 'openai';
import type { ClosedTrajectory } from '../trajectory/trajectoryTypes';
import { verifierMessages } from './verifierPrompt';

export interface VerifierEndpoint {
  model: string;
  baseURL?: string;
  apiKey?: string;
  /** Alternatives asked for at the answer's first token (default 20; OpenAI allows up to 20). */
  topLogprobs?: number;
}

export type VerifierScore = { score: number; pYes: number; pNo: number; answer: string } | { error: string };

/**
 * P(YES) for one rollout from the verifier's log-probabilities of its first answer token:
 * P(YES) / (P(YES) + P(NO)), summing the spellings of each word ("YES", " Yes", ...) among the
 * top alternatives. A reply without log-probabilities, or with neither word among them, has no
 * score, and says why.
 */
export class Verifier {
  private readonly client: OpenAI;

  constructor(private readonly endpoint: VerifierEndpoint) {
    this.client = new OpenAI({ apiKey: endpoint.apiKey || 'no-key', baseURL: endpoint.baseURL, maxRetries: 2 });
  }

  async score(t: ClosedTrajectory, signal?: AbortSignal): Promise<VerifierScore> {
    const top = this.endpoint.topLogprobs ?? 20;
    const res = await this.client.chat.completions.create(
      { model: this.endpoint.model, messages: verifierMessages(t), max_tokens: 1, temperature: 0, logprobs: true, top_logprobs: top },
      { signal },
    );
    const choice = res.choices[0];
    const first = choice?.logprobs?.content?.[0];
    const answer = choice?.message.content ?? '';
    if (!first) {
      return { error: `the verifier's reply (${JSON.stringify(answer)}) has no log-probabilities: the endpoint must support \`logprobs\` and \`top_logprobs\` (vLLM: start it with --max-logprobs ${top} or more)` };
    }
    const alternatives = [{ token: first.token, logprob: first.logprob }, ...(first.top_logprobs ?? [])];
    const seen = new Set<string>();
    let pYes = 0;
    let pNo = 0;
    for (const a of alternatives) {
      if (seen.has(a.token)) continue;
      seen.add(a.token);
      const word = a.token.trim().toUpperCase();
      if (word === 'YES') pYes += Math.exp(a.logprob);
      else if (word === 'NO') pNo += Math.exp(a.logprob);
    }
    if (pYes + pNo === 0) {
      return { error: `neither YES nor NO is among the verifier's top ${seen.size} first tokens (${[...seen].slice(0, 5).map((s) => JSON.stringify(s)).join(', ')}): use a verifier trained to answer YES/NO` };
    }
    return { score: pYes / (pYes + pNo), pYes, pNo, answer };
  }
}
