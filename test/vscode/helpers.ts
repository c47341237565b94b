// Shared helpers for the extension-host suite: the extension, the fixture workspace and waiting for diagnostics.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DstackExtensionApi } from '../../src/vscode/activate';
import type { OpenFolderOptions } from '../../src/vscode/remote-ssh';

/** The extension's id: publisher.name from package.json. */
export const EXTENSION_ID = 'vscode-dstack.vscode-dstack';

/** What the extension asked VS Code to open (`vscode.openFolder`'s URI and options), in this test file. */
export const openedFolders: { uri: string; options: OpenFolderOptions }[] = [];
let intercepted = false;

/**
 * The extension under test, activated; returns its exported API. Its folder opener is replaced by one that records
 * into `openedFolders`, so a run that opens on ready (dstack.openOnReady) opens no window during the suite, and
 * Remote-SSH counts as installed.
 */
export async function activatedApi(): Promise<DstackExtensionApi> {
  const ext = vscode.extensions.getExtension<DstackExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed in the extension host`);
  const api = await ext.activate();
  if (!intercepted) {
    intercepted = true;
    api.experience.openFolder = async (uri, options) => { openedFolders.push({ uri: uri.toString(true), options }); };
    // code-server has no Remote-SSH: the suite stands in one, as desktop VS Code has it (remote-ssh tests turn it off).
    api.experience.remoteSsh = () => true;
  }
  return api;
}

/** Resolves once `done` holds (checked every 100 ms), failing with `what` after `ms`. */
export async function eventually(what: string, done: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  for (const until = Date.now() + ms; !(await done()); await new Promise((r) => setTimeout(r, 100))) {
    assert.ok(Date.now() < until, `${what} (waited ${ms / 1000} s)`);
  }
}

/** A file of the fixture workspace (test/fixtures/ws, copied to a scratch folder by the runner). */
export function fixture(relativePath: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the fixture workspace is open');
  return vscode.Uri.joinPath(folder.uri, ...relativePath.split('/'));
}

/** The diagnostics the "dstack" source published for a file. */
export function dstackDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'dstack');
}

/** Resolves with a file's dstack diagnostics once `accept` holds for them (events, not a timed assertion). */
export function diagnosticsWhen(uri: vscode.Uri, accept: (d: vscode.Diagnostic[]) => boolean): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      const current = dstackDiagnostics(uri);
      if (!accept(current)) return false;
      listener.dispose();
      resolve(current);
      return true;
    };
    const listener = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) check();
    });
    check();
  });
}
