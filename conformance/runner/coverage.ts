// What the run did with each operation: the statuses the target answered it with, and whether
// it answered a valid request (a journey's or a positive case's, never a negative case's) with
// a success the operation documents: what "exercised" means in every report.
import type { OperationRef } from '../../openapi/specs.ts';
import { isDocumentedSuccess } from '../checks/positive-data-acceptance.ts';
import type { Exchange, OperationCoverage } from '../types.ts';

export function coverageOf(operations: OperationRef[], exchanges: Exchange[], negative: ReadonlySet<number>): OperationCoverage[] {
  return operations.map((op) => {
    const operationId = String(op.operation.operationId);
    const answered = exchanges.filter((e) => e.operation.operationId === operationId && e.response);
    return {
      operationId,
      method: op.method.toUpperCase(),
      path: op.path,
      documented: Object.keys((op.operation.responses ?? {}) as object),
      seen: [...new Set(answered.map((e) => e.response!.status))].sort((a, b) => a - b),
      succeeded: answered.some((e) => !negative.has(e.id) && isDocumentedSuccess(op.operation, e.response!.status)),
    };
  });
}
