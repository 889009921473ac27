import { DatasetLoadError } from './errors';
import { HEAVY_FIELDS, type HeavyField } from './heavyFields';
import { parseStringList } from './normalizeRow';
import type { TaskInstance } from './taskInstance';

/**
 * Reads one heavy field of one row back from the dataset file, synchronously (TaskInstance
 * consumers read plain properties). `pos` is whatever the source recorded at load time. Returns
 * the stored value as is; the accessor checks and converts it.
 */
export interface TextSource {
  readonly file: string;
  read(pos: number, len: number, field: HeavyField, instanceId: string): unknown;
  /** `row 12` / `byte 3456`: where `pos` is, for error messages. */
  where(pos: number): string;
}

interface LazyRef {
  source: TextSource;
  pos: number;
  len: number;
}

const LAZY_REF: unique symbol = Symbol('swe-gym-studio.lazyText');
type WithRef = TaskInstance & { [LAZY_REF]?: LazyRef };

// One shared getter/setter pair per field (not per instance). The accessors are own and
// enumerable, so spread, Object.assign, JSON.stringify and structuredClone all see plain values.
// That costs about 1 KB and 6 us per row (66k rows: 70 MB, 0.4 s); accessors on a prototype would
// be nearly free, but a spread copy would then silently drop the patch.
const DESCRIPTORS: PropertyDescriptorMap = Object.fromEntries(
  HEAVY_FIELDS.map((field) => [
    field,
    {
      enumerable: true,
      configurable: true,
      get(this: WithRef): string | string[] {
        const ref = this[LAZY_REF];
        if (!ref) return field === 'PASS_TO_PASS' ? [] : '';
        return checked(ref, field, ref.source.read(ref.pos, ref.len, field, this.instance_id), this.instance_id);
      },
      set(this: WithRef, value: unknown): void {
        // An assignment replaces the accessor with an ordinary value.
        Object.defineProperty(this, field, { value, writable: true, enumerable: true, configurable: true });
      },
    },
  ]),
);

/** Values that were not checked at load (parquet keeps them undecoded) are checked here. */
function checked(ref: LazyRef, field: HeavyField, value: unknown, instanceId: string): string | string[] {
  const fail = (reason: string): never => {
    throw new DatasetLoadError(`${ref.source.file}, ${ref.source.where(ref.pos)} (${instanceId}): ${field} ${reason}`);
  };
  if (field === 'PASS_TO_PASS') {
    if (value === undefined || value === null) return fail('is missing: expected a list of test ids');
    const parsed = parseStringList(value);
    if (typeof parsed === 'string') return fail(parsed);
    // The source may cache the list it decoded: hand out a copy the caller can change.
    return parsed.encoding === 'array' ? parsed.list.slice() : parsed.list;
  }
  if (value === undefined || value === null) return field === 'test_patch' ? fail('is missing') : '';
  return typeof value === 'string' ? value : fail(`is not a string`);
}

/** Replace the heavy fields of `instance` with accessors that read them from `source`. */
export function makeTextLazy(instance: TaskInstance, source: TextSource, pos: number, len = 0): void {
  Object.defineProperty(instance, LAZY_REF, { value: { source, pos, len }, enumerable: false });
  Object.defineProperties(instance, DESCRIPTORS);
}

/** Whether the heavy fields of `instance` still live on disk. */
export function hasLazyText(instance: TaskInstance): boolean {
  return (instance as WithRef)[LAZY_REF] !== undefined;
}
