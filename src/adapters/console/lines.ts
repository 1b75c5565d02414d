import { StringDecoder } from 'node:string_decoder';

/**
 * The lines of a stream, split on `\n` alone. A `\r\n` ending loses its `\r`, but a bare `\r`
 * stays inside its line: node's readline would split there, turning one scripted JSONL line
 * into two broken ones. Each byte is scanned once, however long a line is.
 */
export async function* readLines(input: AsyncIterable<string | Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const line = (text: string) => (text.endsWith('\r') ? text.slice(0, -1) : text);
  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl !== -1) {
      yield line(pending + text.slice(start, nl));
      pending = '';
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    pending += text.slice(start);
  }
  pending += decoder.end();
  if (pending !== '') yield line(pending);
}
