// The offers webview's page: a strict Content-Security-Policy (nothing by default, the one bundled script by nonce,
// styles and fonts only from the webview's own origin), the script and style tags carrying that nonce, and no
// remote source anywhere.
import * as assert from 'node:assert/strict';
import { newNonce, pickerCsp, pickerHtml } from '../../src/vscode/views/webview-html';

const CSP_SOURCE = 'https://*.vscode-cdn.net';
const SCRIPT = 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/main.js';

/** The CSP as directive → sources. */
function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name ?? '', sources]));
}

suite('offers webview page', () => {
  test('fresh nonces: 16 random bytes, base64', () => {
    const a = newNonce();
    assert.match(a, /^[A-Za-z0-9+/]{22}==$/);
    assert.notEqual(newNonce(), a);
  });

  test('the CSP allows nothing by default and the bundled script only through its nonce', () => {
    const nonce = newNonce();
    const csp = directives(pickerCsp(CSP_SOURCE, nonce));
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    assert.deepEqual(csp.get('script-src'), [`'nonce-${nonce}'`]);
    assert.deepEqual(csp.get('style-src'), [CSP_SOURCE, `'nonce-${nonce}'`]);
    for (const [name, sources] of csp) {
      for (const s of sources) {
        assert.ok(!["'unsafe-inline'", "'unsafe-eval'", '*', 'http:', 'https:', 'data:'].includes(s), `${name} allows ${s}`);
        assert.ok(s === CSP_SOURCE || s.startsWith("'"), `${name}: ${s} is neither the webview's own origin nor a keyword`);
      }
    }
  });

  test('the page carries that CSP; every script and style has the nonce; nothing is loaded from elsewhere', () => {
    const nonce = newNonce();
    const html = pickerHtml({ cspSource: CSP_SOURCE, nonce, scriptUri: SCRIPT });
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
    assert.equal(meta?.[1], pickerCsp(CSP_SOURCE, nonce));
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1] ?? '');
    assert.deepEqual(scripts, [` type="module" nonce="${nonce}" src="${SCRIPT}"`], 'one script: the bundle, with the nonce');
    const styles = [...html.matchAll(/<style\b([^>]*)>/g)].map((m) => m[1] ?? '');
    assert.deepEqual(styles, [` nonce="${nonce}"`]);
    assert.doesNotMatch(html, /<link\b|<iframe\b|<img\b|@import|url\(/, 'no other resource is referenced');
    const urls = html.replace(meta?.[0] ?? '', '').match(/https?:\/\/[^\s"')]+/g) ?? [];
    assert.deepEqual(urls, [SCRIPT], 'the only URL is the webview resource of the bundled script');
  });
});
