import { describe, expect, it } from "vitest";
import { isHighlighted, upsert, type FeedItem } from "./feed";
import { toJudgmentRecord } from "./model";

const rec = (seq: number, id: string, reviewed = false) =>
  toJudgmentRecord({ seq: String(seq), judgment: { judgmentId: id, ...(reviewed ? { review: { status: "REVIEW_STATUS_CONFIRMED" } } : {}) } });

describe("the judgment feed", () => {
  it("puts the newest first and replaces a reviewed judgment in place", () => {
    let items: FeedItem[] = [];
    items = upsert(items, rec(1, "a"), 100, 0);
    items = upsert(items, rec(2, "b"), 100, 0);
    items = upsert(items, rec(3, "a", true), 100, 0);
    expect(items.map((x) => [x.record.judgment.judgmentId, x.record.seq])).toEqual([
      ["b", 2],
      ["a", 3],
    ]);
    expect(items[1]?.record.judgment.review?.status).toBe("REVIEW_STATUS_CONFIRMED");
  });
  it("keeps at most max rows", () => {
    let items: FeedItem[] = [];
    for (let i = 1; i <= 5; i++) items = upsert(items, rec(i, `j${i}`), 0, 0, 3);
    expect(items.map((x) => x.record.seq)).toEqual([5, 4, 3]);
  });
  it("highlights live arrivals for a few seconds, not the replay", () => {
    const replay = upsert([], rec(1, "a"), 1000, 0)[0]!;
    const live = upsert([], rec(2, "b"), 10_000, 0)[0]!;
    expect(isHighlighted(replay, 1000)).toBe(false);
    expect(isHighlighted(live, 12_000)).toBe(true);
    expect(isHighlighted(live, 16_000)).toBe(false);
  });
});
