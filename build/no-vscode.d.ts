// tsconfig.core.json maps 'vscode' here. This file is deliberately not a module, so every
// `import ... from 'vscode'` in the core fails with TS2306 "is not a module": the core must not import vscode.
declare const THE_CORE_MUST_NOT_IMPORT_VSCODE: never;
