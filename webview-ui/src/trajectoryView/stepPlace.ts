/**
 * Where the reader is in the trajectory view: the run shown and the step at the top of the
 * window (with how far into it). Saved in the webview's state, which VS Code's serializer hands
 * back after a reload: the host selects the run again (TrajectoryPanels.restored) and this
 * scrolls back to the step once that run is drawn.
 */
interface Place {
  rolloutId: string;
  step?: number;
  /** Pixels of that step above the window's top edge (under the sticky bar); negative when it starts below. */
  offset?: number;
}

function placeFrom(saved: Record<string, unknown>): Place | undefined {
  if (typeof saved.rolloutId !== 'string') return undefined;
  const step = typeof saved.step === 'number' && saved.step > 0 ? saved.step : undefined;
  const offset = typeof saved.offset === 'number' && Number.isFinite(saved.offset) ? saved.offset : undefined;
  return { rolloutId: saved.rolloutId, ...(step ? { step } : {}), ...(offset !== undefined ? { offset } : {}) };
}

/** The sticky action bar: a step under it is not in sight, so the window's top is its bottom edge. */
function bar(): HTMLElement | null {
  return document.querySelector<HTMLElement>('.agent-bar');
}

/** A sliver of a card this high under the bar does not count as being at the step. */
const SLIVER_PX = 12;
/** A first card starting this far below the bar means the window shows the header, not the steps. */
const ABOVE_STEPS_PX = 80;

/** The step at the window's top edge and how far into it (negative: it starts just below). */
function stepAtTop(): { step: number; offset: number } | undefined {
  const line = Math.max(0, bar()?.getBoundingClientRect().bottom ?? 0);
  for (const el of document.querySelectorAll<HTMLElement>('#steps section.step')) {
    const r = el.getBoundingClientRect();
    if (r.bottom <= line + SLIVER_PX) continue;
    const step = Number(/^step-(\d+)$/.exec(el.id)?.[1]);
    return r.top - line <= ABOVE_STEPS_PX && step > 0 ? { step, offset: Math.round(line - r.top) } : undefined;
  }
  return undefined;
}

/** How long a restored place is held while the cards finish their layout. */
const SETTLE_MS = 1500;

/** Scrolls so that `step`'s card starts `offset` pixels above the (then stuck) bar's bottom edge. */
function scrollToStep(step: number, offset: number): void {
  const el = document.getElementById(`step-${step}`);
  if (!el) return;
  window.scrollBy(0, el.getBoundingClientRect().top - ((bar()?.offsetHeight ?? 0) - offset));
}

export class StepPlace {
  private place: Place | undefined;
  /** Where to scroll back to once its run is drawn (only the first drawing after a restore). */
  private pending: Place | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private settling = false;

  constructor(
    saved: Record<string, unknown>,
    private readonly save: (state: Record<string, unknown>) => void,
  ) {
    this.place = placeFrom(saved);
    this.pending = this.place;
    window.addEventListener('scroll', () => this.scrolled(), { passive: true });
  }

  /** The steps of `rolloutId` were just drawn. */
  shown(rolloutId: string): void {
    const back = this.pending;
    this.pending = undefined;
    if (this.place?.rolloutId !== rolloutId) this.place = { rolloutId };
    if (back?.rolloutId === rolloutId && back.step) this.scrollBack(back.step, back.offset ?? 0);
    else this.record();
  }

  /**
   * The cards are drawn but not laid out for good: their buttons (web components) and fonts
   * grow them a moment later. So the place is kept while the steps resize, then saved as is.
   */
  private scrollBack(step: number, offset: number): void {
    const apply = () => scrollToStep(step, offset);
    apply();
    const steps = document.getElementById('steps');
    const resized = new ResizeObserver(apply);
    if (steps) resized.observe(steps);
    this.settling = true;
    setTimeout(() => {
      resized.disconnect();
      this.settling = false;
      this.record();
    }, SETTLE_MS);
  }

  private scrolled(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.record(), 150);
  }

  private record(): void {
    if (!this.place || this.pending || this.settling) return;
    const at = stepAtTop();
    this.place = { rolloutId: this.place.rolloutId, ...(at ?? {}) };
    this.save({ ...this.place });
  }
}
