import { describe, expect, it } from "vitest";
import { userWorkingDirectory } from "./paths.ts";

describe("userWorkingDirectory", () => {
  it("is pnpm's INIT_CWD, where the user ran pnpm, not the package directory pnpm runs the script in", () => {
    expect(userWorkingDirectory({ INIT_CWD: "/home/me/repo" }, "/home/me/repo/apps/backtest")).toBe(
      "/home/me/repo",
    );
  });

  it("is the process's directory when run without pnpm", () => {
    expect(userWorkingDirectory({}, "/tmp/here")).toBe("/tmp/here");
    expect(userWorkingDirectory({ INIT_CWD: "" }, "/tmp/here")).toBe("/tmp/here");
  });
});
