// Which steps `--only` selects, known before the first request to the target: a filter that
// selects nothing is a usage error, not a run that makes its set-up's resources (paid jobs, on a
// vendor) and then passes with everything skipped.
//
// A journey's steps are named in its code, so the plan is the run itself, as a dry run (which
// lists every step and sends nothing, runner/run-extras.ts), and the filter is matched against
// its steps as the runner matches it (`group step`). A journey that cannot run against the
// target at all (no second key, no clock) is one step, named by its title, in both.
import { runConformance, type RunOptions } from './runner/run.ts';
import type { RunReport } from './types.ts';

export interface Selection {
  /** `group step` of every step the filter selects. */
  selected: string[];
  /** The first step of each group, to show what names look like. */
  examples: string[];
}

/** The steps of a report `only` selects, as the runner matches them. */
export function selectedBy(report: RunReport, only: string): Selection {
  const names = report.groups.flatMap((group) => group.steps.map((step) => `${group.name} ${step.name}`));
  const examples = report.groups.map((group) => `${group.name} ${group.steps[0]?.name ?? ''}`.trim());
  return { selected: names.filter((name) => name.includes(only)), examples };
}

/** The dry run of `options` (the real run's, target included), matched against `only`. */
export async function planSelection(options: Omit<RunOptions, 'client' | 'interrupted' | 'dryRun' | 'only'> & { only: string }): Promise<Selection> {
  const { only, ...run } = options;
  return selectedBy(await runConformance({ ...run, dryRun: true }), only);
}
