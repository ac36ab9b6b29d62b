/** The scenario language: load, validate, expand sweeps. */
export { type LoadedScenario, loadScenarioFile, loadScenarioText } from './load.js';
export { expandSweep, type SweepInput, type SweepPoint } from './sweep.js';
export type { Scenario, Variant } from './types.js';
