/**
 * Which files of a Hub repository a model needs: everything but other frameworks' weights
 * and exports (repositories such as all-MiniLM-L6-v2 carry the same weights five times).
 */

/** One file of a repository at a commit, as the Hub's API lists it (`?blobs=true`). */
export interface RepoFile {
  rfilename: string;
  size: number;
  /** The git blob id: `sha1("blob " + size + "\0" + bytes)` (of the pointer for LFS files). */
  blobId: string;
  lfs?: { sha256: string; size: number };
}

const OTHER_FRAMEWORKS = [
  /(^|\/)(tf|flax|rust)_model[^/]*$/,
  /\.(onnx|msgpack|h5|ot)$/,
  /(^|\/)(onnx|openvino)\//,
];
const PYTORCH_WEIGHTS = /(^|\/)pytorch_model[^/]*\.bin(\.index\.json)?$/;

/** The files to download: PyTorch weights only where no safetensors exist. */
export function filesToDownload(files: RepoFile[]): RepoFile[] {
  const hasSafetensors = files.some((file) =>
    /\.safetensors(\.index\.json)?$/.test(file.rfilename)
  );
  return files.filter(({ rfilename }) =>
    !OTHER_FRAMEWORKS.some((pattern) => pattern.test(rfilename)) &&
    !(hasSafetensors && PYTORCH_WEIGHTS.test(rfilename))
  );
}

/** Whether a repository path stays inside the folder it is written to. */
export function isSafePath(rfilename: string): boolean {
  return rfilename !== "" && !rfilename.startsWith("/") && !rfilename.includes("\\") &&
    rfilename.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}
