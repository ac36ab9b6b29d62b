/**
 * A replay worker: takes (policy, size) jobs from a counter shared with the other threads
 * and simulates each over the dense stream, which all threads read from one
 * SharedArrayBuffer (the trace is read once). Results go back by job index, so the rows
 * do not depend on which thread ran what.
 */
import { parentPort } from 'node:worker_threads';
import { type ReplayJobs, runReplayJobs } from './replay.js';

const port = parentPort;
port?.once('message', (w: ReplayJobs) => {
  try {
    runReplayJobs(w, (index, faults, references, spec) => port.postMessage({ index, faults, references, spec }));
    port.postMessage({ done: true });
  } catch (err) {
    const e = err as Error;
    port.postMessage({ error: e.message, input: e.name === 'InputError' });
  }
});
