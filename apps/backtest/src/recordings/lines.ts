import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { createGunzip } from "node:zlib";
import { RecordingError } from "@botmm/backtest";

/** Lines of a file read in one go: `lines[i]` is line `firstLine + i` (1-based). Empty lines are kept. */
export interface LineBatch {
  lines: string[];
  firstLine: number;
}

const CHUNK_BYTES = 1 << 20;

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") throw new RecordingError("NOT_FOUND", file, 0, "no such file");
    throw new RecordingError("UNREADABLE", file, 0, error.message, { cause: error });
  });
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/**
 * The lines of a text file in batches (one per chunk read, about 1 MB), gunzipped when the file is gzip (told
 * by its first bytes, whatever its name; several concatenated gzip members are read as one text). `\r\n` line
 * ends are accepted. A damaged or truncated gzip stream becomes a {@link RecordingError} naming the file and the
 * last whole line read; an `.lz4` file is refused with the command that decompresses it.
 *
 * @example
 * ```ts
 * for await (const { lines, firstLine } of readLineBatches("BTC/20240101/12.jsonl.gz")) console.log(firstLine, lines.length);
 * ```
 */
export async function* readLineBatches(file: string): AsyncGenerator<LineBatch> {
  if (file.endsWith(".lz4")) {
    throw new RecordingError(
      "UNSUPPORTED_COMPRESSION",
      file,
      0,
      "lz4 files are not read directly: decompress first (`lz4 -d file.lz4 file.jsonl`, or `unlz4`), then pass the .jsonl (or gzip it)",
    );
  }
  const gzip = await isGzip(file);
  const source = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  const input = gzip ? source.pipe(createGunzip({ chunkSize: CHUNK_BYTES })) : source;
  if (gzip) source.on("error", (error) => input.destroy(error));
  const decoder = new StringDecoder("utf8");
  let rest = "";
  let line = 1;
  try {
    for await (const chunk of input) {
      // Split the chunk alone (not `rest + chunk`, which would copy the chunk once more) and glue the rest of
      // the previous chunk to its first line.
      const text = decoder.write(chunk as Buffer);
      const lines = text.split("\n");
      if (lines.length === 1) {
        rest += text;
        continue;
      }
      lines[0] = rest + lines[0]!;
      rest = lines.pop()!;
      if (text.includes("\r")) {
        for (let i = 0; i < lines.length; i++) {
          const entry = lines[i]!;
          if (entry.endsWith("\r")) lines[i] = entry.slice(0, -1);
        }
      } else if (lines[0]!.endsWith("\r")) lines[0] = lines[0]!.slice(0, -1);
      yield { lines, firstLine: line };
      line += lines.length;
    }
  } catch (error) {
    const last = line - 1;
    throw new RecordingError(
      "CORRUPT_FILE",
      file,
      last,
      `cannot read past line ${last}: ${(error as Error).message} (a truncated .gz is what a crashed writer leaves)`,
      { cause: error },
    );
  } finally {
    source.destroy();
  }
  const tail = (rest + decoder.end()).replace(/\r$/, "");
  if (tail.length > 0) yield { lines: [tail], firstLine: line };
}

/**
 * Lines of a text file one by one, with 1-based line numbers (empty lines skipped); see {@link readLineBatches}.
 *
 * @example
 * ```ts
 * for await (const { text, line } of readLines("capture.jsonl.gz")) console.log(line, text.length);
 * ```
 */
export async function* readLines(file: string): AsyncGenerator<{ text: string; line: number }> {
  for await (const { lines, firstLine } of readLineBatches(file)) {
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i]!;
      if (text.length > 0) yield { text, line: firstLine + i };
    }
  }
}

/**
 * The first line of a file (gunzipped when gzip), or "" for an empty file: what format detection looks at.
 *
 * @example
 * ```ts
 * (await firstLine("rec/BTC/20240101/12.jsonl.gz")).includes('"format":"botmm-md"'); // true
 * ```
 */
export async function firstLine(file: string): Promise<string> {
  const batches = readLineBatches(file);
  try {
    for await (const { lines } of batches) {
      for (const text of lines) if (text.length > 0) return text;
    }
    return "";
  } finally {
    await batches.return(undefined);
  }
}
