/**
 * The preview panel's script (runs in the webview, bundled by esbuild to media/dist/preview.js).
 * It renders the ViewState from viewState.ts and sends clicks to the host; it never loads a model and
 * never touches the file. Text from the dataset and the models is always set with textContent.
 */
/// <reference lib="dom" />
// The chart library is ESM-only: imported lazily (esbuild inlines it into the bundle), which also keeps
// it off the first render.
import type { Chart } from 'chart.js' with { 'resolution-mode': 'import' };

type ChartLibrary = typeof import('chart.js', { with: { 'resolution-mode': 'import' } });
import type {
  HostToPreviewMessage,
  PreviewAdapterSummary,
  PreviewCommandName,
  PreviewGenerationSettings,
  PreviewPersistedState,
  PreviewSlot,
  PreviewToHostMessage,
} from '../../protocol/messages';
import { formatCount, formatDuration, formatLoss, formatRate, parseSetting } from './format';
import { compareToReference } from './similarity';
import { type ColumnState, initialViewState, reduce, type ViewState } from './viewState';

interface VsCodeApi {
  postMessage(message: PreviewToHostMessage): void;
  setState(state: PreviewPersistedState): void;
  getState(): PreviewPersistedState | undefined;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
let state: ViewState = initialViewState();
/** Diff shown under a column, per slot (a user toggle, kept across re-renders). */
const diffShown = new Set<PreviewSlot>();

function post(message: PreviewToHostMessage): void {
  vscode.postMessage(message);
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, options: { className?: string; text?: string; attributes?: Record<string, string> } = {}, ...children: (Node | undefined)[]): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  if (options.className !== undefined) created.className = options.className;
  if (options.text !== undefined) created.textContent = options.text;
  for (const [name, value] of Object.entries(options.attributes ?? {})) created.setAttribute(name, value);
  for (const child of children) if (child !== undefined) created.appendChild(child);
  return created;
}

function byId<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`preview: #${id} missing from the page`);
  return found as T;
}

function button(text: string, onClick: () => void, options: { title?: string; className?: string; id?: string } = {}): HTMLButtonElement {
  const created = element('button', { text, className: options.className ?? 'secondary' });
  created.type = 'button';
  if (options.title !== undefined) created.title = options.title;
  if (options.id !== undefined) created.id = options.id;
  created.addEventListener('click', onClick);
  return created;
}

function commandButton(text: string, command: PreviewCommandName, title: string, primary = false): HTMLButtonElement {
  return button(text, () => post({ type: 'command', command }), { title, className: primary ? 'primary' : 'secondary', id: `command-${command}` });
}

// ----- header: model, adapters, commands --------------------------------------------------------

function adapterOption(adapter: PreviewAdapterSummary): HTMLOptionElement {
  const details = [adapter.createdAt === undefined ? undefined : new Date(adapter.createdAt).toLocaleString(), adapter.finalLoss === undefined ? undefined : `loss ${formatLoss(adapter.finalLoss)}`]
    .filter((part) => part !== undefined)
    .join(', ');
  const option = element('option', { text: details === '' ? adapter.name : `${adapter.name} (${details})` });
  option.value = adapter.path;
  return option;
}

function adapterSelect(id: string, label: string, slot: 'adapter' | 'compare', current: PreviewAdapterSummary | null, adapters: PreviewAdapterSummary[]): HTMLElement {
  const select = element('select', { attributes: { id } });
  const none = element('option', { text: slot === 'adapter' ? 'No adapter' : 'No comparison' });
  none.value = '';
  select.appendChild(none);
  const listed = [...adapters];
  if (current !== null && !listed.some((adapter) => adapter.path === current.path)) listed.unshift(current);
  for (const adapter of listed) select.appendChild(adapterOption(adapter));
  select.value = current?.path ?? '';
  select.addEventListener('change', () => post({ type: 'chooseAdapter', slot, path: select.value === '' ? null : select.value }));
  return element('label', { className: 'field' }, element('span', { text: label }), select);
}

function renderHeader(): void {
  const header = byId('header');
  header.replaceChildren();
  const host = state.host;
  const model = host?.model ?? null;
  const modelLine = element('div', { className: 'model-line' });
  modelLine.appendChild(element('span', { className: 'label', text: 'Model' }));
  modelLine.appendChild(element('strong', { attributes: { id: 'model-name' }, text: model === null ? 'none selected' : model.name }));
  if (model !== null) modelLine.appendChild(element('span', { className: 'muted', text: ` ${model.architecture} · ${formatCount(model.parameters)} parameters · ${model.device}` }));
  header.appendChild(modelLine);
  if (host !== null) {
    header.appendChild(element('div', { className: 'adapter-line' },
      adapterSelect('adapter-select', 'Adapter', 'adapter', host.adapter, host.adapters),
      adapterSelect('compare-select', 'Compare with (A/B)', 'compare', host.compareAdapter, host.adapters),
    ));
  }
  header.appendChild(element('div', { className: 'toolbar', attributes: { role: 'toolbar', 'aria-label': 'Tunesmith commands' } },
    commandButton('Fine-tune and Preview', 'fineTune', 'Train a LoRA adapter on this dataset and preview it', true),
    commandButton('Select Model', 'selectModel', 'Choose the base model'),
    commandButton('Load Adapter', 'loadAdapter', 'Load a PEFT adapter folder'),
    commandButton('Export Adapter', 'exportAdapter', 'Copy the current adapter to a folder'),
  ));
  const banners = element('div', { attributes: { id: 'banners', 'aria-live': 'polite' } });
  if (host !== null && !host.workspaceTrusted) banners.appendChild(element('p', { className: 'banner warning', text: 'Restricted mode: models and adapters named by this workspace are not loaded until you trust it. The demo model and models you pick yourself still work.' }));
  if (host?.modelStatus !== undefined) banners.appendChild(element('p', { className: 'banner info', text: host.modelStatus }));
  if (host?.modelError !== undefined) banners.appendChild(element('p', { className: 'banner error', attributes: { role: 'alert' }, text: host.modelError }));
  if (host !== null && model === null && host.modelStatus === undefined) banners.appendChild(element('p', { className: 'banner info', text: 'No model yet: choose "Select Model" (the built-in demo model needs no download).' }));
  header.appendChild(banners);
}

// ----- the record --------------------------------------------------------------------------------

function renderRecord(): void {
  const section = byId('record');
  section.replaceChildren();
  const record = state.record;
  if (record === null) {
    section.appendChild(element('p', { className: 'muted', text: 'Put the cursor in a record of a dataset file (.jsonl or .json) to preview it.' }));
    return;
  }
  section.appendChild(element('h2', { text: `${record.fileName} · record ${record.recordIndex + 1} (line ${record.line + 1}) · ${record.format}` }));
  if (record.problem !== undefined) section.appendChild(element('p', { className: 'banner warning', text: record.problem }));
  const list = element('ol', { className: 'turns', attributes: { 'aria-label': 'Conversation' } });
  record.turns.forEach((turn, index) => {
    const item = element('li', { className: `turn role-${turn.role}${index === record.promptTurnIndex ? ' prompt' : ''}` });
    const roleText = turn.writtenRole !== turn.role ? `${turn.role} (${turn.writtenRole})` : turn.role;
    item.appendChild(element('div', { className: 'turn-head' },
      element('span', { className: 'role', text: roleText }),
      turn.trainable ? element('span', { className: 'tag', text: 'trained', attributes: { title: 'The loss covers this turn' } }) : undefined,
      index === record.promptTurnIndex ? element('span', { className: 'tag accent', text: 'answered below' }) : undefined,
    ));
    if (turn.content !== '') item.appendChild(element('div', { className: 'content', text: turn.content }));
    for (const call of turn.toolCalls) {
      item.appendChild(element('div', { className: 'tool-call' }, element('span', { className: 'tag', text: 'tool call' }), element('code', { text: ` ${call.name}` }), element('pre', { text: call.arguments })));
    }
    list.appendChild(item);
  });
  section.appendChild(list);
  if (record.tools !== undefined) {
    section.appendChild(element('details', {}, element('summary', { text: 'Tools offered to the model' }), element('pre', { text: record.tools })));
  }
}

// ----- answers side by side ----------------------------------------------------------------------

const slotTitles: Record<PreviewSlot, string> = { base: 'Base model', adapter: 'Adapter', compare: 'Comparison adapter' };

function columnStats(column: ColumnState): string {
  if (column.status === 'streaming') return `streaming… ${column.generatedTokens} tokens`;
  if (column.status === 'error') return 'failed';
  const first = column.timeToFirstTokenMs > 0 ? ` · first token ${Math.round(column.timeToFirstTokenMs)} ms` : '';
  return `${column.generatedTokens} tokens · ${formatRate(column.tokensPerSecond)}${first}${column.finishReason === 'max-tokens' ? ' · hit max tokens' : ''}`;
}

function renderColumn(slot: PreviewSlot, column: ColumnState | undefined, reference: string | null): HTMLElement {
  const box = element('section', { className: `column slot-${slot}`, attributes: { 'aria-label': slotTitles[slot], id: `column-${slot}` } });
  box.appendChild(element('h3', { text: slotTitles[slot] }));
  if (column === undefined) {
    box.appendChild(element('p', { className: 'muted', text: slot === 'base' ? 'Waiting for a model…' : 'No adapter selected.' }));
    return box;
  }
  box.appendChild(element('div', { className: 'column-label muted', text: column.label }));
  box.appendChild(element('div', { className: 'stats muted', text: columnStats(column) }));
  const text = element('div', { className: 'content answer', attributes: { 'aria-live': 'off', 'data-status': column.status } });
  text.textContent = column.text;
  if (column.status === 'streaming') text.appendChild(element('span', { className: 'cursor', attributes: { 'aria-hidden': 'true' } }));
  box.appendChild(text);
  if (column.error !== undefined) box.appendChild(element('p', { className: 'banner error', attributes: { role: 'alert' }, text: column.error }));
  if (reference !== null && column.text !== '') {
    const comparison = compareToReference(reference, column.text);
    const shown = diffShown.has(slot);
    const toggle = button(shown ? 'Hide diff' : 'Show diff', () => {
      if (diffShown.has(slot)) diffShown.delete(slot);
      else diffShown.add(slot);
      preservingFocus(renderAnswers);
    }, { id: `diff-toggle-${slot}`, className: 'link' });
    toggle.setAttribute('aria-pressed', String(shown));
    box.appendChild(element('div', { className: 'similarity' },
      element('span', { text: `ROUGE-L to reference: ${comparison.score.toFixed(2)}`, attributes: { title: 'Longest common word sequence, F1 (1 = same words in the same order)' } }),
      element('meter', { attributes: { min: '0', max: '1', value: comparison.score.toFixed(3), 'aria-label': 'similarity to reference' } }),
      toggle,
    ));
    if (shown) {
      const diff = element('div', { className: 'diff content', attributes: { 'aria-label': 'Difference to the reference: inserted words are the model\'s, struck words the reference\'s' } });
      for (const segment of comparison.segments) {
        diff.appendChild(segment.kind === 'same' ? document.createTextNode(segment.text) : element(segment.kind === 'added' ? 'ins' : 'del', { text: segment.text }));
      }
      box.appendChild(diff);
    }
  }
  return box;
}

function renderAnswers(): void {
  const section = byId('answers');
  section.replaceChildren();
  const record = state.record;
  if (record === null || record.promptTurnIndex < 0) return;
  const grid = element('div', { className: 'columns' });
  grid.appendChild(renderColumn('base', state.columns.base, record.reference));
  if ((state.host?.adapter ?? null) !== null) grid.appendChild(renderColumn('adapter', state.columns.adapter, record.reference));
  if ((state.host?.compareAdapter ?? null) !== null) grid.appendChild(renderColumn('compare', state.columns.compare, record.reference));
  const reference = element('section', { className: 'column slot-reference', attributes: { 'aria-label': 'Reference answer', id: 'column-reference' } });
  reference.appendChild(element('h3', { text: 'Reference (the record)' }));
  reference.appendChild(record.reference === null
    ? element('p', { className: 'muted', text: 'This record has no answer to the last user turn yet.' })
    : element('div', { className: 'content', text: record.reference }));
  grid.appendChild(reference);
  section.appendChild(grid);
}

// ----- generation settings ---------------------------------------------------------------------

function settingInput(id: string, label: string, value: number, step: string): HTMLLabelElement {
  const input = element('input', { attributes: { id, type: 'number', step, inputmode: 'decimal' } });
  input.value = String(value);
  input.addEventListener('change', sendSettings);
  return element('label', { className: 'field' }, element('span', { text: label }), input);
}

function currentSettings(): PreviewGenerationSettings {
  return state.host?.settings ?? { temperature: 0, maxTokens: 64, seed: 0 };
}

function sendSettings(): void {
  const previous = currentSettings();
  const settings: PreviewGenerationSettings = {
    temperature: parseSetting(byId<HTMLInputElement>('setting-temperature').value, previous.temperature, 0, 2, false),
    maxTokens: parseSetting(byId<HTMLInputElement>('setting-max-tokens').value, previous.maxTokens, 1, 4096, true),
    seed: parseSetting(byId<HTMLInputElement>('setting-seed').value, previous.seed, 0, 2 ** 31 - 1, true),
  };
  post({ type: 'settings', settings });
}

function renderSettings(): void {
  const section = byId('settings');
  const settings = currentSettings();
  if (section.childElementCount === 0) {
    section.append(
      settingInput('setting-temperature', 'Temperature (0 = greedy)', settings.temperature, '0.1'),
      settingInput('setting-max-tokens', 'Max tokens', settings.maxTokens, '1'),
      settingInput('setting-seed', 'Seed', settings.seed, '1'),
      button('Regenerate', () => post({ type: 'regenerate' }), { id: 'regenerate' }),
    );
    return;
  }
  // Never overwrite a field the user is typing in.
  const values: [string, number][] = [['setting-temperature', settings.temperature], ['setting-max-tokens', settings.maxTokens], ['setting-seed', settings.seed]];
  for (const [id, value] of values) {
    const input = byId<HTMLInputElement>(id);
    if (document.activeElement !== input) input.value = String(value);
  }
}

// ----- training ----------------------------------------------------------------------------------

let chart: Chart<'line', { x: number; y: number }[]> | undefined;
let chartLibrary: Promise<ChartLibrary> | undefined;

function cssVariable(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

async function loadChartLibrary(): Promise<ChartLibrary> {
  chartLibrary ??= import('chart.js').then((library) => {
    library.Chart.register(library.LineController, library.LineElement, library.PointElement, library.LinearScale, library.Legend, library.Tooltip);
    return library;
  });
  return chartLibrary;
}

async function ensureChart(canvas: HTMLCanvasElement): Promise<Chart<'line', { x: number; y: number }[]>> {
  const library = await loadChartLibrary();
  if (chart !== undefined && chart.canvas === canvas) return chart;
  chart?.destroy();
  const foreground = cssVariable('--vscode-foreground', '#cccccc');
  const grid = cssVariable('--vscode-editorWidget-border', '#454545');
  chart = new library.Chart<'line', { x: number; y: number }[]>(canvas, {
    type: 'line',
    data: {
      datasets: [
        { label: 'train loss', data: [], borderColor: cssVariable('--vscode-charts-blue', '#3794ff'), backgroundColor: 'transparent', pointRadius: 0, borderWidth: 2, tension: 0.2 },
        { label: 'eval loss', data: [], borderColor: cssVariable('--vscode-charts-orange', '#d18616'), backgroundColor: 'transparent', pointRadius: 3, borderWidth: 2 },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      scales: {
        x: { type: 'linear', title: { display: true, text: 'step', color: foreground }, ticks: { color: foreground, precision: 0 }, grid: { color: grid } },
        y: { type: 'linear', title: { display: true, text: 'loss', color: foreground }, ticks: { color: foreground }, grid: { color: grid } },
      },
      plugins: { legend: { labels: { color: foreground } } },
    },
  });
  return chart;
}

/** Puts the snapshot's loss history into the chart (charts update without animation: a step is a redraw). */
async function updateChart(): Promise<void> {
  const canvas = document.getElementById('loss-chart');
  const training = state.training;
  if (!(canvas instanceof HTMLCanvasElement) || training === null) return;
  const lossChart = await ensureChart(canvas);
  const [trainSet, evalSet] = lossChart.data.datasets;
  if (trainSet !== undefined) trainSet.data = training.trainLoss.map((point) => ({ x: point.step, y: point.loss }));
  if (evalSet !== undefined) evalSet.data = training.evalLoss.map((point) => ({ x: point.step, y: point.loss }));
  lossChart.update('none');
}

function renderTraining(): void {
  const section = byId('training');
  const training = state.training;
  if (training === null) {
    section.hidden = true;
    chart?.destroy();
    chart = undefined;
    section.replaceChildren();
    return;
  }
  section.hidden = false;
  if (section.childElementCount === 0) {
    section.append(
      element('h2', { attributes: { id: 'training-title' } }),
      element('dl', { className: 'training-stats', attributes: { id: 'training-stats' } }),
      element('progress', { attributes: { id: 'training-progress', max: '1', value: '0', 'aria-label': 'training progress' } }),
      element('div', { className: 'chart-box' }, element('canvas', { attributes: { id: 'loss-chart', role: 'img', 'aria-label': 'train and eval loss by step' } })),
      element('p', { attributes: { id: 'training-message', 'aria-live': 'polite' } }),
      button('Cancel training', () => post({ type: 'command', command: 'stopTraining' }), { id: 'cancel-training', className: 'secondary' }),
    );
  }
  const running = training.status === 'running' || training.status === 'starting';
  const statusText: Record<typeof training.status, string> = { starting: 'starting', running: 'training', finished: 'finished', cancelled: 'cancelled', failed: 'failed' };
  byId('training-title').textContent = `Fine-tuning ${training.modelName} on ${training.datasetName} — ${statusText[training.status]}`;
  const lastLoss = training.trainLoss[training.trainLoss.length - 1]?.loss;
  const lastEval = training.evalLoss[training.evalLoss.length - 1]?.loss;
  const stats: [string, string][] = [
    ['Step', training.totalSteps > 0 ? `${training.step} / ${training.totalSteps}` : String(training.step)],
    ['Epoch', training.epoch.toFixed(2)],
    ['Loss', formatLoss(lastLoss)],
    ['Eval loss', formatLoss(lastEval)],
    ['Speed', formatRate(training.tokensPerSecond)],
    ['ETA', running ? formatDuration(training.etaSeconds) : '–'],
    ['Device', training.device === '' ? '–' : training.device],
  ];
  const list = byId('training-stats');
  list.replaceChildren(...stats.map(([name, value]) => element('div', {}, element('dt', { text: name }), element('dd', { text: value, attributes: { 'data-stat': name.toLowerCase().replace(/\s+/g, '-') } }))));
  const progress = byId<HTMLProgressElement>('training-progress');
  progress.value = training.totalSteps > 0 ? training.step / training.totalSteps : 0;
  byId('training-message').textContent = training.message ?? '';
  const cancel = byId<HTMLButtonElement>('cancel-training');
  cancel.hidden = !running;
  updateChart().catch((error: unknown) => {
    byId('training-message').textContent = `The loss chart could not be drawn: ${error instanceof Error ? error.message : String(error)}`;
  });
}

// ----- suggestions -------------------------------------------------------------------------------

function renderSuggestions(): void {
  const section = byId('suggestions');
  section.replaceChildren();
  const suggestions = state.suggestions;
  section.appendChild(element('h2', { text: 'Suggest instructions' }));
  section.appendChild(element('p', { className: 'muted', text: 'The loaded model proposes new instructions in the style of this dataset; near-duplicates of existing ones are filtered out. Inserting one adds a new record to the file (undo with Ctrl+Z).' }));
  const suggest = button(suggestions.status === 'working' ? 'Suggesting…' : 'Suggest instructions', () => post({ type: 'suggest' }), { id: 'suggest' });
  suggest.disabled = suggestions.status === 'working' || state.host?.model === null;
  section.appendChild(suggest);
  if (suggestions.message !== undefined) section.appendChild(element('p', { className: suggestions.status === 'failed' ? 'banner error' : 'muted', text: suggestions.message }));
  if (suggestions.items.length > 0) {
    const list = element('ul', { className: 'suggestion-list' });
    suggestions.items.forEach((item, index) => {
      list.appendChild(element('li', {},
        element('span', { className: 'content', text: item.text }),
        button('Insert as new record', () => post({ type: 'insertSuggestion', text: item.text }), { id: `insert-suggestion-${index}` }),
      ));
    });
    section.appendChild(list);
  }
}

// ----- wiring ------------------------------------------------------------------------------------

/** Re-rendering a section replaces its buttons: put keyboard focus back on the same control. */
function preservingFocus(renderSection: () => void): void {
  const focusedId = document.activeElement instanceof HTMLElement ? document.activeElement.id : '';
  renderSection();
  if (focusedId !== '' && document.activeElement?.id !== focusedId) document.getElementById(focusedId)?.focus();
}

function render(previous: ViewState): void {
  preservingFocus(() => renderSections(previous));
}

function renderSections(previous: ViewState): void {
  if (previous.host !== state.host) {
    renderHeader();
    renderSettings();
  }
  if (previous.record !== state.record) renderRecord();
  if (previous.record !== state.record || previous.columns !== state.columns || previous.host !== state.host) renderAnswers();
  if (previous.training !== state.training) renderTraining();
  if (previous.suggestions !== state.suggestions || previous.host !== state.host) renderSuggestions();
}

window.addEventListener('message', (event: MessageEvent<HostToPreviewMessage>) => {
  const message = event.data;
  if (typeof message !== 'object' || message === null || typeof message.type !== 'string') return;
  const previous = state;
  state = reduce(state, message);
  if (message.type === 'record') vscode.setState({ uri: message.record?.uri, recordIndex: message.record?.recordIndex });
  render(previous);
});

renderHeader();
renderSettings();
renderRecord();
renderSuggestions();
post({ type: 'ready' });
