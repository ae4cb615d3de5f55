/**
 * The panel's state and how each host message changes it. Pure (no DOM, no VS Code), so the webview
 * renders from it, the host reuses the training part for its own snapshot, and unit tests drive it.
 */
import type {
  HostToPreviewMessage,
  PreviewHostState,
  PreviewRecord,
  PreviewSlot,
  PreviewSuggestion,
  PreviewTrainingState,
  TrainingEvent,
} from '../../protocol/messages';

export type ColumnStatus = 'streaming' | 'done' | 'error';

/** One side-by-side column's generation. */
export interface ColumnState {
  generationId: number;
  label: string;
  text: string;
  status: ColumnStatus;
  finishReason: string | undefined;
  generatedTokens: number;
  tokensPerSecond: number;
  timeToFirstTokenMs: number;
  error: string | undefined;
}

export interface SuggestionsState {
  status: 'idle' | 'working' | 'done' | 'failed';
  items: PreviewSuggestion[];
  message: string | undefined;
}

export interface ViewState {
  host: PreviewHostState | null;
  record: PreviewRecord | null;
  columns: Partial<Record<PreviewSlot, ColumnState>>;
  training: PreviewTrainingState | null;
  suggestions: SuggestionsState;
}

export function initialViewState(): ViewState {
  return { host: null, record: null, columns: {}, training: null, suggestions: { status: 'idle', items: [], message: undefined } };
}

/** The slot a generation id streams into, if it is still shown (a newer generation replaces it). */
function slotOf(state: ViewState, generationId: number): PreviewSlot | undefined {
  for (const slot of ['base', 'adapter', 'compare'] as const) {
    if (state.columns[slot]?.generationId === generationId) return slot;
  }
  return undefined;
}

function updateColumn(state: ViewState, generationId: number, update: (column: ColumnState) => ColumnState): ViewState {
  const slot = slotOf(state, generationId);
  const column = slot === undefined ? undefined : state.columns[slot];
  // Late tokens of a cancelled generation arrive after its replacement started: drop them.
  if (slot === undefined || column === undefined) return state;
  return { ...state, columns: { ...state.columns, [slot]: update(column) } };
}

/** Whether two records are the same conversation (then streamed answers stay valid). */
function sameConversation(a: PreviewRecord | null, b: PreviewRecord | null): boolean {
  if (a === null || b === null) return a === b;
  return a.uri === b.uri && JSON.stringify(a.turns.slice(0, a.promptTurnIndex + 1)) === JSON.stringify(b.turns.slice(0, b.promptTurnIndex + 1));
}

export function reduce(state: ViewState, message: HostToPreviewMessage): ViewState {
  switch (message.type) {
    case 'state':
      return { ...state, host: message.state };
    case 'record':
      // A different prompt makes the columns stale; an edit of the reference alone keeps them.
      return { ...state, record: message.record, columns: sameConversation(state.record, message.record) ? state.columns : {} };
    case 'generationStart':
      return {
        ...state,
        columns: {
          ...state.columns,
          [message.slot]: {
            generationId: message.generationId,
            label: message.label,
            text: '',
            status: 'streaming',
            finishReason: undefined,
            generatedTokens: 0,
            tokensPerSecond: 0,
            timeToFirstTokenMs: 0,
            error: undefined,
          },
        },
      };
    case 'generationToken':
      return updateColumn(state, message.generationId, (column) => ({ ...column, text: column.text + message.text, generatedTokens: column.generatedTokens + 1 }));
    case 'generationEnd':
      return updateColumn(state, message.generationId, (column) => ({
        ...column,
        status: 'done',
        finishReason: message.finishReason,
        generatedTokens: message.generatedTokens,
        tokensPerSecond: message.tokensPerSecond,
        timeToFirstTokenMs: message.timeToFirstTokenMs,
      }));
    case 'generationError':
      return updateColumn(state, message.generationId, (column) => ({ ...column, status: 'error', error: message.message }));
    case 'training':
      return { ...state, training: message.training };
    case 'trainingEvent':
      if (state.training === null || state.training.runId !== message.runId) return state;
      return { ...state, training: applyTrainingEvent(state.training, message.event) };
    case 'suggestions':
      return { ...state, suggestions: { status: message.status, items: message.suggestions, message: message.message } };
  }
}

/** Caps the loss history so a long run cannot grow the panel's memory without bound (keeps every other point). */
export const maxChartPoints = 2000;

function appendPoint(points: readonly { step: number; loss: number }[], point: { step: number; loss: number }): { step: number; loss: number }[] {
  const withoutRepeat = points.length > 0 && points[points.length - 1]?.step === point.step ? points.slice(0, -1) : points.slice();
  withoutRepeat.push(point);
  if (withoutRepeat.length <= maxChartPoints) return withoutRepeat;
  return withoutRepeat.filter((_, index) => index % 2 === 0 || index === withoutRepeat.length - 1);
}

/** A fresh snapshot for a run that is about to start. */
export function startTraining(runId: string, datasetName: string, modelName: string): PreviewTrainingState {
  return {
    runId,
    status: 'starting',
    datasetName,
    modelName,
    device: '',
    step: 0,
    totalSteps: 0,
    epoch: 0,
    tokensPerSecond: 0,
    etaSeconds: 0,
    learningRate: 0,
    trainLoss: [],
    evalLoss: [],
    message: undefined,
    adapterPath: null,
  };
}

/** Applies one engine training event to the snapshot (the host and the webview both use this). */
export function applyTrainingEvent(training: PreviewTrainingState, event: TrainingEvent): PreviewTrainingState {
  switch (event.type) {
    case 'started':
      return {
        ...training,
        status: 'running',
        device: event.device,
        totalSteps: event.totalSteps,
        step: event.resumedFromStep,
        // A resumed run keeps only the points before the step it resumes from.
        trainLoss: training.trainLoss.filter((point) => point.step <= event.resumedFromStep),
        evalLoss: training.evalLoss.filter((point) => point.step <= event.resumedFromStep),
      };
    case 'step':
      return {
        ...training,
        status: 'running',
        step: event.step,
        totalSteps: event.totalSteps,
        epoch: event.epoch,
        tokensPerSecond: event.tokensPerSecond,
        etaSeconds: event.etaSeconds,
        learningRate: event.learningRate,
        trainLoss: Number.isFinite(event.loss) ? appendPoint(training.trainLoss, { step: event.step, loss: event.loss }) : training.trainLoss,
      };
    case 'eval':
      return Number.isFinite(event.evalLoss) ? { ...training, evalLoss: appendPoint(training.evalLoss, { step: event.step, loss: event.evalLoss }) } : training;
    case 'data':
    case 'checkpoint':
    case 'log':
      return training;
  }
}
