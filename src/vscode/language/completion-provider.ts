// Completion for dstack files from the pure engine; beside redhat.vscode-yaml only what its schema cannot know.
import * as vscode from 'vscode';
import { YAML_EXTENSION_ID, candidatesBesideYamlExtension, completeAt } from '../../schema/completion';
import { toCompletionItem } from './convert';

/** Whether redhat.vscode-yaml is installed and active (it then completes our schema through `yamlValidation`). */
export function yamlExtensionActive(): boolean {
  return vscode.extensions.getExtension(YAML_EXTENSION_ID)?.isActive === true;
}

/** Characters after which completion opens by itself. */
export const COMPLETION_TRIGGERS = [':', ' ', '.', ',', '[', '-'];

/** The CompletionItemProvider; `secretNames` lists the names for `${{ secrets. }}` (never values). */
export class DstackCompletionProvider implements vscode.CompletionItemProvider {
  constructor(private readonly secretNames: () => Promise<string[]>, private readonly besideYaml: () => boolean = yamlExtensionActive) {}

  async provideCompletionItems(doc: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[]> {
    const text = doc.getText();
    const offset = doc.offsetAt(position);
    const wantsSecrets = /\$\{\{\s*secrets\.\w*$/.test(doc.lineAt(position.line).text.slice(0, position.character));
    const secrets = wantsSecrets ? await this.secretNames().catch(() => []) : [];
    const candidates = candidatesBesideYamlExtension(completeAt(text, offset, { secrets }), this.besideYaml());
    return candidates.map((c) => toCompletionItem(doc, c));
  }
}
