// Working beside redhat.vscode-yaml: it completes from our JSON schema (contributed via `yamlValidation`), so
// when it is active we offer only what a schema cannot know, and nothing twice.
import type { CompletionCandidate } from './candidate';

/** The extension id of Red Hat's YAML extension (yaml-language-server). */
export const YAML_EXTENSION_ID = 'redhat.vscode-yaml';

/** The candidates to return: all of them alone, only catalog/document/host ones when the YAML extension is active. */
export function candidatesBesideYamlExtension(candidates: readonly CompletionCandidate[], yamlExtensionActive: boolean): CompletionCandidate[] {
  return yamlExtensionActive ? candidates.filter((c) => c.source !== 'schema') : [...candidates];
}

