// Every CLI subcommand, in the order `--help` lists them. Add a command by adding one import and one entry.
import type { CliCommand } from './command';
import { applyCommand } from './apply';
import { attachCommand } from './attach';
import { doctorCommand } from './doctor';
import { fleetCommand } from './fleet';
import { logsCommand } from './logs';
import { metricsCommand } from './metrics';
import { psCommand } from './ps';
import { secretCommand } from './secret';
import { stopCommand } from './stop';
import { offerCommand } from './offer';
import { validateCommand } from './validate';

export const COMMANDS: CliCommand[] = [
  validateCommand, offerCommand, applyCommand, psCommand, fleetCommand, stopCommand, attachCommand, doctorCommand, logsCommand, metricsCommand, secretCommand,
];
