/**
 * Where the builders' raw material comes from, and its identity (package, version,
 * checksum) for the data cards and the rebuild decision.
 *
 * Kinds of origin:
 *   apt        a Debian package, downloaded and unpacked under the cache folder
 *   apt-lists  the Debian archive indexes (Packages, Translation-en) in the private lists
 *   npm        a package already in node_modules (npm install), identified by package-lock
 *   folder     a folder given by path (CISI in ../shared/data/cisi)
 */
import { join } from "node:path";
import { sha256File, sha256Hex } from "../util/checksum.ts";
import {
  debCandidate,
  type DebPackage,
  ensureLists,
  fetchDeb,
  readListsFile,
} from "./sources/apt_cache.ts";

/** A reference to raw material, as a dataset declares it. */
export type OriginRef =
  | { apt: string }
  | { aptLists: "Packages" | "Translation-en" }
  | { npm: string }
  | { folder: string };

/** A resolved origin: what the data card records. */
export type Origin = { source: string; name: string; version: string; checksum: string };

/** Index file suffixes in the private lists (Debian 12 "bookworm", main, amd64). */
export const LISTS_FILES = {
  Packages: "_bookworm_main_binary-amd64_Packages.lz4",
  "Translation-en": "_bookworm_main_i18n_Translation-en.lz4",
} as const;

/** The raw material of every builder, fetched at most once per build. */
export class Inputs {
  #memo = new Map<string, Promise<unknown>>();
  /** `cacheDir` holds apt's lists and packages; `projectDir` holds node_modules and package-lock.json. */
  constructor(readonly cacheDir: string, readonly projectDir = ".") {}

  /** Compute `make()` once per key for the whole build (e.g. WordNet's splits, used by three datasets). */
  shared<T>(key: string, make: () => Promise<T>): Promise<T> {
    if (!this.#memo.has(key)) this.#memo.set(key, make());
    return this.#memo.get(key) as Promise<T>;
  }

  /** Download and unpack a Debian package; its unpacked root folder. */
  deb(name: string): Promise<DebPackage> {
    return this.shared(`deb:${name}`, async () => {
      await ensureLists(this.cacheDir, LISTS_FILES.Packages);
      return fetchDeb(name, this.cacheDir);
    });
  }

  /** Decompressed text of one of the archive indexes. */
  listsText(name: keyof typeof LISTS_FILES): Promise<string> {
    return this.shared(`lists:${name}`, async () => {
      return readListsFile(await ensureLists(this.cacheDir, LISTS_FILES[name]));
    });
  }

  /** Folder of an npm package in node_modules. */
  npmRoot(name: string): string {
    return join(this.projectDir, "node_modules", name);
  }

  /** Identity of `ref` without downloading anything large. */
  resolve(ref: OriginRef): Promise<Origin> {
    return this.shared(`origin:${JSON.stringify(ref)}`, () => this.#resolve(ref));
  }

  async #resolve(ref: OriginRef): Promise<Origin> {
    if ("apt" in ref) {
      await ensureLists(this.cacheDir, LISTS_FILES.Packages);
      const { version, sha256 } = await debCandidate(ref.apt, this.cacheDir);
      return { source: "apt", name: ref.apt, version, checksum: `sha256:${sha256}` };
    }
    if ("aptLists" in ref) {
      const path = await ensureLists(this.cacheDir, LISTS_FILES[ref.aptLists]);
      const name = path.split("/").pop()!;
      return {
        source: "apt-lists",
        name,
        version: "bookworm",
        checksum: `sha256:${await sha256File(path)}`,
      };
    }
    if ("npm" in ref) return this.#npmOrigin(ref.npm);
    const names: string[] = [];
    for await (const entry of Deno.readDir(ref.folder)) if (entry.isFile) names.push(entry.name);
    const parts = await Promise.all(
      names.sort().map(async (n) => `${n}:${await sha256File(join(ref.folder, n))}`),
    );
    return {
      source: "folder",
      name: ref.folder,
      version: "",
      checksum: `sha256:${await sha256Hex(parts.join("\n"))}`,
    };
  }

  async #npmOrigin(name: string): Promise<Origin> {
    const where = join(this.npmRoot(name), "package.json");
    let manifest: { version?: string };
    try {
      manifest = JSON.parse(await Deno.readTextFile(where));
    } catch (error) {
      throw new Error(
        `npm package "${name}": cannot read ${where} (run npm install): ${
          (error as Error).message
        }`,
      );
    }
    const lockPath = join(this.projectDir, "package-lock.json");
    const lock = JSON.parse(await Deno.readTextFile(lockPath));
    const integrity = lock.packages?.[`node_modules/${name}`]?.integrity;
    if (typeof integrity !== "string") throw new Error(`${lockPath}: no integrity for "${name}"`);
    return { source: "npm", name, version: manifest.version ?? "", checksum: integrity };
  }
}
