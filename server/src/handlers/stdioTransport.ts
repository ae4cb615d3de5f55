/**
 * The --stdio transport, with a message encoder that writes diagnostic reports from JSON kept per
 * diagnostic. An edit that changes the shown problems sends the whole list again (up to
 * tunesmith.maxProblems diagnostics, some 350 KB), and serialising it was a quarter of that edit's
 * time; the linter re-uses the diagnostics of unchanged records, so nearly every item's JSON is
 * already written. (Node IPC serialises inside process.send, with no hook: the extension uses stdio.)
 */
import { format } from 'node:util';
import { createConnection, ProposedFeatures, StreamMessageWriter, type Connection, type MessageReader } from 'vscode-languageserver/node';

/**
 * Each diagnostic sent, as the UTF-8 of its JSON after a comma, by diagnostic object: joining kept
 * bytes is cheaper than serialising again or encoding a joined string. Sound because a diagnostic is
 * never changed once made (toLspDiagnostic makes a new one for a moved record).
 */
const itemBytes = new WeakMap<object, Buffer>();

function bytesOfItem(item: unknown): Buffer {
  if (typeof item !== 'object' || item === null) return Buffer.from(`,${JSON.stringify(item) ?? 'null'}`);
  let bytes = itemBytes.get(item);
  if (bytes === undefined) {
    bytes = Buffer.from(`,${JSON.stringify(item)}`);
    itemBytes.set(item, bytes);
  }
  return bytes;
}

/** Stands for the items while the rest of the message is serialised; no other string in the envelope can equal it. */
const itemsMarker = '\u0000tunesmith-items\u0000';
const itemsMarkerJson = JSON.stringify(itemsMarker);

/** A message as UTF-8 JSON; a full diagnostic report's items are joined from their kept bytes. */
export function messageBytes(message: unknown): Buffer {
  const result = (message as { result?: unknown } | null)?.result as { kind?: unknown; items?: unknown } | null | undefined;
  if (typeof result !== 'object' || result === null || result.kind !== 'full' || !Array.isArray(result.items) || result.items.length === 0) return Buffer.from(JSON.stringify(message));
  const envelope = JSON.stringify({ ...(message as object), result: { ...result, items: itemsMarker } });
  const at = envelope.indexOf(itemsMarkerJson);
  const items = result.items.map(bytesOfItem);
  // The first item without its comma.
  items[0] = (items[0] as Buffer).subarray(1);
  return Buffer.concat([Buffer.from(`${envelope.slice(0, at)}[`), ...items, Buffer.from(`]${envelope.slice(at + itemsMarkerJson.length)}`)]);
}

/** The server's connection over stdin/stdout (what `--stdio` selects in createConnection, with the encoder above). */
export function createStdioConnection(): Connection {
  const writer = new StreamMessageWriter(process.stdout, {
    charset: 'utf-8',
    // The protocol's charset is UTF-8, the only one it allows.
    contentTypeEncoder: { name: 'application/json', encode: (message) => Promise.resolve(messageBytes(message)) },
  });
  // stdin as a stream, not a reader: the connection then ends the process when it closes, as with
  // --stdio. createConnection accepts that pairing at run time; its typed overloads do not.
  const connection = createConnection(ProposedFeatures.all, process.stdin as unknown as MessageReader, writer);
  // stdout carries the protocol: console output goes to the client's log instead, as createConnection does for --stdio.
  console.log = (...args: unknown[]) => connection.console.log(format(...args));
  console.info = (...args: unknown[]) => connection.console.info(format(...args));
  console.debug = (...args: unknown[]) => connection.console.log(format(...args));
  console.warn = (...args: unknown[]) => connection.console.warn(format(...args));
  console.error = (...args: unknown[]) => connection.console.error(format(...args));
  return connection;
}
