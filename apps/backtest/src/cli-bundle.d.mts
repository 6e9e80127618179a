// Types of cli-bundle.mjs (plain JavaScript, so a run from the bundle starts no TypeScript).

/** Bump when the build changes: bundles of another format are rebuilt. */
export declare const BUNDLE_FORMAT: number;
/** Where bundles are kept: `$BOTMM_CLI_BUNDLE_DIR`, else `apps/backtest/node_modules/.cache/botmm-cli`. */
export declare function bundleDir(env?: NodeJS.ProcessEnv): string;
/** The entry file of the current bundle in `dir`, or null when there is none or it is stale. */
export declare function currentBundle(dir: string): string | null;
/** Builds the bundle into a new folder of `dir`, makes it current and returns its entry file. */
export declare function buildBundle(dir: string): Promise<string>;
/** Runs the CLI from the current bundle (built when missing or stale), or from the sources. */
export declare function runCli(env?: NodeJS.ProcessEnv): Promise<void>;
/** What the manifest records of a file: `size:mtimeMs`, or `absent`. */
export declare function fileStamp(path: string): string;
