import { readFileSync } from "node:fs";
import * as core from "@botmm/core";
import { describe, expect, it } from "vitest";
import * as inventory from "./index.ts";

const modules: Record<string, Record<string, unknown>> = {
  "@botmm/core": core,
  "@botmm/inventory": inventory,
};

/** The README's example block: the first ```ts fence after "## Example". */
function readmeExample(): string {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## Example"));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error("README.md has no ```ts block under ## Example");
  return match[1]!;
}

describe("README example", () => {
  it("runs and prints what its // → comments say", () => {
    const source = readmeExample();
    const names: string[] = [];
    const values: unknown[] = [];
    const body = source.replace(
      /^import \{([^}]*)\} from "([^"]+)";$/gm,
      (_line, list: string, from: string) => {
        const module = modules[from];
        if (!module) throw new Error(`README imports an unknown module ${from}`);
        for (const name of list.split(",").map((part) => part.trim())) {
          if (name === "") continue;
          if (!(name in module)) throw new Error(`${from} has no export ${name}`);
          names.push(name);
          values.push(module[name]);
        }
        return "";
      },
    );
    expect(body).not.toMatch(/^import /m);

    const printed: string[] = [];
    const fakeConsole = { log: (...args: unknown[]) => printed.push(args.map(String).join(" ")) };
    new Function("console", ...names, body)(fakeConsole, ...values);

    const expected = [...source.matchAll(/\/\/ → (.*)$/gm)].map((match) => match[1]!.trim());
    expect(expected.length).toBeGreaterThan(0);
    expect(printed).toEqual(expected);
  });
});
