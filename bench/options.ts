import type { ScenarioReport } from './report';

export interface RunOptions {
  /** A tiny data set and very short runs: checks that the scenario starts and reports, measures nothing. */
  smoke: boolean;
  durationSeconds: number;
  warmupSeconds: number;
  /** Concurrent connections; each level is a run of its own. */
  connections: number[];
  /** Gateway processes: 1 = one process each; more = one worker per core each. */
  workers: number[];
  /** Each peer runs this many times, interleaved with the others; the median run is reported. */
  rounds: number;
  /** Only these queries (by name), when given. */
  queries?: string[];
  /** Only these peers, when given. */
  peers?: string[];
  /** Writes a CPU profile of our gateway into this directory. */
  cpuProfileDir?: string;
}

export type Scenario = (options: RunOptions, log: (line: string) => void) => Promise<ScenarioReport>;
