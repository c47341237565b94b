// Every CLI subcommand, in the order `--help` lists them. Add a command by adding one import and one entry.
import type { CliCommand } from './command';
import { offerCommand } from './offer';
import { validateCommand } from './validate';

export const COMMANDS: CliCommand[] = [validateCommand, offerCommand];
