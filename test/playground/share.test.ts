/**
 * The playground's share links: code goes into the URL's hash and comes back
 * byte for byte (Node has the same CompressionStream, atob and btoa as the
 * browser); the uncompressed form reads back too; a damaged or foreign hash
 * gives nothing rather than an exception or garbage.
 */
import { describe, expect, it } from "vitest";
import { EXAMPLES } from "../../playground/examples.js";
import { readShared, shareHash } from "../../playground/share.js";

describe("share links", () => {
  it("carry every example, and text outside ASCII, deflated", async () => {
    for (const code of [...EXAMPLES.map((e) => e.code), "// größe: 28×28 🙂\nconst x = 1;\u2028", ""]) {
      const hash = await shareHash(code);
      expect(hash).toMatch(/^#code=[A-Za-z0-9_-]*$/);
      expect(await readShared(hash)).toBe(code);
    }
    const b = EXAMPLES[0].code;
    expect((await shareHash(b)).length).toBeLessThan(b.length);
  });

  it("read the uncompressed form that browsers without CompressionStream write", async () => {
    const code = 'import { input } from "shapewise";\n';
    const text = `#text=${Buffer.from(code).toString("base64url")}`;
    expect(await readShared(text)).toBe(code);
  });

  it("give nothing for a damaged, empty or foreign hash", async () => {
    const good = await shareHash(EXAMPLES[0].code);
    for (const hash of ["", "#", "#section-2", "#code=", `${good.slice(0, good.length / 2)}`, "#code=!!!", "#text=%%%"]) {
      expect(await readShared(hash), hash).toBeUndefined();
    }
  });
});
