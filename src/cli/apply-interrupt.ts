// What `apply` does on Ctrl+C, while provisioning or attached (dstack's apply): on a terminal it asks
// `Stop the run NAME before detaching? [y/n]`; yes stops the run gracefully and waits (`Stopped`), and a
// second Ctrl+C meanwhile aborts it (`Aborted`); no detaches (`Detached`). Without a terminal there is no
// one to ask: it detaches and the run keeps going.

/** What the interrupt handling needs; the CLI passes the real ones, tests their own. */
export interface ApplyInterruptDeps {
  runName: string;
  /** Whether stdin is a terminal to ask on. */
  isTTY: boolean;
  confirm: (question: string) => Promise<boolean>;
  stdout: (text: string) => void;
  /** Requests a graceful stop (false) or an abort (true). */
  stop: (abort: boolean) => Promise<void>;
  /** Resolves when the run has finished, or as soon as `interrupted()` turns true. */
  waitFinished: (interrupted: () => boolean) => Promise<void>;
  /** Ctrl+C presses so far (a new one after the answer means abort). */
  interrupts: () => number;
}

/** How the interrupt ended the apply. */
export type ApplyInterruptOutcome = 'detached' | 'stopped' | 'aborted';

/** Handles one Ctrl+C of apply; returns what it did (it printed dstack's word for it). */
export async function handleApplyInterrupt(d: ApplyInterruptDeps): Promise<ApplyInterruptOutcome> {
  if (!d.isTTY) {
    d.stdout('\nDetached\n');
    return 'detached';
  }
  d.stdout('\n');
  if (!(await d.confirm(`Stop the run ${d.runName} before detaching?`))) {
    d.stdout('Detached\n');
    return 'detached';
  }
  const base = d.interrupts();
  await d.stop(false);
  d.stdout('Stopping...\n');
  await d.waitFinished(() => d.interrupts() > base);
  if (d.interrupts() > base) {
    await d.stop(true);
    d.stdout('Aborting...\n');
    await d.waitFinished(() => false);
    d.stdout('Aborted\n');
    return 'aborted';
  }
  d.stdout('Stopped\n');
  return 'stopped';
}
