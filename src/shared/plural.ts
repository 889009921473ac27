/** "1 instance", "2 instances", "1,024 repos": every count shown in the UI goes through here. */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : pluralWord}`;
}
