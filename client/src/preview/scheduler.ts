/**
 * One generation round at a time. A new round (the text changed) aborts the running one and waits for
 * it to settle before it starts: the engine stops a cancelled request at its next step, but a prefill
 * already inside onnxruntime finishes first, so starting at once would queue one stale prefill per
 * keystroke. No vscode import: the bench drives the same code.
 */
export class RoundScheduler {
  private current: AbortController | undefined;
  private settled: Promise<void> = Promise.resolve();

  /** Aborts the running round (e.g. on an edit, before the debounce has fired). */
  abort(): void {
    this.current?.abort();
  }

  /** Runs `round` after the previous one has settled, unless a newer round superseded it meanwhile. */
  async run(round: (signal: AbortSignal) => Promise<void>): Promise<void> {
    this.current?.abort();
    const controller = new AbortController();
    this.current = controller;
    const previous = this.settled;
    let done!: () => void;
    this.settled = new Promise((resolve) => (done = resolve));
    try {
      await previous;
      if (controller.signal.aborted) return;
      await round(controller.signal);
    } finally {
      done();
    }
  }
}
