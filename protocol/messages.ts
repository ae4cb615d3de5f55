/**
 * Every message that crosses a process or webview boundary in Tunesmith, typed in one place.
 *
 * Sections:
 *  1. Language server <-> extension client: custom LSP requests and notifications.
 *  2. Extension host / CLI <-> engine child process.
 *  3. Extension host <-> preview webview.
 *
 * Each message is one namespace with its method (or `type`) string and typed params/result, so both
 * sides import the same definition. Changing a message here is a protocol change: update docs/protocol.md.
 */

// ---------------------------------------------------------------------------------------------
// 1. Language server <-> client
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// 2. Engine process
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// 3. Preview webview
// ---------------------------------------------------------------------------------------------

export {};
