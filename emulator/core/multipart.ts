// multipart/form-data bodies as plain data: fields by name (repeated names keep every value),
// files by name with their bytes. busboy does the parsing; a body it cannot read whole is a
// MalformedBodyError, which each API answers with its own 400.
import busboy from 'busboy';

export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface FormData {
  fields: Record<string, string[]>;
  files: Record<string, UploadedFile[]>;
}

export class MalformedBodyError extends Error {
  override readonly name = 'MalformedBodyError';
}

export function parseMultipart(contentType: string, body: Buffer): Promise<FormData> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8' });
    } catch (error) {
      reject(new MalformedBodyError((error as Error).message));
      return;
    }
    const form: FormData = { fields: {}, files: {} };
    parser.on('field', (name, value) => (form.fields[name] ??= []).push(value));
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      // A truncated body fails the part's stream too; unheard, that error would crash the process.
      stream.on('error', (error: Error) => reject(new MalformedBodyError(error.message)));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => (form.files[name] ??= []).push({ filename: info.filename ?? name, contentType: info.mimeType, data: Buffer.concat(chunks) }));
    });
    parser.on('error', (error: Error) => reject(new MalformedBodyError(error.message)));
    parser.on('close', () => resolve(form));
    parser.end(body);
  });
}
