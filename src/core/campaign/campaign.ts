import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileDurably } from '../util/durableWrite';

export const CAMPAIGN_FORMAT = 'swe-gym-studio/campaign@1';
/** The campaign's file in the annotator's output folder, beside their demonstrations (export skips it). */
export const CAMPAIGN_FILE = 'campaign.json';

export type ItemState = 'pending' | 'done' | 'skipped';

export interface CampaignItem {
  instance_id: string;
  state: ItemState;
  /** When it became the one being worked on (first opened). */
  started_at?: string;
  /** When it was finished or skipped. */
  ended_at?: string;
  /** Why it was skipped, in the person's words. */
  reason?: string;
  /** The finished demonstration's grade (null: not graded). */
  resolved?: boolean | null;
  /** The closed demonstration's file. */
  demonstration?: string;
}

/** How the instances were picked, kept so the person can tell campaigns apart. */
export type PickedBy = { kind: 'filter'; description: string } | { kind: 'list'; file: string };

export interface CampaignBody {
  format: typeof CAMPAIGN_FORMAT;
  name: string;
  annotator: string | null;
  /** The dataset the ids belong to (its source as it was opened). */
  dataset: string;
  picked_by: PickedBy;
  created_at: string;
  items: CampaignItem[];
}

export interface CampaignProgress {
  total: number;
  done: number;
  skipped: number;
  /** 1-based place of the current instance (the next when finished: total). */
  position: number;
  /** The instance being worked on: the first pending one, in the campaign's order. */
  current: string | undefined;
  /** The pending one after it: the one to prepare ahead. */
  next: string | undefined;
  finished: boolean;
  /** "12 of 50" */
  text: string;
}

export class CampaignError extends Error {
  override name = 'CampaignError';
}

/**
 * A person's queue of instances to demonstrate, in order: each pending, done (its demonstration
 * finished) or skipped (with the reason). The file is the state: every change re-reads it, applies
 * itself and is written durably (temp file, fsync, rename) before it returns, so a window reload,
 * a crash or a second window finds the queue where the person left it.
 */
export class Campaign {
  private constructor(
    readonly file: string,
    private body: CampaignBody,
  ) {}

  /** The campaign file of an output folder. */
  static fileIn(dir: string): string {
    return path.join(dir, CAMPAIGN_FILE);
  }

  /**
   * Writes a new campaign into `dir`. An unfinished one already there is refused unless `replace`;
   * a replaced or finished one is kept beside it as campaign.json.<its creation time>.
   */
  static create(dir: string, o: { name?: string; annotator?: string; dataset: string; pickedBy: PickedBy; instanceIds: readonly string[] }, options: { replace?: boolean } = {}): Campaign {
    const ids = [...new Set(o.instanceIds)];
    if (!ids.length) throw new CampaignError('A campaign needs at least one instance: the filter or list picked none.');
    const file = Campaign.fileIn(dir);
    const old = Campaign.open(dir);
    if (old) {
      const p = old.progress();
      if (!p.finished && !options.replace) throw new CampaignError(`A campaign is in progress in ${dir} ("${old.name}", ${p.text}): resume it, or replace it (it is kept beside as a copy).`);
      fs.renameSync(file, `${file}.${old.body.created_at.replace(/[^0-9A-Za-z]/g, '')}`);
    }
    const body: CampaignBody = {
      format: CAMPAIGN_FORMAT,
      name: o.name?.trim() || `${ids.length} instances of ${path.basename(o.dataset) || o.dataset}`,
      annotator: o.annotator ?? null,
      dataset: o.dataset,
      picked_by: o.pickedBy,
      created_at: new Date().toISOString(),
      items: ids.map((instance_id) => ({ instance_id, state: 'pending' })),
    };
    const c = new Campaign(file, body);
    c.write(body);
    return c;
  }

  /** The campaign in `dir`, or undefined when there is none; a damaged file is an error naming it. */
  static open(dir: string): Campaign | undefined {
    const file = Campaign.fileIn(dir);
    return fs.existsSync(file) ? Campaign.load(file) : undefined;
  }

  static load(file: string): Campaign {
    return new Campaign(file, readBody(file));
  }

  get name(): string {
    return this.body.name;
  }
  get dataset(): string {
    return this.body.dataset;
  }
  get annotator(): string | null {
    return this.body.annotator;
  }
  get pickedBy(): PickedBy {
    return this.body.picked_by;
  }
  get items(): readonly Readonly<CampaignItem>[] {
    return this.body.items;
  }
  get dir(): string {
    return path.dirname(this.file);
  }

  /** Reads the file again (another window may have moved the campaign on). */
  refresh(): this {
    this.body = readBody(this.file);
    return this;
  }

  progress(): CampaignProgress {
    const items = this.body.items;
    const done = items.filter((x) => x.state === 'done').length;
    const skipped = items.filter((x) => x.state === 'skipped').length;
    const pending = items.filter((x) => x.state === 'pending');
    const finished = pending.length === 0;
    const position = Math.min(items.length, done + skipped + 1);
    return { total: items.length, done, skipped, position, current: pending[0]?.instance_id, next: pending[1]?.instance_id, finished, text: `${position} of ${items.length}` };
  }

  /** Notes when the current instance was first opened (kept across reloads). */
  markStarted(instanceId: string): void {
    this.mutate(instanceId, (item) => {
      item.started_at ??= new Date().toISOString();
    });
  }

  /** The current instance's demonstration is finished: it is done, the next pending one is current. Returns that one. */
  complete(instanceId: string, outcome: { resolved: boolean | null; demonstration?: string }): string | undefined {
    this.mutate(instanceId, (item) => {
      Object.assign(item, { state: 'done', ended_at: new Date().toISOString(), resolved: outcome.resolved }, outcome.demonstration ? { demonstration: outcome.demonstration } : {});
    });
    return this.progress().current;
  }

  /** Skips the current instance with the person's reason (required: it is the campaign's record of why). Returns the next current. */
  skip(instanceId: string, reason: string): string | undefined {
    const why = reason.trim();
    if (!why) throw new CampaignError('Say why the instance is skipped: the reason is kept in the campaign.');
    this.mutate(instanceId, (item) => {
      Object.assign(item, { state: 'skipped', ended_at: new Date().toISOString(), reason: why });
    });
    return this.progress().current;
  }

  /** Applies a change to the current item of the file's latest state, then writes it durably. */
  private mutate(instanceId: string, change: (item: CampaignItem) => void): void {
    const body = readBody(this.file);
    const current = body.items.find((x) => x.state === 'pending');
    const item = body.items.find((x) => x.instance_id === instanceId);
    if (!item) throw new CampaignError(`${instanceId} is not in the campaign "${body.name}".`);
    if (item !== current) throw new CampaignError(`${instanceId} is not the campaign's current instance (it is ${item.state}; the current one is ${current?.instance_id ?? 'none: the campaign is finished'}).`);
    change(item);
    this.write(body);
  }

  private write(body: CampaignBody): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileDurably(this.file, `${JSON.stringify(body, null, 2)}\n`);
    this.body = body;
  }
}

const STATES: readonly string[] = ['pending', 'done', 'skipped'];

function readBody(file: string): CampaignBody {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CampaignError(`Cannot read the campaign ${file}: ${(err as Error).message}`);
  }
  const b = raw as Partial<CampaignBody> | null;
  if (b?.format !== CAMPAIGN_FORMAT || !Array.isArray(b.items) || typeof b.dataset !== 'string' || typeof b.name !== 'string') {
    throw new CampaignError(`${file} is not a campaign file (expected "format": "${CAMPAIGN_FORMAT}" with name, dataset and items).`);
  }
  const seen = new Set<string>();
  for (const [i, item] of b.items.entries()) {
    if (typeof item?.instance_id !== 'string' || !STATES.includes(item.state)) throw new CampaignError(`${file}: item ${i + 1} is not {instance_id, state: pending|done|skipped}.`);
    if (seen.has(item.instance_id)) throw new CampaignError(`${file}: ${item.instance_id} is listed twice.`);
    seen.add(item.instance_id);
  }
  return b as CampaignBody;
}
