// Every command id the extension registers; a test keeps this list and package.json's `contributes.commands` equal.

/** Command ids, in the order package.json lists them. */
export const COMMAND_IDS = ['dstack.apply'] as const;

/** One of the extension's command ids. */
export type CommandId = (typeof COMMAND_IDS)[number];
