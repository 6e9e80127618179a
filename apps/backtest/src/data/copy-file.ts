// What the parsed copies have in common (a `--csv` file's, a downloaded partition's, a screen file's): the file
// they stand for, their container — magic, format version, a JSON header, a float64 body with its SHA-256 — and
// the read-or-parse-and-keep flow. Each copy's own module says what its header and body hold.
import { createHash } from "node:crypto";
import { mkdir, readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { writeFileAtomically } from "./atomic-file.ts";

/** Source files smaller than this on disk are parsed every time (well under 0.1 s); no copy is kept. */
export const PARSED_COPY_MIN_BYTES = 1 << 20;

/** Where the copy of the file at `sourcePath` lives: `<cacheDir>/<folder>/<sha256 of its absolute path, 32 hex>.bin`. */
export function copyPathUnder(cacheDir: string, folder: string, sourcePath: string): string {
  const digest = createHash("sha256").update(resolve(sourcePath)).digest("hex").slice(0, 32);
  return join(cacheDir, folder, `${digest}.bin`);
}

/** What identifies the file a copy was made from. */
export interface FileIdentity {
  /** Absolute path. */
  path: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  /**
   * SHA-256 of the file's bytes, for callers that hold the bytes anyway (the download cache's partitions): the
   * copy then stands for exactly those bytes, however quickly the file was rewritten.
   */
  contentSha256?: string;
}

/** The outcome of reading a copy: used, absent or made from another version of the file, or unusable (why). */
export type CopyLookup<Value> =
  | { status: "hit"; value: Value }
  | { status: "miss" }
  | { status: "unreadable"; reason: string };

/** The identity of the file at `path` (absolute path, size, mtime, ctime); null when it is not a file. */
export async function fileIdentity(path: string): Promise<FileIdentity | null> {
  try {
    const stats = await stat(path);
    if (!stats.isFile()) return null;
    return { path: resolve(path), size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs };
  } catch {
    // The file's own reader reports the unreadable file with its own error.
    return null;
  }
}

/** Whether two identities name the same version of the same file. */
export function sameFileIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return (
    a.path === b.path &&
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs &&
    a.contentSha256 === b.contentSha256
  );
}

/**
 * A copy's bytes, little-endian: `magic` (8 bytes), `version` (u32), the header's length (u32), the header as
 * JSON with `sha256` (the body's digest) added, zero padding to a multiple of 8, then the body.
 */
export function encodeCopyFile(
  magic: string,
  version: number,
  header: object,
  body: Float64Array,
): Uint8Array {
  const bodyBytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  const sha256 = createHash("sha256").update(bodyBytes).digest("hex");
  const json = Buffer.from(JSON.stringify({ ...header, sha256 }), "utf8");
  const bodyOffset = align8(16 + json.length);
  const out = Buffer.alloc(bodyOffset + bodyBytes.length);
  out.write(magic, 0, "latin1");
  out.writeUInt32LE(version, 8);
  out.writeUInt32LE(json.length, 12);
  json.copy(out, 16);
  out.set(bodyBytes, bodyOffset);
  return out;
}

/**
 * Reads the copy at `path`: `found` with its header and body bytes (the caller checks the header's fields and
 * the body's length, then {@link copyBodyIntact}), `miss` when there is none, or why it cannot be read (`kind`
 * names it: "not a botmm CSV cache file").
 */
export async function readCopyFile(
  path: string,
  magic: string,
  version: number,
  kind: string,
): Promise<
  | { status: "found"; header: Record<string, unknown> & { sha256: string }; body: Buffer; size: number }
  | { status: "miss" }
  | { status: "unreadable"; reason: string }
> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { status: "miss" };
    return { status: "unreadable", reason: error instanceof Error ? error.message : String(error) };
  }
  const unreadable = (reason: string) => ({ status: "unreadable" as const, reason });
  if (bytes.length < 16 || bytes.toString("latin1", 0, 8) !== magic) return unreadable(`not a botmm ${kind}`);
  const found = bytes.readUInt32LE(8);
  if (found !== version) return unreadable(`format version ${found}, this version reads ${version}`);
  const jsonLength = bytes.readUInt32LE(12);
  if (16 + jsonLength > bytes.length) return unreadable("truncated header");
  let header: unknown;
  try {
    header = JSON.parse(bytes.toString("utf8", 16, 16 + jsonLength));
  } catch {
    return unreadable("damaged header");
  }
  if (
    typeof header !== "object" ||
    header === null ||
    typeof (header as { sha256?: unknown }).sha256 !== "string"
  )
    return unreadable("damaged header");
  return {
    status: "found",
    header: header as Record<string, unknown> & { sha256: string },
    body: bytes.subarray(align8(16 + jsonLength)),
    size: bytes.length,
  };
}

/** Whether a copy's body is the one its header's digest was taken of. */
export function copyBodyIntact(header: { sha256: string }, body: Buffer): boolean {
  return createHash("sha256").update(body).digest("hex") === header.sha256;
}

/** How {@link parseThroughCopy} reads, makes and names a copy. */
export interface CopyFlow<Value> {
  /** The file the copy stands for. */
  sourcePath: string;
  copyPath: string;
  /** Files smaller than this on disk are parsed every time; no copy is kept. */
  minBytes: number;
  parse: () => Promise<Value>;
  read: (copyPath: string, identity: FileIdentity) => Promise<CopyLookup<Value>>;
  encode: (identity: FileIdentity, value: Value) => Uint8Array;
  onNotice?: ((message: string) => void) | undefined;
  /** How the notices name the source ("the CSV") and the next use ("the next run"). */
  sourceName: string;
  nextUse: string;
}

/**
 * `flow.parse()` through a copy: a copy made from this version of the source file is read instead; otherwise the
 * file is parsed and, when it is at least `minBytes` on disk and did not change while it was read, a copy is
 * written for the next use. A copy that exists but cannot be used, or cannot be written, is told to `onNotice`;
 * the run goes on with the parsed file. Parse errors are the parser's own.
 */
export async function parseThroughCopy<Value>(flow: CopyFlow<Value>): Promise<Value> {
  const identity = await fileIdentity(flow.sourcePath);
  if (identity === null || identity.size < flow.minBytes) return flow.parse();
  const lookup = await flow.read(flow.copyPath, identity);
  if (lookup.status === "hit") return lookup.value;
  if (lookup.status === "unreadable") {
    flow.onNotice?.(
      `the parsed copy of ${identity.path} at ${flow.copyPath} cannot be used (${lookup.reason}): parsing ${flow.sourceName} again and replacing it`,
    );
  }
  const value = await flow.parse();
  const after = await fileIdentity(flow.sourcePath);
  if (after === null || !sameFileIdentity(identity, after)) return value;
  try {
    await mkdir(dirname(flow.copyPath), { recursive: true });
    await writeFileAtomically(flow.copyPath, flow.encode(identity, value));
  } catch (error) {
    flow.onNotice?.(
      `cannot keep a parsed copy of ${identity.path} at ${flow.copyPath} (${error instanceof Error ? error.message : String(error)}): ${flow.nextUse} parses ${flow.sourceName} again`,
    );
  }
  return value;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
