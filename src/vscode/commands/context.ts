// What every command handler gets: the runtime, the views, the log channels and this window's attachment.
import type * as vscode from 'vscode';
import type { DstackDiagnostics } from '../diagnostics';
import type { ExtensionRuntime } from '../host';
import type { Log } from '../log';
import type { FolderOpener } from '../remote-ssh';
import type { OffersViewProvider } from '../views/offers-view';
import type { RunsTreeProvider } from '../views/runs-view';

/** The shared objects command handlers use. */
export interface CommandContext {
  extension: vscode.ExtensionContext;
  host: ExtensionRuntime;
  diagnostics: DstackDiagnostics;
  log: Log;
  /** The "dstack: run logs" channel (init output, streamed). */
  runLogs: vscode.OutputChannel;
  offers: OffersViewProvider;
  runs: RunsTreeProvider;
  /** The run this window attached to (opened with Remote-SSH), or null. */
  attachedRun: string | null;
  /** The user's settings.json (Remote-SSH's remotePlatform is written there). */
  settingsFile: string;
  /** Opens a vscode-remote folder (tests replace it to intercept vscode.openFolder). */
  openFolder: FolderOpener;
  /** Whether a Remote-SSH extension can open the run's folder (tests replace it, as they do openFolder). */
  remoteSsh: () => boolean;
}
