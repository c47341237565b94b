// The picker's HTML shell: strict CSP (`default-src 'none'`, one nonce for the bundled script, styles only
// from the webview's own origin), theme variables only.
import { randomBytes } from 'node:crypto';

/** A fresh nonce for one page load. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The Content-Security-Policy of the picker page. */
export function pickerCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
  ].join('; ');
}

/** The page: the bundled script (dist/webview/main.js) does the rest. */
export function pickerHtml(options: { cspSource: string; nonce: string; scriptUri: string }): string {
  const { cspSource, nonce, scriptUri } = options;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${pickerCsp(cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>dstack offers</title>
<style nonce="${nonce}">
  body { color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 0 8px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid var(--vscode-panel-border); white-space: nowrap; }
  th { cursor: pointer; user-select: none; color: var(--vscode-descriptionForeground); }
  td.num, th.num { text-align: right; }
  td.wrap { white-space: normal; min-width: 12em; }
  tr.offer:hover { background: var(--vscode-list-hoverBackground); }
  .muted { color: var(--vscode-descriptionForeground); }
  .status { margin: 6px 0; color: var(--vscode-notificationsInfoIcon-foreground); }
  .toolbar { display: flex; gap: 6px; align-items: center; margin: 6px 0; }
  vscode-textfield { flex: 1; }
  /* A narrow sidebar: each offer is a card whose first line ends with its price, so money is seen without scrolling. */
  @media (max-width: 560px) {
    thead tr { display: flex; flex-wrap: wrap; gap: 0 10px; }
    thead th { border: none; padding: 2px 0; }
    thead th:empty { display: none; }
    tr.offer { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 8px; padding: 6px 2px; border-bottom: 1px solid var(--vscode-panel-border); }
    tr.offer td { border: none; padding: 0; white-space: normal; min-width: 0; }
    tr.offer td[data-column="backend"] { order: 1; font-weight: 600; }
    tr.offer td[data-column="region"] { order: 2; }
    tr.offer td[data-column="pricePerHour"] { order: 3; margin-left: auto; font-weight: 600; }
    tr.offer td[data-column="pricePerHour"]::after { content: "/h"; }
    tr.offer td[data-column="resources"] { order: 4; flex-basis: 100%; }
    tr.offer td[data-column="spot"] { order: 5; }
    tr.offer td[data-column="availability"] { order: 6; }
    tr.offer td[data-column="projectedCost"] { order: 7; }
    tr.offer td[data-column="projectedCost"]:not(.none)::before { content: "until auto-stop "; color: var(--vscode-descriptionForeground); }
    tr.offer td.action { order: 8; margin-left: auto; }
  }
</style>
</head>
<body>
<div id="app"><p class="muted">Apply a .dstack.yml (right-click it → dstack: Apply) to see its offers here.</p></div>
<script type="module" nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>`;
}
