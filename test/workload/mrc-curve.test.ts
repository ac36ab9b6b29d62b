import { describe, expect, it } from 'vitest';
import { TRACE_RESULT_SCHEMA } from '../../src/result/trace.js';
import { parseMrcCurve } from '../../src/workload/mrc-curve.js';

const CSV = `policy,method,frames,faults,fault_ratio
"clock:bits=2,x",simulation,1,90,0.9
lru,exact-stack,2,60,0.6
lru,exact-stack,1,80,0.8
lru,exact-stack,4,30,0.3
`;

describe('parseMrcCurve', () => {
  it('reads the lru rows of `faultline mrc --format csv`, sorted by size; the largest size stands for the pages', () => {
    expect(parseMrcCurve(CSV, 'c.csv', 'auto')).toEqual({
      frames: [1, 2, 4],
      missRatio: [0.8, 0.6, 0.3],
      distinctPages: 4,
      rises: 0,
    });
  });

  it('reads the lru curve of the json result, with the trace’s distinct pages', () => {
    const json = JSON.stringify({
      schema: TRACE_RESULT_SCHEMA,
      command: 'mrc',
      trace: { distinctPages: 100 },
      warmup: 0,
      rows: [],
      curves: [
        {
          method: 'exact-stack',
          policy: 'lru',
          references: 10,
          points: [
            { frames: 10, faults: 5, faultRatio: 0.5 },
            { frames: 50, faults: 2, faultRatio: 0.2 },
          ],
        },
      ],
    });
    expect(parseMrcCurve(json, 'c.json', 'auto')).toEqual({
      frames: [10, 50],
      missRatio: [0.5, 0.2],
      distinctPages: 100,
      rises: 0,
    });
  });

  it('replaces a sampled curve’s rises by its running minimum, and counts them', () => {
    const c = parseMrcCurve('frames,fault_ratio\n1,0.9\n2,0.5\n3,0.55\n4,0.1\n', 'r.csv', 'csv');
    expect(c).toMatchObject({ missRatio: [0.9, 0.5, 0.5, 0.1], rises: 1 });
  });

  it('names the line of a bad value, and refuses what is not a curve', () => {
    expect(parseMrcCurve('frames,fault_ratio\n1,0.9\n2,1.5\n', 'b.csv', 'csv')).toEqual({
      error: 'b.csv:3: the miss ratio must be a number from 0 to 1, found 1.5',
    });
    expect(parseMrcCurve('frames,fault_ratio\n1,0.9\n1,0.8\n', 'd.csv', 'csv')).toEqual({
      error: 'd.csv:3: the size 1 appears twice',
    });
    expect(parseMrcCurve('frames,fault_ratio\n1,0.9\n', 'o.csv', 'csv')).toEqual({
      error: 'o.csv: a curve needs at least 2 sizes, found 1',
    });
    expect(parseMrcCurve('[1,2]', 'a.json', 'json')).toMatchObject({
      error: expect.stringMatching(/^a\.json: a bare list/),
    });
  });
});
