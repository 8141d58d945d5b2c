// Errors of the image tools. The reader's errors say exactly what is wrong with an image
// (bad magic, truncated, checksum mismatch …), so a user knows whether to rebuild or re-copy.

export type ImageProblem =
  | "too-short"
  | "bad-magic"
  | "bad-version"
  | "truncated"
  | "trailing-bytes"
  | "bad-checksum"
  | "bad-layout"
  | "bad-directory"
  | "bad-script"
  | "bad-data"
  | "invalid-input";

export class ImageFormatError extends Error {
  readonly problem: ImageProblem;

  constructor(problem: ImageProblem, message: string) {
    super(message);
    this.name = "ImageFormatError";
    this.problem = problem;
  }
}
