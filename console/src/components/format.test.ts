import { describe, expect, it } from "vitest";
import { splitList } from "./format";

describe("splitList", () => {
  it("splits on commas (also full-width) and spaces, dropping empties", () => {
    expect(splitList(" 4514, 451421，45 ,,")).toEqual(["4514", "451421", "45"]);
    expect(splitList("")).toEqual([]);
  });
});
