// Apply's code upload in VS Code: the same planning and limit check as the CLI (the core's prepareCodeUpload),
// before anything is provisioned; the preview line the offers view shows with the plan; and, when the upload
// cannot go (over the limit), the error with the largest files and an action that opens the repo's
// .dstackignore (created when missing).
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatBytes } from '../../backends/ssh/upload/limit';
import { UploadError, type ExclusionReason } from '../../backends/ssh/upload/types';
import { codeUploadRoot, prepareCodeUpload, previewOf, type PreparedUpload } from '../../orchestrator/code-upload';
import type { UploadView } from '../protocol';
import type { CommandContext } from './context';

/** The upload planned for an apply, or why it cannot go (the error was shown). */
export type ApplyUpload = { upload: PreparedUpload } | { error: string };

const REASONS: Record<ExclusionReason, string> = {
  gitignore: '.gitignore', dstackignore: '.dstackignore', 'git-dir': '.git', 'symlink-outside': 'links outside the folder',
  'special-file': 'special files', submodule: 'submodules',
};

/** What the offers view shows of `upload`: files, size against the limit, where from, and what stays out and why. */
export function uploadView(upload: PreparedUpload): UploadView {
  const p = previewOf(upload);
  const left = Object.entries(p.excludedCounts).map(([reason, n]) => `${n} by ${REASONS[reason as ExclusionReason]}`);
  const limit = p.limit === 0 ? 'no limit' : `limit ${formatBytes(p.limit)}`;
  const summary = `Code upload: ${p.fileCount} file${p.fileCount === 1 ? '' : 's'}, ${p.archiveSizeText} (${limit}) from ${p.root}${left.length > 0 ? `; left out: ${left.join(', ')}` : ''}`;
  return { summary, root: p.root, fileCount: p.fileCount, archiveSize: p.archiveSize, limit: p.limit, excluded: p.excluded.length };
}

/** Plans the upload of the configuration's repo; on failure shows the error (with the .dstackignore action when too large). */
export async function planApplyUpload(ctx: CommandContext, configurationPath: string, file: string): Promise<ApplyUpload> {
  try {
    const upload = await prepareCodeUpload(configurationPath, { noRepo: false, env: process.env, stateDir: ctx.host.runtime.stateDir });
    const view = uploadView(upload);
    ctx.log(`apply ${file}: ${view.summary}`);
    for (const x of previewOf(upload).excluded.slice(0, 50)) ctx.log(`  left out: ${x.path} (${x.detail})`);
    return { upload };
  } catch (err) {
    if (!(err instanceof UploadError)) throw err;
    ctx.log(`apply ${file}: ${err.message}`);
    const message = `dstack: ${file}: ${err.message}`;
    const action = err.code === 'too_large' ? ['Open .dstackignore'] : [];
    void vscode.window.showErrorMessage(message, ...action).then(async (choice) => {
      if (choice) await openDstackIgnore(await codeUploadRoot(configurationPath));
    });
    return { error: message };
  }
}

/** Opens `<root>/.dstackignore` in an editor, creating it (with a line that says what it does) when missing. */
export async function openDstackIgnore(root: string): Promise<vscode.TextEditor> {
  const file = path.join(root, '.dstackignore');
  await fsp.writeFile(file, '# Paths left out of the dstack code upload (gitignore syntax), e.g. data/ or *.bin\n', { flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  return vscode.window.showTextDocument(vscode.Uri.file(file));
}
