// `dstack-vsc validate FILE... [--json]`: validates configuration files with the language core.
import { readFileSync } from 'node:fs';
import { validateText, type SchemaDiagnostic } from '../schema';
import { UsageError, type CliCommand, type CliIo } from './command';
import { resolve } from 'node:path';

interface FileReport {
  file: string;
  type: string | null;
  configuration: unknown;
  diagnostics: SchemaDiagnostic[];
}

function unreadable(file: string, err: unknown): FileReport {
  const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : err instanceof Error ? err.message : String(err);
  return {
    file,
    type: null,
    configuration: null,
    diagnostics: [{ line: 1, column: 1, endLine: 1, endColumn: 1, offset: 0, endOffset: 0, path: '', message: `Cannot read ${file}: ${reason}.`, severity: 'error', code: 'file-unreadable' }],
  };
}

function validateFile(file: string, io: CliIo): FileReport {
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, file), 'utf8');
  } catch (err) {
    return unreadable(file, err);
  }
  const r = validateText(text, file);
  return { file, type: r.type, configuration: r.configuration, diagnostics: r.diagnostics };
}

function human(report: FileReport): string {
  if (report.diagnostics.length === 0) return `${report.file}: ok (${report.type})\n`;
  return report.diagnostics
    .map((d) => `${report.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}${d.path ? ` [${d.path}]` : ''} (${d.code})\n`)
    .join('');
}

/** The `validate` command. */
export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'Check .dstack.yml files and print their problems (exit 1 if any file has an error)',
  usage: 'validate FILE... [--json]',
  async run(argv, io) {
    const json = argv.includes('--json');
    const files = argv.filter((a) => a !== '--json');
    const unknown = files.find((a) => a.startsWith('-') && a !== '-');
    if (unknown) throw new UsageError(`unknown option '${unknown}'`);
    if (files.length === 0) throw new UsageError('give at least one configuration file');
    const reports = files.map((f) => validateFile(f, io));
    if (json) io.stdout(`${JSON.stringify(reports, null, 2)}\n`);
    else for (const r of reports) (r.diagnostics.some((d) => d.severity === 'error') ? io.stderr : io.stdout)(human(r));
    return reports.some((r) => r.diagnostics.some((d) => d.severity === 'error')) ? 1 : 0;
  },
};
