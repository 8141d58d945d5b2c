// Types of bundle-cache.js (plain JavaScript: it runs before any TypeScript loader exists).
export declare const REPO_ROOT: string;
export declare function trace(env: Readonly<Record<string, string | undefined>>, text: string): void;
export declare function sourceKey(root?: string): string;
export declare function cacheDir(root?: string): string;
export declare function buildBundle(root: string, outdir: string): Promise<void>;
export declare function bundledMainUrl(
  env?: Readonly<Record<string, string | undefined>>,
  root?: string,
): Promise<string | null>;
