// VS Code entry point: everything VS Code-specific lives in src/vscode; this file only forwards.
export { activate, deactivate } from './vscode/activate';
