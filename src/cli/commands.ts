// Every CLI subcommand, in the order `--help` lists them. Add a command by adding one import and one entry.
import type { CliCommand } from './command';

export const COMMANDS: CliCommand[] = [];
