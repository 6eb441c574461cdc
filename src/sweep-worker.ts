/** A worker of the sweep pool: plans the files it is sent and posts the results back in order. */
import { parentPort, workerData } from 'worker_threads';
import type { Discovered } from './discovery';
import { planOne, planRecorded } from './sweep';

const { options, record } = workerData as {
  options: import('./types').OptimizeOptions;
  record?: boolean;
};
parentPort!.on('message', (batch: { i: number; d: Discovered }[]) => {
  // With --cache, each plan comes back with what it read from the file system.
  parentPort!.postMessage(batch.map(({ i, d }) => (record ? { i, ...planRecorded(d, options) } : { i, item: planOne(d, options) })));
});
