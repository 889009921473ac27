import { HEAVY_TEXT_FIELDS, type HeavyTextField } from './textFields';
import type { TaskInstance } from './taskInstance';

/**
 * Reads one heavy text field of one row back from the dataset file, synchronously (TaskInstance
 * consumers read plain string properties). `pos` is whatever the source recorded at load time.
 */
export interface TextSource {
  readonly file: string;
  read(pos: number, len: number, field: HeavyTextField, instanceId: string): string;
}

interface LazyRef {
  source: TextSource;
  pos: number;
  len: number;
}

const LAZY_REF: unique symbol = Symbol('swe-gym-studio.lazyText');
type WithRef = TaskInstance & { [LAZY_REF]?: LazyRef };

// One shared getter/setter pair per field (not per instance), so 66k lazy rows cost one small
// ref object each. The accessors are own and enumerable: spread, Object.assign, JSON.stringify
// and structuredClone all see plain string values.
const DESCRIPTORS: PropertyDescriptorMap = Object.fromEntries(
  HEAVY_TEXT_FIELDS.map((field) => [
    field,
    {
      enumerable: true,
      configurable: true,
      get(this: WithRef): string {
        const ref = this[LAZY_REF];
        return ref ? ref.source.read(ref.pos, ref.len, field, this.instance_id) : '';
      },
      set(this: WithRef, value: string): void {
        // An assignment replaces the accessor with an ordinary value.
        Object.defineProperty(this, field, { value, writable: true, enumerable: true, configurable: true });
      },
    },
  ]),
);

/** Replace the heavy text fields of `instance` with accessors that read them from `source`. */
export function makeTextLazy(instance: TaskInstance, source: TextSource, pos: number, len = 0): void {
  Object.defineProperty(instance, LAZY_REF, { value: { source, pos, len }, enumerable: false });
  Object.defineProperties(instance, DESCRIPTORS);
}

/** Whether the heavy text of `instance` still lives on disk. */
export function hasLazyText(instance: TaskInstance): boolean {
  return (instance as WithRef)[LAZY_REF] !== undefined;
}
