/** Paths a unified git diff touches. */

/** The `--- a/<path>` sources: files that existed before (the harness resets these). */
export function preImagePaths(patch: string): string[] {
  const out: string[] = [];
  for (const m of patch.matchAll(/^--- a\/(.+?)\s*$/gm)) if (m[1] && !out.includes(m[1])) out.push(m[1]);
  return out;
}

/** The `diff --git a/X b/Y` targets Y, in order, once each. */
export function diffTargetPaths(patch: string): string[] {
  const out: string[] = [];
  for (const m of patch.matchAll(/^diff --git a\/.+? b\/(.+?)\s*$/gm)) if (m[1] && !out.includes(m[1])) out.push(m[1]);
  return out;
}
