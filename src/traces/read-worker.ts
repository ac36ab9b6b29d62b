/**
 * Reads an uncompressed trace (oracleGeneral or text) on its own thread, mapping ids to dense ids straight into a
 * SharedArrayBuffer while replay threads simulate what is already there (the pipeline of
 * engine/replay.ts). Posts the TraceInfo when done, or the error; either way `progress[1]`
 * tells waiting threads that no more references will come.
 */
import { parentPort } from 'node:worker_threads';
import { loadTrace, type SharedStream, type TraceOptions } from './load.js';

interface ReadRequest extends SharedStream {
  file: string;
  options: TraceOptions;
}

const port = parentPort;
port?.once('message', async (r: ReadRequest) => {
  let state = 2;
  try {
    const trace = await loadTrace(r.file, r.options, { stream: r.stream, progress: r.progress });
    if (trace.info.format === 'oracleGeneral' && trace.stream.length !== r.stream.length) {
      throw new Error('internal: the file changed while it was read');
    }
    port.postMessage({ info: trace.info });
    state = 1;
  } catch (err) {
    const e = err as Error;
    port.postMessage({ error: e.message, input: e.name === 'InputError' });
  } finally {
    Atomics.store(r.progress, 1, state);
    Atomics.notify(r.progress, 0);
  }
});
