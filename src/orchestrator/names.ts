// Run names: validated when given, otherwise generated like dstack (`<adjective>-<animal>-<n>`, the first
// free n ≥ 1), unique among active runs.

import { randomInt } from 'node:crypto';

/** The run name grammar. */
export const RUN_NAME_PATTERN = /^[a-z][a-z0-9-]{1,40}$/;

const ADJECTIVES = [
  'bright', 'brave', 'calm', 'clever', 'cool', 'eager', 'fast', 'fancy', 'gentle', 'good', 'happy', 'kind', 'lucky',
  'mighty', 'nice', 'proud', 'quick', 'quiet', 'sharp', 'shiny', 'silly', 'smart', 'swift', 'tall', 'warm', 'wise',
];
const ANIMALS = [
  'ant', 'bat', 'bear', 'cat', 'cow', 'crab', 'deer', 'dog', 'duck', 'eel', 'elk', 'fish', 'fly', 'fox', 'frog', 'goat',
  'hawk', 'lion', 'lizard', 'mole', 'moth', 'mouse', 'owl', 'panda', 'rat', 'seal', 'shrimp', 'snake', 'squid', 'swan',
  'tiger', 'toad', 'wasp', 'wolf', 'yak', 'zebra',
];

/** An error message for an invalid run name, or null when it is valid. */
export function runNameError(name: string): string | null {
  return RUN_NAME_PATTERN.test(name)
    ? null
    : `invalid run name '${name}': use 2-41 characters, lowercase letters, digits and '-', starting with a letter`;
}

/** A dstack-style name not in `taken`: a random `<adjective>-<animal>` with the first free suffix n ≥ 1. */
export function generateRunName(taken: ReadonlySet<string>, pick: (n: number) => number = randomInt): string {
  const base = `${ADJECTIVES[pick(ADJECTIVES.length)] as string}-${ANIMALS[pick(ANIMALS.length)] as string}`;
  for (let n = 1; ; n++) {
    const name = `${base}-${n}`;
    if (!taken.has(name)) return name;
  }
}
