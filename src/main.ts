/**
 * The host process: attaches to Neovim over stdio (msgpack-RPC) and serves the bridge.
 * stdout carries RPC and nothing else; logs go to the file named by `init`.
 */
import { attach } from 'neovim';
import { Bridge } from './bridge/bridge.js';

// Nothing may write to stdout but the RPC stream.
for (const k of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) console[k] = () => {};

let bridge: Bridge | undefined;
const nodeClientLogger = {
  level: 'info',
  info: () => {},
  debug: () => {},
  warn: (...a: unknown[]) => bridge?.log.warn({ nodeClient: a.map(String).join(' ') }),
  error: (...a: unknown[]) => bridge?.log.error({ nodeClient: a.map(String).join(' ') }),
};

const nvim = attach({ reader: process.stdin, writer: process.stdout, options: { logger: nodeClientLogger as never } });
bridge = new Bridge(nvim);

let exiting = false;
/** Neovim went away (stdin closed) or we were told to stop: stop every server, then exit. */
async function shutdown(why: string): Promise<void> {
  if (exiting) return;
  exiting = true;
  bridge?.log.info({ why }, 'shutting down');
  const deadline = setTimeout(() => process.exit(0), 3000);
  deadline.unref();
  await bridge?.shutdown().catch(() => {});
  process.exit(0);
}

process.stdin.on('end', () => void shutdown('stdin closed'));
process.stdin.on('close', () => void shutdown('stdin closed'));
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => void shutdown(sig));
process.on('exit', () => bridge?.killAll());
process.on('uncaughtException', (err) => bridge?.log.error({ err: err.stack ?? String(err) }, 'uncaught exception'));
process.on('unhandledRejection', (err) => bridge?.log.error({ err: String(err) }, 'unhandled rejection'));
// EPIPE when Neovim has gone: not an error worth more than shutting down.
process.stdout.on('error', () => void shutdown('stdout closed'));
