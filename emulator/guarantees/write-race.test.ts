// A body that fails as its file is being opened (the client gone, its framing refused just after
// the head): the write failed, the file was removed, and then the writer, still opening, created
// it again. An empty file stayed behind (fuzz.test.ts saw it now and then, as "files left behind"
// after a chunked upload whose chunks were no chunks). Here every file opens 30 ms late, so the
// race is lost every time unless the file is removed only once its writer is closed. (A
// multipart part's writer is waited for by its own pipeline, which settles on its close.)
import * as fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createFileStore } from '../core/file-store.ts';
import { readRequestBody } from '../core/request-body.ts';

vi.mock('node:fs', async (original) => {
  const real = await original<typeof import('node:fs')>();
  const slowOpen = ((...args: Parameters<typeof real.open>) => void setTimeout(() => (real.open as (...a: unknown[]) => void)(...args), 30)) as typeof real.open;
  return { ...real, createWriteStream: (path: fs.PathLike, options?: object) => real.createWriteStream(path, { ...options, fs: { ...real, open: slowOpen } } as never) };
});

const failing = (head?: Buffer) => {
  const stream = new PassThrough();
  if (head) stream.write(head);
  setImmediate(() => stream.destroy(new Error('aborted')));
  return stream;
};
const request = (type: string, stream: PassThrough) => ({ method: 'POST', path: '/x', query: {}, headers: { 'content-type': type, 'content-length': '100000' }, body: Buffer.alloc(0), stream });

describe('a body that fails as its file is opened', () => {
  it.each([
    ['raw bytes', 'application/octet-stream', () => failing(), { content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }],
    ['a multipart file part', 'multipart/form-data; boundary=b', () => failing(Buffer.from('--b\r\nContent-Disposition: form-data; name="f"; filename="a.wav"\r\n\r\nRIFF')), { content: { 'multipart/form-data': { schema: { type: 'object' } } } }],
  ])('(%s) leaves no file behind', async (_, type, body, requestBody) => {
    const files = createFileStore();
    try {
      const read = await readRequestBody(request(type, body()), requestBody, files, { fileBytes: 2 ** 30, bufferedBytes: 2 ** 20 });
      expect(read.ok).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(files.list()).toEqual([]);
    } finally {
      files.close();
    }
  });
});
