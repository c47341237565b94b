// Offers picker (browser side): shows the plan the extension sends, sortable and filterable, and sends back
// the chosen offer. State survives hide/show through vscode.getState/setState; the extension resends on `ready`.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import {
  filterOffers, formatDollars, OFFER_COLUMNS, sortOffers,
  type ExtensionToWebview, type OfferColumn, type OfferRow, type PickerState, type WebviewToExtension,
} from '../src/vscode/protocol';

interface VsCodeApi {
  postMessage(message: WebviewToExtension): void;
  getState(): PickerState | undefined;
  setState(state: PickerState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
let state: PickerState = vscode.getState() ?? { plan: null, sort: { column: 'pricePerHour', descending: false }, filter: '', status: null };

function save(): void {
  vscode.setState(state);
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

function cell(row: OfferRow, column: OfferColumn): string {
  switch (column) {
    case 'backend': return row.backend;
    case 'region': return row.region;
    case 'resources': return `${row.instanceType} · ${row.resources}`;
    case 'spot': return row.spot ? 'spot' : 'on-demand';
    case 'pricePerHour': return formatDollars(row.pricePerHour);
    case 'availability': return row.availability;
    case 'projectedCost': return row.projectedCost === null ? 'no auto-stop' : formatDollars(row.projectedCost);
  }
}

const NUMERIC: ReadonlySet<OfferColumn> = new Set(['pricePerHour', 'projectedCost']);

function render(): void {
  const app = document.getElementById('app');
  if (!app) return;
  app.replaceChildren();
  const plan = state.plan;
  if (!plan) {
    app.append(el('p', 'Apply a .dstack.yml (right-click it → dstack: Apply) to see its offers here.', 'muted'));
    return;
  }
  const auto = plan.inactivityDuration === null ? 'no inactivity_duration: runs until stopped' : `auto-stop after ${Math.round(plan.inactivityDuration / 60)} min inactive`;
  app.append(el('p', `${plan.file}${plan.runName ? ` (${plan.runName})` : ''}: ${plan.offers.length} of ${plan.total} offers · ${auto}`, 'muted'));
  if (plan.upload) app.append(el('p', plan.upload.summary, 'muted upload'));
  const toolbar = el('div', undefined, 'toolbar');
  const filter = document.createElement('vscode-textfield');
  filter.setAttribute('placeholder', 'Filter: backend, region, GPU, spot…');
  filter.setAttribute('aria-label', 'Filter offers');
  filter.setAttribute('value', state.filter);
  filter.addEventListener('input', (e) => {
    state.filter = (e.target as HTMLInputElement).value;
    save();
    renderRows(tbody);
  });
  toolbar.append(filter);
  app.append(toolbar);
  const table = el('table');
  const head = el('tr');
  for (const { column, header } of OFFER_COLUMNS) {
    const arrow = state.sort.column === column ? (state.sort.descending ? ' ▼' : ' ▲') : '';
    const th = el('th', header + arrow, NUMERIC.has(column) ? 'num' : undefined);
    th.dataset['column'] = column;
    th.addEventListener('click', () => {
      state.sort = { column, descending: state.sort.column === column ? !state.sort.descending : false };
      save();
      render();
    });
    head.append(th);
  }
  head.append(el('th'));
  const tbody = el('tbody');
  table.append(el('thead'), tbody);
  table.tHead?.append(head);
  app.append(table);
  renderRows(tbody);
  if (state.status) app.append(el('p', `${state.status.run}: ${state.status.text}`, 'status'));
}

function renderRows(tbody: HTMLTableSectionElement): void {
  const plan = state.plan;
  if (!plan) return;
  tbody.replaceChildren();
  const rows = sortOffers(filterOffers(plan.offers, state.filter), state.sort.column, state.sort.descending);
  if (rows.length === 0) {
    const tr = el('tr');
    const td = el('td', 'No offer matches the filter.', 'muted');
    td.colSpan = OFFER_COLUMNS.length + 1;
    tr.append(td);
    tbody.append(tr);
  }
  for (const row of rows) {
    const tr = el('tr', undefined, 'offer');
    tr.dataset['index'] = String(row.index);
    for (const { column } of OFFER_COLUMNS) {
      const td = el('td', cell(row, column), NUMERIC.has(column) ? 'num' : column === 'resources' ? 'wrap' : undefined);
      td.dataset['column'] = column;
      if (column === 'projectedCost' && row.projectedCost === null) td.classList.add('none');
      tr.append(td);
    }
    const td = el('td', undefined, 'action');
    const button = document.createElement('vscode-button');
    button.textContent = 'Provision';
    button.setAttribute('aria-label', `Provision ${row.backend} ${row.region} ${row.instanceType}`);
    button.addEventListener('click', () => vscode.postMessage({ type: 'choose', planId: plan.id, index: row.index }));
    td.append(button);
    tr.append(td);
    tbody.append(tr);
  }
}

window.addEventListener('message', (event: MessageEvent<ExtensionToWebview>) => {
  const message = event.data;
  switch (message.type) {
    case 'plan':
      if (message.plan?.id !== state.plan?.id) state.status = null;
      state.plan = message.plan;
      break;
    case 'provisioning':
      if (message.planId !== state.plan?.id) return;
      state.status = message.status;
      break;
  }
  save();
  render();
});

render();
vscode.postMessage({ type: 'ready' });
