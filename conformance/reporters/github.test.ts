import { describe, expect, it } from 'vitest';
import { errorCommand, escapeData, escapeProperty, MAX_ANNOTATIONS, renderAnnotations, renderStepSummary } from './github.ts';
import { passingReport, sampleReport, SECRET_TOKEN } from './sample-report.ts';

describe('GitHub Actions output', () => {
  it('escapes workflow commands as GitHub reads them', () => {
    expect(escapeData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
    expect(escapeProperty('a: b, c')).toBe('a%3A b%2C c');
    expect(errorCommand('deletion › it: 423', 'line 1\nline 2')).toBe('::error title=deletion › it%3A 423::line 1%0Aline 2');
  });

  it('annotates each failed step with its failures, one line each, and the notes', () => {
    const lines = renderAnnotations(sampleReport, { notes: ['every request got 404'] }).trimEnd().split('\n');
    const failed = sampleReport.groups.flatMap((g) => g.steps.filter((s) => s.outcome === 'failed'));
    expect(lines).toHaveLength(failed.length + 1);
    expect(lines[0]).toBe('::error title=speechdouble conform speechmatics::every request got 404');
    for (const line of lines) expect(line).toMatch(/^::error title=[^\n]*::[^\n]+$/);
    // Multi-line failures travel as one line, with their repro.
    expect(lines.slice(1).some((line) => line.includes('%0A') && line.includes('repro:'))).toBe(true);
    expect(lines.join('\n')).not.toContain(SECRET_TOKEN);
    expect(renderAnnotations(passingReport)).toBe('');
  });

  it('caps the annotations at what GitHub shows, and counts the rest', () => {
    const report = { ...sampleReport, groups: structuredClone(sampleReport.groups) };
    const step = report.groups[1]!.steps.find((s) => s.outcome === 'failed')!;
    report.groups[1]!.steps.push(...Array.from({ length: 15 }, (_, i) => ({ ...step, name: `copy ${i}` })));
    const lines = renderAnnotations(report).trimEnd().split('\n');
    expect(lines).toHaveLength(MAX_ANNOTATIONS + 1);
    expect(lines.at(-1)).toMatch(/more failed steps: see the job summary or the JUnit report$/);
  });

  it('summarises the run in markdown: verdict, tally, coverage, notes, the failed steps', () => {
    const summary = renderStepSummary(sampleReport, { notes: ['every request got 404: is --target the API\'s base URL?'] });
    expect(summary).toMatch(/^### speechdouble conform speechmatics: ❌ DOES NOT CONFORM \(4 failures\)\n/);
    expect(summary).toContain('10 steps: 6 passed, 3 failed, 1 skipped');
    expect(summary).toMatch(/Operations exercised: \d+\/\d+/);
    expect(summary).toContain('> **Note:** every request got 404: is --target the API\'s base URL?');
    expect(summary).toContain('| scenario | step | check | failure |');
    expect(summary).toContain('<details><summary>The failures in full</summary>');
    expect(summary).not.toContain(SECRET_TOKEN);
    expect(renderStepSummary(passingReport)).toMatch(/^### speechdouble conform \S+: ✅ CONFORMS\n/);
  });
});
