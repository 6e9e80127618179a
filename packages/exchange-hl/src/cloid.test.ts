import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clientIdToCloid, cloidToClientId, isValidClientId, normalizeClientIdPrefix } from "./cloid.ts";

const PREFIX = "b07a11ce00000001";

describe("cloids", () => {
  it("puts the prefix and the client id as 16 hex digits into a 16-byte cloid", () => {
    expect(clientIdToCloid(PREFIX, "42")).toBe("0xb07a11ce00000001000000000000002a");
    expect(clientIdToCloid("B07A11CE00000001", "1")).toBe("0xb07a11ce000000010000000000000001");
    expect(clientIdToCloid(PREFIX, "18446744073709551615")).toBe("0xb07a11ce00000001ffffffffffffffff");
  });

  it("reads the client id back only from this bot's cloids", () => {
    expect(cloidToClientId(PREFIX, "0xb07a11ce00000001000000000000002a")).toBe("42");
    expect(cloidToClientId(PREFIX, "0xB07A11CE00000001000000000000002A")).toBe("42");
    expect(cloidToClientId(PREFIX, "0x0123456789abcdef000000000000002a")).toBeNull();
    expect(cloidToClientId(PREFIX, "0xb07a11ce000000010000000000000000")).toBeNull();
    expect(cloidToClientId(PREFIX, "0xb07a11ce00000001")).toBeNull();
    expect(cloidToClientId(PREFIX, null)).toBeNull();
    expect(cloidToClientId(PREFIX, undefined)).toBeNull();
  });

  it("round-trips every 64-bit positive id", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }), (id) => {
        const cloid = clientIdToCloid(PREFIX, id.toString());
        expect(cloid).toMatch(/^0x[0-9a-f]{32}$/);
        expect(cloidToClientId(PREFIX, cloid)).toBe(id.toString());
      }),
      { seed: 1 },
    );
  });

  it("refuses ids and prefixes that do not fit", () => {
    for (const id of ["0", "-1", "01", "1.5", "0x10", "", "18446744073709551616", " 1"]) {
      expect(isValidClientId(id)).toBe(false);
      expect(() => clientIdToCloid(PREFIX, id)).toThrow(
        expect.objectContaining({ code: "INVALID_CLIENT_ID" }),
      );
    }
    for (const prefix of ["b07a11ce", "b07a11ce000000010", "zzzzzzzzzzzzzzzz"]) {
      expect(() => normalizeClientIdPrefix(prefix)).toThrow(
        expect.objectContaining({ code: "INVALID_PREFIX" }),
      );
    }
  });
});
