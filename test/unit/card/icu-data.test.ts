// Which items of ICU's data stay on the card (root and English locales, everything that is not
// a locale) and how each tree's res_index is cut to the locales left. The library itself is
// built and run on the cards in test/e2e/card-boards.test.ts.
import { describe, expect, it } from "vitest";
import { filterResIndex, selectIcuItems } from "../../../images/card/icu-data.ts";

const ITEMS = [
  "af.res",
  "en.res",
  "en_GB.res",
  "en_US_POSIX.res",
  "root.res",
  "pool.res",
  "res_index.res",
  "sr_Latn_BA.res",
  "es_419.res",
  "supplementalData.res",
  "zoneinfo64.res",
  "cnvalias.icu",
  "ibm-1252_P100-2000.cnv",
  "nfkc.nrm",
  "brkitr/cjdict.dict",
  "brkitr/thaidict.dict",
  "brkitr/word.brk",
  "brkitr/en.res",
  "brkitr/ja.res",
  "brkitr/res_index.res",
  "coll/de_.res",
  "coll/de__PHONEBOOK.res",
  "coll/ucadata.icu",
  "coll/root.res",
  "coll/en_US.res",
  "curr/supplementalData.res",
  "translit/root.res",
  "zone/tzdbNames.res",
];

const DERB = `// -*- Coding: UTF-8; -*-
//
// This file was dumped by derb(8) from /tmp/x/coll
// derb(8) by Vladimir Weinstein and Yves Arrouye

res_index{
    AliasLocales{
        in { "" }
        en_NH { "" }
    }
    InstalledLocales{
        de { "" }
        en { "" }
        en_US { "" }
        zh_Hant { "" }
    }
}
`;

describe("reduced ICU data", () => {
  it("keeps the root and en* locales and every item that is not a locale", () => {
    const sel = selectIcuItems(ITEMS);
    expect(sel.locales.sort()).toEqual(
      [
        "af.res",
        "brkitr/ja.res",
        "coll/de_.res",
        "coll/de__PHONEBOOK.res",
        "es_419.res",
        "sr_Latn_BA.res",
      ].sort(),
    );
    expect(sel.dictionaries).toEqual(["brkitr/cjdict.dict", "brkitr/thaidict.dict"]);
    expect(sel.indexes).toEqual(["res_index.res", "brkitr/res_index.res"]);
    for (const k of [
      "pool.res",
      "res_index.res",
      "supplementalData.res",
      "coll/ucadata.icu",
      "translit/root.res",
    ])
      expect(sel.kept.has(k), k).toBe(true);
  });

  it("every item is either kept or dropped, once (random item lists)", () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const parts = [
      "en",
      "de",
      "root",
      "pool",
      "res_index",
      "_",
      "GB",
      "Latn",
      "x",
      "Data",
      ".res",
      ".dict",
      ".icu",
      "/",
    ];
    for (let round = 0; round < 500; round++) {
      const items = Array.from({ length: 1 + rand(12) }, () =>
        Array.from({ length: 1 + rand(5) }, () => parts[rand(parts.length)]).join(""),
      );
      const sel = selectIcuItems(items);
      for (const item of items) {
        const where = [sel.kept.has(item), sel.locales.includes(item), sel.dictionaries.includes(item)];
        expect(where.filter(Boolean).length, item).toBe(1);
      }
    }
  });

  it("res_index lists only the locales left in its tree, and cannot fall back to a parent", () => {
    const kept = new Set(["coll/en.res", "coll/en_US.res", "coll/root.res", "en_NH.res"]);
    const text = filterResIndex(DERB, "coll/", kept);
    expect(text).toContain("res_index:table(nofallback){");
    expect(text).toMatch(/^\s+en \{ "" \}$/m);
    expect(text).toMatch(/^\s+en_US \{ "" \}$/m);
    for (const gone of ["de", "zh_Hant", "in", "en_NH"])
      expect(text).not.toMatch(new RegExp(`^\\s+${gone} \\{`, "m"));
    expect(text).toContain("AliasLocales{");
    expect(text.split("\n").length).toBe(DERB.split("\n").length - 4);
  });
});
