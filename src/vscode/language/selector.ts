// The documents the language features serve: `*.dstack.yml`, `*.dstack.yaml` and `.dstack.yml`, in any folder.
import type * as vscode from 'vscode';

/** File globs of dstack configurations (the same files as `isDstackFile` and package.json's `yamlValidation`). */
export const DSTACK_FILE_GLOBS = ['**/*.dstack.yml', '**/*.dstack.yaml', '**/.dstack.yml'] as const;

/** The document selector for every provider (files on disk and in remote workspaces). */
export const DSTACK_SELECTOR: vscode.DocumentFilter[] = DSTACK_FILE_GLOBS.map((pattern) => ({ pattern }));
