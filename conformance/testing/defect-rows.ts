// The "defect row per step" discipline of the journey tests: every planned journey step has a
// proxy defect that breaks exactly it, and against that defect the step is the only one of its
// journey that fails (those before it pass, those after it do not run, and are still listed,
// skipped, so the journey reports every step it plans). The generic groups (negative cases,
// documented requests) only need their step to fail.
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../types.ts';
import { startBrokenProxy, type Defect } from './broken-proxy.ts';

export type DefectRow = [scenario: string, step: string, defect: Defect];

const GENERIC = ['negative-cases', 'documented-requests'];

export function defectRowTests(options: {
  rows: DefectRow[];
  /** The journeys' steps as a run against the emulator lists them: [scenario, step]. */
  planned: Array<[string, string]>;
  target: () => string;
  run: (target: string, only?: string) => Promise<RunReport>;
}): void {
  const { rows, planned } = options;
  describe('against an implementation broken in one way', () => {
    it('has a defect for every planned step, each named as planned', () => {
      const journeyRows = rows.filter(([scenario]) => !GENERIC.includes(scenario)).map(([scenario, step]) => `${scenario} / ${step}`);
      expect(journeyRows).toEqual(planned.map(([scenario, step]) => `${scenario} / ${step}`));
      expect(planned.every(([scenario], i) => rows[i]![0] === scenario)).toBe(true);
    });

    it.each(rows)('%s fails "%s"', async (scenario, step, defect) => {
      const proxy = await startBrokenProxy(options.target(), defect);
      try {
        const generic = GENERIC.includes(scenario);
        const report = await options.run(proxy.url, generic ? (step.startsWith('create a resource') ? 'negative' : step) : scenario);
        if (generic) {
          expect(report.groups.flatMap((g) => g.steps).filter((s) => s.outcome === 'failed').map((s) => s.name)).toContain(step);
          return;
        }
        const group = report.groups.find((g) => g.name === scenario)!;
        expect(group.steps.filter((s) => s.outcome === 'failed').map((s) => s.name)).toEqual([step]);
        expect(group.steps.map((s) => s.name)).toEqual(planned.filter(([name]) => name === scenario).map(([, name]) => name));
        const index = group.steps.findIndex((s) => s.name === step);
        expect(group.steps.slice(0, index).map((s) => s.outcome)).toEqual(Array(index).fill('passed'));
        const after = group.steps.slice(index + 1);
        expect(after.map((s) => [s.outcome, s.skippedReason])).toEqual(after.map(() => ['skipped', 'an earlier step of this scenario failed']));
      } finally {
        await proxy.close();
      }
    }, 60_000);
  });
}
