import { describe, expect, it } from "vitest";
import { ClientIdMap } from "./client-ids.ts";

const ids = () =>
  new ClientIdMap(
    (id) => (id.length > 0 ? `botmm-${id}` : null),
    (wire) => (wire.startsWith("botmm-") ? wire.slice(6) : null),
  );

describe("ClientIdMap", () => {
  it("follows the default scheme without storing anything", () => {
    const map = ids();
    expect(map.wire("7")).toBe("botmm-7");
    expect(map.wire("")).toBeNull();
    expect(map.core("botmm-7")).toBe("7");
    expect(map.core("x-1")).toBeNull();
    map.track("7", "botmm-7");
    map.untrack("7");
    expect(map.wire("7")).toBe("botmm-7");
  });

  it("maps an adopted wire id both ways until it is untracked", () => {
    const map = ids();
    map.track("8", "manual-1");
    expect(map.wire("8")).toBe("manual-1");
    expect(map.core("manual-1")).toBe("8");
    map.untrack("8");
    expect(map.wire("8")).toBe("botmm-8");
    expect(map.core("manual-1")).toBeNull();
  });
});
