// Writing multipart/form-data: the one encoder for every body the project builds (callbacks
// it sends, requests its tests and conformance runner send). Reading is multipart.ts.

export interface FormField {
  name: string;
  value: string | Buffer;
  /** Given, the field is a file part. */
  filename?: string;
  contentType?: string;
}

export function encodeMultipart(fields: FormField[], boundary: string): Buffer {
  const chunks: Buffer[] = [];
  for (const field of fields) {
    const disposition = `form-data; name="${field.name}"${field.filename !== undefined ? `; filename="${field.filename}"` : ''}`;
    const type = field.contentType ? `Content-Type: ${field.contentType}\r\n` : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`), Buffer.from(field.value), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}
